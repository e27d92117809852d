// One GRPO rollout (grpo-spec §1): B prompts rendered and tokenized, G completions each from the
// generation engine, decoded and scored by the reward set; rewards become advantages (§2).
// Completions are prompt-major: completion i belongs to prompt i / G.
#pragma once

#include "r1/data/sample.h"
#include "r1/eval/sample_and_score.h"
#include "r1/generation/engine.h"
#include "r1/rewards/combine.h"
#include "r1/train/grpo/options.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace r1::train::grpo {

struct Rollout {
    std::vector<data::Sample> samples;                // B
    std::vector<std::vector<int64_t>> prompt_ids;     // B
    std::vector<generation::Completion> completions;  // N = B * G
    std::vector<std::string> texts;                   // N decoded completions
    std::vector<bool> truncated;                      // N: no EOS or stop string within L
    rewards::CombinedRewards rewards;                 // [N] total, [N, R] per function
    at::Tensor advantages;                            // [N] float32
    at::Tensor zero_std;                              // [B] bool
    double generate_seconds = 0;
    double reward_seconds = 0;
    int64_t generation_batches = 1;  // > 1 when dynamic sampling refilled the batch
    int64_t generated_groups = 0;    // groups generated for this rollout, kept or not
    int64_t flat_groups = 0;         // of those, groups dropped as carrying no signal
};

/// One group of a rollout: prompt `group` of `*rollout` with its G completions.
struct GroupRef {
    const Rollout* rollout = nullptr;
    int64_t group = 0;
};

/// Generates and scores G completions for each of `samples` (eval::sample_and_score), the draws
/// from `seed`, and turns their rewards into advantages.
Rollout make_rollout(const eval::RowScorer& scorer,
                     std::vector<data::Sample> samples,
                     const GrpoOptions& options,
                     uint64_t seed);

/// The listed groups as one rollout, in that order, with advantages recomputed over it (batch-level
/// scaling then sees only these groups). Times add up over the distinct source rollouts.
Rollout gather_groups(const std::vector<GroupRef>& groups, const GrpoOptions& options);

/// Adds what generating `from` cost (seconds, generation batches, generated and flat groups) to
/// `into`: for a generated batch none of whose groups was kept.
void add_generation_costs(Rollout& into, const Rollout& from);

}  // namespace r1::train::grpo
