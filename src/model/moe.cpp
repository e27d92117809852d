#include "r1/model/moe.h"

#include "r1/model/balance.h"

#include <limits>

namespace r1::model {

at::Tensor group_limited_topk(const at::Tensor& choice,
                              int64_t n_group,
                              int64_t topk_group,
                              int64_t k) {
    const int64_t N = choice.size(0);
    const int64_t E = choice.size(1);
    if (n_group == 1) {  // one group always kept: plain top-k (saves 11 small ops per decode step)
        return std::get<1>(choice.topk(k, -1, true, false));
    }
    const auto grouped = choice.view({N, n_group, E / n_group});                    // [N, G, E/G]
    const auto group_scores = std::get<0>(grouped.topk(2, -1)).sum(-1);             // [N, G]
    const auto kept = std::get<1>(group_scores.topk(topk_group, -1, true, false));  // [N, TG]
    auto group_mask = torch::zeros({N, n_group}, torch::kBool).scatter(1, kept, true);  // [N, G]
    const auto expert_mask =
        group_mask.unsqueeze(-1).expand({N, n_group, E / n_group}).reshape({N, E});
    const auto masked =
        choice.masked_fill(expert_mask.logical_not(), -std::numeric_limits<double>::infinity());
    return std::get<1>(masked.topk(k, -1, true, false));  // [N, K]
}

GateImpl::GateImpl(const ModelOptions& options_) : options(options_) {
    reset();
}

void GateImpl::reset() {
    const int64_t E = options.n_routed_experts;
    weight = register_parameter("weight", torch::empty({E, options.hidden_size}, torch::kFloat32));
    e_score_correction_bias =
        register_buffer("e_score_correction_bias", torch::zeros({E}, torch::kFloat32));
    torch::NoGradGuard no_grad;
    weight.normal_(0.0, options.initializer_range);
}

Routing GateImpl::forward(const at::Tensor& x) {
    // x: [N, H]; the router runs in float32 (or float64) whatever the activation dtype (HF, report
    // §3.3)
    const auto dtype = c10::promoteTypes(x.scalar_type(), torch::kFloat32);
    const c10::impl::ExcludeDispatchKeyGuard no_autocast(c10::DispatchKey::AutocastCPU);
    const auto as = [&](const at::Tensor& t) { return t.scalar_type() == dtype ? t : t.to(dtype); };
    const auto logits = torch::linear(as(x), as(weight));  // [N, E]
    const auto scores = options.scoring_func == "softmax" ? logits.softmax(-1) : logits.sigmoid();
    at::Tensor indices;
    {
        torch::NoGradGuard no_grad;  // the bias only selects; it never weighs (spec §3.2 step 3)
        const auto choice = scores.detach() + e_score_correction_bias;
        indices = group_limited_topk(choice, options.n_group, options.topk_group,
                                     options.num_experts_per_tok);
    }
    auto weights = scores.gather(1, indices);  // [N, K] from the unbiased affinities
    if (options.norm_topk_prob) {
        weights = weights / (weights.sum(-1, true) + 1e-20);
    }
    return {
        .scores = scores, .indices = indices, .weights = weights * options.routed_scaling_factor};
}

MoeImpl::MoeImpl(const ModelOptions& options_) : options(options_) {
    reset();
}

void MoeImpl::reset() {
    const MlpOptions expert{.hidden_size = options.hidden_size,
                            .intermediate_size = options.moe_intermediate_size};
    gate = register_module("gate", Gate(options));
    experts = register_module("experts", torch::nn::ModuleList());
    for (int64_t e = 0; e < options.n_routed_experts; ++e) {
        experts->push_back(Mlp(expert));
    }
    if (options.n_shared_experts > 0) {
        auto shared = expert;
        shared.intermediate_size *=
            options.n_shared_experts;  // the shared experts fused into one Mlp
        shared_experts = register_module("shared_experts", Mlp(shared));
    }
    reset_expert_load();
}

void MoeImpl::reset_expert_load() {
    load_ = torch::zeros({options.n_routed_experts}, torch::kInt64);
}

at::Tensor MoeImpl::record_load(const Routing& routing) {
    const auto counts =
        torch::bincount(routing.indices.reshape({-1}), {}, options.n_routed_experts);  // [E]
    load_ = load_ + counts.to(torch::kInt64);
    return counts;
}

at::Tensor MoeImpl::routed(const at::Tensor& x, const Routing& routing) {
    if (x.size(0) == 0) {
        return torch::zeros_like(x);
    }
    // Without grad, when computing every expert on every token costs at most twice the routed
    // FLOPs (few experts, e.g. the demo's 4 with top-2), the dense sum beats sorting tokens by
    // expert: a third of the ops and no host sync. Training keeps the sparse path.
    const int64_t E = options.n_routed_experts, K = routing.indices.size(1);
    if (!torch::GradMode::is_enabled() && E <= 2 * K) {
        return routed_dense(x, routing);
    }
    return routed_sorted(x, routing);
}

at::Tensor MoeImpl::routed_dense(const at::Tensor& x, const Routing& routing) {
    record_load(routing);
    const int64_t N = x.size(0), E = options.n_routed_experts;
    const auto w = torch::zeros({N, E}, routing.weights.options())
                       .scatter(1, routing.indices, routing.weights)
                       .to(x.scalar_type());  // [N, E], zero where not routed
    auto y = torch::zeros_like(x);            // [N, H]
    for (int64_t e = 0; e < E; ++e) {         // ascending experts: the sorted path's sum order
        y.addcmul_(experts[e]->as<MlpImpl>()->forward(x), w.narrow(1, e, 1));
    }
    return y;
}

at::Tensor MoeImpl::routed_sorted(const at::Tensor& x, const Routing& routing) {
    const int64_t K = routing.indices.size(1);
    const auto flat = routing.indices.reshape({-1});  // [N·K] expert of each slot
    const auto order =
        std::get<1>(flat.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));  // by expert
    const auto token = order.div(K, "floor");  // [N·K] token of each slot
    const auto counts = record_load(routing);  // [E]
    const auto xs = x.index_select(0, token);  // [N·K, H] grouped by expert
    const auto ws = routing.weights.reshape({-1}).index_select(0, order).unsqueeze(1);  // [N·K, 1]
    const auto counts_cpu = counts.cpu();
    const auto* count = counts_cpu.data_ptr<int64_t>();
    std::vector<at::Tensor> outputs;
    int64_t offset = 0;
    for (int64_t e = 0; e < options.n_routed_experts; ++e) {  // one GEMM chain per active expert
        if (count[e] > 0) {
            outputs.push_back(
                experts[e]->as<MlpImpl>()->forward(xs.slice(0, offset, offset + count[e])));
            offset += count[e];
        }
    }
    const auto ys = torch::cat(outputs) * ws.to(x.scalar_type());  // [N·K, H]
    return torch::zeros_like(x).index_add(0, token, ys);           // [N, H]
}

MoeOutput MoeImpl::forward(const at::Tensor& x) {
    const int64_t B = x.size(0), S = x.size(1), H = x.size(2);
    const auto tokens = x.reshape({B * S, H});  // [N, H]
    const auto routing = gate(tokens);
    auto hidden = routed(tokens, routing).view({B, S, H});  // [B, S, H]
    if (shared_experts) {
        hidden = hidden + shared_experts(x);
    }
    at::Tensor aux_loss;
    if (is_training() && balance_loss_alpha > 0.0) {
        const int64_t E = options.n_routed_experts, K = options.num_experts_per_tok;
        aux_loss = sequence_balance_loss(routing.scores.view({B, S, E}),
                                         routing.indices.view({B, S, K}), balance_loss_alpha);
    }
    return {.hidden = hidden, .aux_loss = aux_loss};
}

}  // namespace r1::model
