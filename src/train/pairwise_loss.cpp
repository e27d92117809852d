#include "r1/train/pairwise_loss.h"

#include "r1/model/sequence_classifier.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

namespace r1::train {
namespace {

void check_rewards(const PairwiseRewards& r) {
    TORCH_CHECK(r.chosen.dim() == 1 && r.chosen.size(0) > 0 && r.chosen.is_floating_point(),
                "pairwise_loss: chosen must be floating [N] with N > 0, got ", r.chosen.sizes(),
                " ", r.chosen.scalar_type());
    TORCH_CHECK(r.rejected.sizes() == r.chosen.sizes(),
                "pairwise_loss: chosen and rejected must both be [N], got ", r.chosen.sizes(),
                " and ", r.rejected.sizes());
    TORCH_CHECK(!r.margin.defined() || r.margin.sizes() == r.chosen.sizes(),
                "pairwise_loss: margin must be [N] like chosen ", r.chosen.sizes(), ", got ",
                r.margin.sizes());
}

}  // namespace

PairwiseLoss pairwise_loss(const PairwiseRewards& rewards, const PairwiseLossOptions& options) {
    check_rewards(rewards);
    if (!(options.center_rewards_coefficient >= 0.0)) {
        throw util::ConfigError(util::str("center_rewards_coefficient (",
                                          options.center_rewards_coefficient, ") must be >= 0"));
    }
    const at::Tensor& c = rewards.chosen;
    const at::Tensor& r = rewards.rejected;
    // TRL: -logsigmoid(r_c - r_r - margin).mean(); logsigmoid stays finite for large differences.
    at::Tensor diff = c - r;
    if (rewards.margin.defined()) {
        diff = diff - rewards.margin.to(c.scalar_type());
    }
    PairwiseLoss out;
    out.loss = -at::log_sigmoid(diff).mean();
    if (options.center_rewards_coefficient != 0.0) {
        // TRL adds the term whenever the coefficient is not None; at 0 it adds nothing either way.
        out.loss = out.loss + options.center_rewards_coefficient * (c + r).pow(2).mean();
    }
    const at::Tensor cd = c.detach(), rd = r.detach();
    out.accuracy = (cd > rd).to(at::kDouble).mean().item<double>();
    out.margin = (cd - rd).mean().item<double>();
    const at::Tensor all = at::cat({cd, rd});
    out.min_reward = all.min().item<double>();
    out.mean_reward = all.mean().item<double>();
    out.max_reward = all.max().item<double>();
    return out;
}

at::Tensor last_non_pad_values(const at::Tensor& values,
                               const at::Tensor& input_ids,
                               int64_t pad_token_id) {
    TORCH_CHECK(values.dim() == 2 && values.size(1) > 0 && input_ids.sizes() == values.sizes(),
                "last_non_pad_values: values and input_ids must both be [B, L] with L > 0, got ",
                values.sizes(), " and ", input_ids.sizes());
    const at::Tensor last = model::last_token_index(input_ids, {}, pad_token_id);  // [B]
    return values.gather(1, last.unsqueeze(1)).squeeze(1);
}

}  // namespace r1::train
