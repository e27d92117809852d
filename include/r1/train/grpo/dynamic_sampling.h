// DAPO's dynamic sampling (grpo-spec §4.2): a group whose G rewards are all equal has zero
// advantage everywhere and teaches nothing, so it is dropped and the batch refilled from more
// prompts until B groups carry a signal. This file decides which groups survive; the trainer does
// the refilling.
#pragma once

#include "r1/train/grpo/rollout.h"

#include <cstdint>
#include <string>
#include <vector>

namespace r1::train::grpo {

/// The column of `metric` among `reward_names`: -1 for "reward" (the weighted total). ConfigError
/// naming dynamic_sampling.metric and the valid names for anything else.
int64_t metric_column(const std::vector<std::string>& reward_names, const std::string& metric);

/// The [N] values `metric` names in a scored rollout: "reward" (the weighted total) or one reward
/// function's name (metric_column).
at::Tensor metric_values(const rewards::CombinedRewards& rewards, const std::string& metric);

/// Indices of the groups of `r` (G completions each) whose metric has a population std above
/// `tol` over its scorable completions; a group with fewer than two scorable values is flat.
std::vector<int64_t> informative_groups(const Rollout& r,
                                        const DynamicSamplingOptions& options,
                                        int64_t G);

}  // namespace r1::train::grpo
