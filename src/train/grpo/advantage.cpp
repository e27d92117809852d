#include "r1/train/grpo/advantage.h"

#include "r1/util/error.h"

#include <ATen/ATen.h>

namespace r1::train::grpo {
namespace {

// Masked mean and Bessel std along dim 1 of [B, G]; groups with fewer than two scorable rewards get
// std 0 (a single reward carries no relative signal).
std::pair<at::Tensor, at::Tensor> group_stats(const at::Tensor& r, const at::Tensor& valid) {
    const at::Tensor n = valid.sum(1, /*keepdim=*/true).to(r.scalar_type());
    const at::Tensor zeroed = at::where(valid, r, at::zeros_like(r));
    const at::Tensor mean = zeroed.sum(1, true) / n.clamp_min(1);
    const at::Tensor dev = at::where(valid, r - mean, at::zeros_like(r));
    const at::Tensor var = (dev * dev).sum(1, true) / (n - 1).clamp_min(1);
    return {mean, at::where(n >= 2, var.sqrt(), at::zeros_like(var))};
}

}  // namespace

Advantages compute_advantages(const at::Tensor& rewards, const AdvantageOptions& options) {
    TORCH_CHECK(rewards.dim() == 2, "rewards must be [B, G], got ", rewards.sizes());
    if (rewards.size(1) < 2) {
        throw util::ConfigError(
            "GRPO needs at least 2 completions per prompt (batch.num_generations)");
    }
    const at::Tensor r = rewards.is_floating_point() ? rewards : rewards.to(at::kDouble);
    const at::Tensor valid = ~r.isnan();
    auto [mean, std] = group_stats(r, valid);

    at::Tensor baseline = mean;  // [B, 1] or [B, G]
    if (options.estimator == Estimator::rloo) {
        // Leave-one-out: the mean of the other scorable rewards of the group.
        const at::Tensor n = valid.sum(1, true).to(r.scalar_type());
        const at::Tensor total = at::where(valid, r, at::zeros_like(r)).sum(1, true);
        baseline = (total - at::where(valid, r, at::zeros_like(r))) / (n - 1).clamp_min(1);
    }
    at::Tensor adv = r - baseline;
    if (options.scale == AdvScale::group) {
        adv = adv / (std + options.eps);
    } else if (options.scale == AdvScale::batch) {
        const at::Tensor all = r.masked_select(valid);
        const at::Tensor batch_std = all.numel() >= 2 ? all.std() : at::zeros({}, r.options());
        adv = adv / (batch_std + options.eps);
    }
    adv = at::where(valid, adv, at::zeros_like(adv));
    const at::Tensor group_std = std.squeeze(1);
    // TRL compares the std to 0 with isclose: float noise in equal rewards still means "no signal".
    const at::Tensor zero_std = at::isclose(group_std, at::zeros_like(group_std));
    return {adv, group_std, zero_std};
}

}  // namespace r1::train::grpo
