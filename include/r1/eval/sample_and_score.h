// The one path from dataset rows to scored completions: render each row's prompt with the chat
// template, encode it, draw k completions from the generation engine, decode them and score them
// with a reward set. GRPO's rollouts (train/grpo/rollout.h) and evaluation (evaluate.h) both call
// sample_and_score(), so a row is scored the same way in training and evaluation.
#pragma once

#include "r1/data/sample.h"
#include "r1/generation/engine.h"
#include "r1/rewards/combine.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace r1::eval {

/// What turns rows into scored completions (all borrowed: they outlive the call).
struct RowScorer {
    generation::Engine& engine;
    const tokenizer::Tokenizer& tokenizer;
    const tokenizer::ChatTemplate& chat_template;
    const rewards::RewardSet& rewards;
    std::vector<int64_t> eos_token_ids;
};

struct SampleRequest {
    int64_t num_samples = 1;  // completions per row
    generation::SamplingOptions sampling;
    uint64_t seed = 0;  // every draw derives from it (generation::Engine)
};

/// Completions are row-major: completion i belongs to row i / num_samples.
struct ScoredCompletions {
    std::vector<std::vector<int64_t>> prompt_ids;     // one per row
    std::vector<generation::Completion> completions;  // N = rows · num_samples
    std::vector<std::string> texts;                   // N decoded completions
    std::vector<bool> truncated;                      // N: no EOS or stop string within the limit
    rewards::CombinedRewards rewards;                 // [N] total, [N, R] per function
    double generate_seconds = 0;
    double reward_seconds = 0;
};

/// Samples and scores `request.num_samples` completions of each row. A prompt longer than
/// sampling.max_prompt_length is a ConfigError naming the prompt.
ScoredCompletions sample_and_score(const RowScorer& scorer,
                                   const std::vector<data::Sample>& rows,
                                   const SampleRequest& request);

}  // namespace r1::eval
