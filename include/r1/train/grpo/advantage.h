// Group-relative advantages (grpo-spec §2): the rewards of G completions per prompt, [B, G], become
// one advantage per completion. NaN marks an unscorable completion (every reward function said
// None): it is left out of its group's statistics and gets advantage 0.
#pragma once

#include "r1/train/grpo/options.h"

#include <ATen/core/Tensor.h>

namespace r1::train::grpo {

struct Advantages {
    at::Tensor values;     // [B, G], 0 where the reward is NaN
    at::Tensor group_std;  // [B], Bessel-corrected std of each group's scorable rewards
    at::Tensor zero_std;   // [B] bool: the group carries no learning signal
};

/// rewards: [B, G] float (NaN = unscorable). Requires G >= 2.
Advantages compute_advantages(const at::Tensor& rewards, const AdvantageOptions& options);

}  // namespace r1::train::grpo
