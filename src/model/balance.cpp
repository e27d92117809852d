#include "r1/model/balance.h"

namespace r1::model {

at::Tensor sequence_balance_loss(const at::Tensor& scores,
                                 const at::Tensor& indices,
                                 double alpha) {
    const int64_t B = scores.size(0), T = scores.size(1), E = scores.size(2), K = indices.size(2);
    at::Tensor f;  // [B, E] fraction of routed slots, scaled so that even routing gives 1
    {
        torch::NoGradGuard no_grad;
        const auto slots = indices.reshape({B, T * K});
        f = torch::zeros({B, E}, scores.options())
                .scatter_add(1, slots, torch::ones(slots.sizes(), scores.options()));
        f = f * (static_cast<double>(E) / static_cast<double>(K * T));
    }
    const auto P = (scores / scores.sum(-1, true)).mean(1);  // [B, E] mean normalised affinity
    return alpha * (f * P).sum(-1).mean();
}

at::Tensor expert_bias_step(const at::Tensor& load, double gamma) {
    const auto l = load.to(torch::kFloat32);
    return gamma * torch::sign(l.mean() - l);  // overloaded experts go down, underloaded up
}

void update_expert_bias(MoeImpl& moe, double gamma) {
    torch::NoGradGuard no_grad;
    auto& bias = moe.gate->e_score_correction_bias;
    bias.add_(expert_bias_step(moe.expert_load(), gamma).to(bias.device()));
    moe.reset_expert_load();
}

double max_over_mean_load(const at::Tensor& load) {
    const auto l = load.to(torch::kFloat64);
    const double mean = l.mean().item<double>();
    return mean > 0 ? l.max().item<double>() / mean : 0.0;
}

}  // namespace r1::model
