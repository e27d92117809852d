// The reward model's pairwise (Bradley-Terry) loss of TRL's RewardTrainer (stages-spec §3), with
// per-pair margins, the optional centring term and TRL's metrics, and the scalar head's reading of
// the reward at each sequence's last non-padding token. Shapes: N pairs, L tokens.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace r1::train {

struct PairwiseLossOptions {
    /// Adds coef * mean((r_chosen + r_rejected)^2), pulling rewards towards 0 (TRL's
    /// center_rewards_coefficient; its None is 0 here; 0.01 is TRL's recommendation).
    double center_rewards_coefficient = 0.0;
};

/// TRL scores the chosen sequences as the first half of one batch and the rejected as the second
/// half (DataCollatorForPreference): chosen = pooled[:N], rejected = pooled[N:].
struct PairwiseRewards {
    at::Tensor chosen;    // [N] r(x, y_chosen), carries the gradient
    at::Tensor rejected;  // [N] r(x, y_rejected)
    at::Tensor margin;    // [N] per-pair margin (TRL's "margin" column); undefined: no margin
};

struct PairwiseLoss {
    at::Tensor loss;  // scalar: -mean(logsigmoid(chosen - rejected - margin)) + centring term
    // Detached metrics, as TRL's compute_loss logs them:
    double accuracy = 0;  // mean(chosen > rejected), strictly: a tie counts as wrong
    double margin = 0;    // mean(chosen - rejected), the input margins not subtracted
    double min_reward = 0, mean_reward = 0, max_reward = 0;  // over chosen and rejected together
};

/// TRL's RewardTrainer.compute_loss on rewards already pooled per sequence.
PairwiseLoss pairwise_loss(const PairwiseRewards& rewards, const PairwiseLossOptions& options = {});

/// The value at each row's last token that is not padding: transformers'
/// *ForSequenceClassification pooling (the rightmost id != pad_token_id, so left and right padding
/// both work; position 0 for a row of padding only). TRL appends EOS to each text and falls back
/// to EOS as the pad token, and then the reward is read one token before that EOS, as in TRL.
/// values [B, L] (the score head's output per token), input_ids [B, L] -> [B].
at::Tensor last_non_pad_values(const at::Tensor& values,
                               const at::Tensor& input_ids,
                               int64_t pad_token_id);

}  // namespace r1::train
