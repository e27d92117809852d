// The GRPO policy loss (grpo-spec §3): importance ratio (per token or per sequence), clipped
// surrogate with eps_low/eps_high and optional dual clip, KL to the reference (k1, k2, k3, k3+),
// entropy bonus, and the four aggregation modes. Shapes: N completions, L completion positions.
#pragma once

#include "r1/train/grpo/options.h"

#include <ATen/core/Tensor.h>

namespace r1::train::grpo {

struct PolicyLossInput {
    at::Tensor logp;        // [N, L] current policy, tempered as sampled (carries the gradient)
    at::Tensor old_logp;    // [N, L] at rollout time; undefined: logp.detach(), so rho == 1
    at::Tensor ref_logp;    // [N, L] frozen reference; needed when kl.beta > 0
    at::Tensor entropy;     // [N, L] per-token entropy; needed when loss.entropy_coef > 0
    at::Tensor advantages;  // [N]
    at::Tensor mask;        // [N, L] 1 for tokens in the loss
};

struct PolicyLossConfig {
    ClipOptions clip;
    KlOptions kl;
    LossOptions loss;
    int64_t max_completion_length = 0;  // dr_grpo's constant when loss.dr_grpo_constant is null
};

/// Denominators of the whole mini-batch, so that micro-batches sum to the mini-batch's loss
/// (grpo-spec §3.5): count them once with loss_normalizer(mini_batch_mask), pass to every
/// micro-batch.
struct LossNormalizer {
    double tokens = 0;     // sum of the mask
    double sequences = 0;  // sequences with at least one unmasked token (n_S)
    double batch = 0;      // sequences (n_b)
};

LossNormalizer loss_normalizer(const at::Tensor& mask);

struct PolicyLoss {
    at::Tensor loss;  // scalar: aggregated surrogate + KL - entropy bonus
    // Detached statistics (masked token means unless said otherwise), for metrics.jsonl.
    double pg_loss = 0;  // aggregated surrogate alone
    double kl = 0;       // mean per-token KL estimate (0 when no reference)
    double entropy = 0;
    double clip_low_frac = 0;  // rho < 1 - eps_low with A < 0 (where the clip binds, as TRL counts)
    double clip_high_frac = 0;  // rho > 1 + eps_high with A > 0
    double clip_region_frac = 0;
    double ratio_mean = 0, ratio_min = 0, ratio_max = 0;
};

/// One micro-batch's loss; `normalizer` defaults to this micro-batch alone.
PolicyLoss policy_loss(const PolicyLossInput& in,
                       const PolicyLossConfig& config,
                       const LossNormalizer& normalizer = {});

/// Per-token KL estimate of pi_theta against pi_ref (grpo-spec §3.2); d = ref_logp - logp.
at::Tensor kl_estimate(const at::Tensor& logp, const at::Tensor& ref_logp, const KlOptions& kl);

}  // namespace r1::train::grpo
