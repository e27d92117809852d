// Built-in procedural tasks: a Task turns (seed, index) into a TaskSample deterministically and
// without bound: an RL Sample (prompt, answer, task fields) plus reference solutions in three
// styles for SFT and pretraining. Tasks are found by name ("arithmetic", "countdown") in a registry
// whose entries bring their options (YAML keys, --set overrides).
#pragma once

#include "r1/config/schema.h"
#include "r1/data/sample.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace r1::data::tasks {

/// Reference solutions of one sample.
struct Solutions {
    std::string direct;  // R1 format, short: "<think>\nA = x\n</think> <answer>x</answer>"
    // R1 format, worked step by step; the think block can be replayed line by line
    std::string steps;
    std::string text;  // plain text (no tags) for pretraining corpora: question, working, answer
};

struct TaskSample {
    Sample sample;  // kind = the task's name
    Solutions solutions;
};

class Task {
  public:
    virtual ~Task() = default;
    virtual std::string name() const = 0;
    /// The sample at `index` of the stream `seed`: the same pair always gives the same sample.
    virtual TaskSample generate(uint64_t seed, uint64_t index) const = 0;
    /// A preference pair at `index` of the stream `seed`, for reward-model training (docs/rm.md);
    /// UnsupportedError naming the task when it has none (only `sort` has them so far).
    virtual PreferencePair preference(uint64_t seed, uint64_t index) const;
};

/// One JSONL row for a TaskSample: the Sample's fields (prompt, answer, kind, numbers, target)
/// plus "response" (the step-by-step solution, so SFT reads prompt + response), "direct" and
/// "text" (so `r1 tokenizer encode` reads pretraining text).
nlohmann::json to_json(const TaskSample& sample);

struct TaskInfo {
    std::string name;
    std::string doc;
    /// Builds the task from YAML-style overrides ("max_digits=5"); ConfigError on a bad key.
    std::function<std::unique_ptr<Task>(const std::vector<std::string>& overrides)> make;
    std::function<std::vector<config::KeyInfo>()> schema;  // its options, for --help and docs
};

const std::vector<TaskInfo>& task_registry();

/// The entry called `name`; ConfigError listing the known names (and the nearest) otherwise.
const TaskInfo& find_task(const std::string& name);

/// Samples index 0..n-1 of (task, seed) written atomically as JSONL to `path`.
void write_task_jsonl(const Task& task,
                      int64_t n,
                      uint64_t seed,
                      const std::filesystem::path& path);

/// The R1 completion format: "<think>\n{thinking}\n</think> <answer>{answer}</answer>".
std::string r1_format(const std::string& thinking, const std::string& answer);

}  // namespace r1::data::tasks
