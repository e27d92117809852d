// The rows r1 trains on, one schema per use (grpo-spec §6, §7): Sample (a prompt with what scores
// it, for RL and evaluation), SftExample (a conversation to imitate), PreferencePair (for reward
// models). Each reads from one JSONL object, with errors naming file:line and the field.
#pragma once

#include "r1/data/code_test.h"
#include "r1/io/jsonl.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace r1::data {

/// An RL prompt. JSON: {"prompt": str, "answer": str, optional "kind": str, "language": str,
/// "tests": [{"input","output"} | {"assert"}], "numbers": [int], "target": int}. A row needs
/// something to score against: "answer", "tests" or "target", or kind "general" (open-ended
/// prompts a reward model scores: the `reward_model` reward, docs/rm.md).
struct Sample {
    std::string prompt;
    std::string answer;                   // gold answer ("" when tests or target score instead)
    std::optional<std::string> kind;      // task kind: "math", "code", "countdown", "arithmetic"...
    std::optional<std::string> language;  // ISO 639-1 of the reasoning; for code, the program's
    std::vector<CodeTest> tests;          // code: tests to run
    std::vector<int64_t> numbers;         // countdown: numbers to use once each
    std::optional<int64_t> target;        // countdown: value to reach
};

struct Message {
    std::string role;  // system | user | assistant
    std::string content;
};

/// A row for SFT, in TRL's three dataset shapes:
///   {"text": str}: language modelling, every token trained;
///   {"prompt": str, "completion": str} ("response" also names the completion): the completion
///   trained; prompt and completion may also be lists of messages (conversational);
///   {"messages": [{"role", "content"}...]}: the assistant turns trained.
struct SftExample {
    enum class Shape { text, prompt_completion, conversation };

    Shape shape = Shape::conversation;
    std::string text;    // text rows
    std::string prompt;  // prompt-completion rows of strings
    std::string completion;
    /// Conversations; conversational prompt-completion rows hold the prompt's messages, then the
    /// completion's from index `completion_from` on (0 for "messages" rows).
    std::vector<Message> messages;
    size_t completion_from = 0;
    util::Location where;  // file:line, for errors found later (a row with nothing to train)
};

/// A preference for reward-model training, in TRL's two shapes:
///   {"prompt": str, "chosen": str, "rejected": str}: each response follows the rendered prompt
///   ("prompt" may be left out: the responses are then whole texts, TRL's implicit prompt);
///   {"chosen": [messages], "rejected": [messages]}, optionally after "prompt": [messages]:
///   conversations, rendered by the chat template.
/// An optional "margin" (a number) is by how much chosen should beat rejected (TRL's margin).
struct PreferencePair {
    std::optional<std::string> prompt;  // string rows; nullopt: implicit prompt
    std::string chosen;
    std::string rejected;
    bool conversational = false;
    std::vector<Message> prompt_messages;  // conversational rows (empty: implicit prompt)
    std::vector<Message> chosen_messages;
    std::vector<Message> rejected_messages;
    std::optional<double> margin;
    util::Location where;  // file:line, for errors found later (a pair too long to keep)
};

/// How strictly a row is read. `dataset`: a training or evaluation row (prompt required, and an
/// answer unless tests, a target or kind "general" score it; strings are strings). `scoring`: a
/// row beside a completion to score (`r1 reward`): nothing is required, a number stands for its
/// text ("answer": 42), null for a missing key, and a test may be a bare assert string or have
/// "output" without "input".
enum class RowRules { dataset, scoring };

/// The one parser of a task row, for datasets and for scoring alike.
Sample sample_from_json(const io::JsonFields& fields, RowRules rules = RowRules::dataset);
SftExample sft_example_from_json(const io::JsonFields& fields);
PreferencePair preference_pair_from_json(const io::JsonFields& fields);

nlohmann::json to_json(const Sample& sample);
nlohmann::json to_json(const SftExample& example);
nlohmann::json to_json(const PreferencePair& pair);

/// How a row type reads itself, so that one dataset reader serves every schema.
template <class T>
struct RowSchema;

template <>
struct RowSchema<Sample> {
    static constexpr const char* name = "RL sample (prompt, answer)";

    static Sample read(const io::JsonFields& f) { return sample_from_json(f); }
};

template <>
struct RowSchema<SftExample> {
    static constexpr const char* name = "SFT example (messages, or prompt and response)";

    static SftExample read(const io::JsonFields& f) { return sft_example_from_json(f); }
};

template <>
struct RowSchema<PreferencePair> {
    static constexpr const char* name = "preference pair (prompt, chosen, rejected, margin)";

    static PreferencePair read(const io::JsonFields& f) { return preference_pair_from_json(f); }
};

}  // namespace r1::data
