// The built-in pretraining corpus: documents drawn from a task (data/tasks), each a rendered prompt
// followed by a solution and EOS. Most documents answer at a glance, with an empty <think> block,
// and such an answer is often a near miss; the rest are worked step by step and always right. A
// base model trained on it mostly guesses, so RL has something to discover: thinking it through,
// at greater length (issue 7; the R1-Zero curves of grpo-spec §7.2 in miniature).
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/tasks/task.h"
#include "r1/tokenizer/chat_template.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace r1::data {

struct CorpusOptions {
    std::string task = "arithmetic";        // a built-in task (r1 data tasks)
    std::vector<std::string> task_options;  // its overrides: ["max_digits=3", "steps=compact"]
    double steps_fraction = 0.2;            // share of documents solved step by step
    double direct_accuracy =
        0.3;  // share of direct answers that are right; the rest are near misses
    /// The task stream evaluation draws from (data.task_seed + 1 of the eval config) and how many
    /// of its prompts it uses: documents never show them. held_out_seed < 0: none left out.
    int64_t held_out_seed = -1;
    int64_t held_out_size = 0;
};

void visit(config::Visitor& v, CorpusOptions& o);

/// A near miss of `answer`: one of its digits replaced by another (a leading digit never by 0).
/// `draw` is a uniform 64-bit value; an answer without digits is returned unchanged.
std::string near_miss(const std::string& answer, uint64_t draw);

class Corpus {
  public:
    Corpus(const CorpusOptions& options, tokenizer::ChatTemplate chat_template, uint64_t seed);

    /// Document `index` of the stream: prompt + solution (the caller appends EOS). Deterministic.
    std::string document(uint64_t index) const;

  private:
    CorpusOptions options_;
    std::unique_ptr<data::tasks::Task> task_;
    tokenizer::ChatTemplate template_;
    uint64_t seed_;
    std::unordered_set<std::string> held_out_;
};

}  // namespace r1::data
