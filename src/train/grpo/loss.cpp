#include "r1/train/grpo/loss.h"

#include "r1/util/error.h"

#include <ATen/ATen.h>

namespace r1::train::grpo {
namespace {

// log rho per token [N, L], or per sequence [N, 1] (GSPO: the length-normalised sum).
at::Tensor log_ratio(const at::Tensor& logp,
                     const at::Tensor& old_logp,
                     const at::Tensor& mask,
                     RatioLevel level) {
    // verl clamps the log-ratio so exp() cannot overflow on a stale rollout.
    const at::Tensor d = (logp - old_logp).clamp(-20.0, 20.0);
    if (level == RatioLevel::token) {
        return d;
    }
    return ((d * mask).sum(-1) / mask.sum(-1).clamp_min(1.0)).unsqueeze(-1);
}

at::Tensor surrogate(const at::Tensor& rho, const at::Tensor& adv, const ClipOptions& clip) {
    const at::Tensor unclipped = rho * adv;
    const at::Tensor clipped = rho.clamp(1.0 - clip.eps_low, 1.0 + clip.eps_high) * adv;
    at::Tensor loss = -at::min(unclipped, clipped);
    if (clip.dual_clip_c) {
        // Dual clip (verl clip_ratio_c): bound the loss of negative advantages at c * |A|.
        loss = at::where(adv < 0, at::min(loss, -*clip.dual_clip_c * adv), loss);
    }
    return loss;
}

at::Tensor aggregate(const at::Tensor& per_token,
                     const at::Tensor& mask,
                     const PolicyLossConfig& config,
                     const LossNormalizer& norm) {
    const at::Tensor masked = per_token * mask;
    switch (config.loss.agg) {
        case LossAgg::token_mean:
            return masked.sum() / std::max(norm.tokens, 1.0);
        case LossAgg::seq_mean_token_mean:
            return (masked.sum(-1) / mask.sum(-1).clamp_min(1.0)).sum() /
                   std::max(norm.sequences, 1.0);
        case LossAgg::seq_mean_token_sum:
            return masked.sum() / std::max(norm.sequences, 1.0);
        case LossAgg::dr_grpo: {
            const int64_t constant =
                config.loss.dr_grpo_constant.value_or(config.max_completion_length);
            if (constant <= 0) {
                throw util::ConfigError(
                    "loss.agg dr_grpo needs loss.dr_grpo_constant or a max_completion_length");
            }
            return masked.sum() / (std::max(norm.batch, 1.0) * static_cast<double>(constant));
        }
    }
    return masked.sum();
}

double masked_mean(const at::Tensor& x, const at::Tensor& mask) {
    return ((x * mask).sum() / mask.sum().clamp_min(1.0)).item<double>();
}

void fill_stats(PolicyLoss& out,
                const at::Tensor& rho,
                const at::Tensor& adv,
                const at::Tensor& mask,
                const ClipOptions& clip) {
    const at::Tensor r = rho.detach().expand_as(mask);
    const at::Tensor a = adv.expand_as(mask);
    const at::Tensor low = ((r < 1.0 - clip.eps_low) & (a < 0)).to(mask.scalar_type());
    const at::Tensor high = ((r > 1.0 + clip.eps_high) & (a > 0)).to(mask.scalar_type());
    out.clip_low_frac = masked_mean(low, mask);
    out.clip_high_frac = masked_mean(high, mask);
    out.clip_region_frac = masked_mean((low + high).clamp_max(1.0), mask);
    out.ratio_mean = masked_mean(r, mask);
    const at::Tensor on = mask > 0;
    if (on.any().item<bool>()) {
        out.ratio_min = r.masked_select(on).min().item<double>();
        out.ratio_max = r.masked_select(on).max().item<double>();
    }
}

}  // namespace

LossNormalizer loss_normalizer(const at::Tensor& mask) {
    return {.tokens = mask.sum().item<double>(),
            .sequences = (mask.sum(-1) > 0).sum().item<double>(),
            .batch = static_cast<double>(mask.size(0))};
}

at::Tensor kl_estimate(const at::Tensor& logp, const at::Tensor& ref_logp, const KlOptions& kl) {
    at::Tensor d = ref_logp - logp;
    if (kl.clamp) {
        d = d.clamp(-20.0, 20.0);  // verl low_var_kl
    }
    at::Tensor k3 = d.exp() - d - 1.0;
    if (kl.clamp) {
        k3 = k3.clamp(-10.0, 10.0);
    }
    switch (kl.estimator) {
        case KlEstimator::k1:
            return -d;
        case KlEstimator::k2:
            return 0.5 * d * d;
        case KlEstimator::k3:
            return k3;
        case KlEstimator::k3_plus: {
            // Straight-through (verl "k3+"): the k3 value with the k2 gradient.
            const at::Tensor k2 = 0.5 * d * d;
            return k3.detach() + k2 - k2.detach();
        }
    }
    return k3;
}

PolicyLoss policy_loss(const PolicyLossInput& in,
                       const PolicyLossConfig& config,
                       const LossNormalizer& normalizer) {
    TORCH_CHECK(in.logp.dim() == 2 && in.mask.sizes() == in.logp.sizes(),
                "logp and mask must both be [N, L], got ", in.logp.sizes(), " and ",
                in.mask.sizes());
    TORCH_CHECK(in.advantages.dim() == 1 && in.advantages.size(0) == in.logp.size(0),
                "advantages must be [N=", in.logp.size(0), "], got ", in.advantages.sizes());
    const LossNormalizer norm = normalizer.batch > 0 ? normalizer : loss_normalizer(in.mask);
    const at::Tensor mask = in.mask.to(in.logp.scalar_type());
    const at::Tensor old_logp = in.old_logp.defined() ? in.old_logp : in.logp.detach();
    const at::Tensor adv = in.advantages.to(in.logp.scalar_type()).unsqueeze(1);  // [N, 1]

    const at::Tensor rho = log_ratio(in.logp, old_logp, mask, config.clip.ratio_level).exp();
    const at::Tensor pg = surrogate(rho, adv, config.clip).expand_as(mask);
    at::Tensor per_token = pg;
    PolicyLoss out;
    if (config.kl.beta > 0) {  // in the loss, as GRPO places it (grpo-spec §3.2)
        TORCH_CHECK(in.ref_logp.defined(), "kl.beta > 0 needs the reference log-probs");
        const at::Tensor k = kl_estimate(in.logp, in.ref_logp, config.kl);
        per_token = per_token + config.kl.beta * k;
        out.kl = masked_mean(k.detach(), mask);
    }
    out.loss = aggregate(per_token, mask, config, norm);
    out.pg_loss = aggregate(pg.detach(), mask, config, norm).item<double>();
    if (in.entropy.defined()) {
        out.entropy = masked_mean(in.entropy.detach(), mask);
    }
    if (config.loss.entropy_coef > 0) {
        TORCH_CHECK(in.entropy.defined(), "loss.entropy_coef > 0 needs the per-token entropy");
        // TRL: a token mean of the entropy, whatever the aggregation of the policy term.
        out.loss = out.loss - config.loss.entropy_coef * (in.entropy * mask).sum() /
                                  std::max(norm.tokens, 1.0);
    }
    fill_stats(out, rho, adv, mask, config.clip);
    return out;
}

}  // namespace r1::train::grpo
