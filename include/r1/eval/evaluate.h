// Evaluation (grpo-spec §7.5): k samples per held-out problem from the generation engine, judged by
// a verifier (reward functions; a sample is correct when their weighted sum reaches 1), scored as
// pass@1 (mean over problems of correct/k) and maj@k (majority over extracted answers), per task
// kind and overall, with mean completion length and truncated share beside the accuracy.
#pragma once

#include "r1/data/sample.h"
#include "r1/generation/engine.h"
#include "r1/rewards/combine.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace r1::eval {

struct TaskScore {
    std::string task;  // the samples' kind; "all" for the overall row
    int64_t problems = 0;
    double pass_at_1 = 0;
    double maj_at_k = 0;
    double mean_length = 0;     // completion tokens
    double truncated_frac = 0;  // completions that hit max_completion_length
};

/// One judged sample (for completions.jsonl-style dumps).
struct JudgedSample {
    int64_t problem = 0;
    std::string completion;
    std::string extracted;
    bool correct = false;
    int64_t length = 0;
};

struct EvalResult {
    int64_t k = 0;
    TaskScore overall;
    std::vector<TaskScore> tasks;  // by kind, sorted by name
    std::vector<JudgedSample> samples;
};

struct EvalConfig {
    int64_t num_samples = 4;  // k
    generation::SamplingOptions sampling;
    uint64_t seed = 0;
    std::vector<int64_t> eos_token_ids;
};

class Evaluator {
  public:
    Evaluator(generation::Engine& engine,
              tokenizer::Tokenizer tokenizer,
              tokenizer::ChatTemplate chat_template,
              const std::vector<rewards::RewardSpec>& verifier);

    EvalResult run(const std::vector<data::Sample>& problems, const EvalConfig& config);

  private:
    generation::Engine& engine_;
    tokenizer::Tokenizer tokenizer_;
    tokenizer::ChatTemplate template_;
    rewards::RewardSet verifier_;
};

/// {"k", "pass@1", "maj@k", "mean_length", "truncated_frac", "tasks": {kind: {...}}}.
nlohmann::json to_json(const EvalResult& result);

/// A plain-text table: one row per task kind and the overall row.
std::string format_table(const EvalResult& result);

}  // namespace r1::eval
