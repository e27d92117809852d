#include "r1/model/moe.h"

#include "r1/kernels/decode_gemm.h"
#include "r1/kernels/moe.h"
#include "r1/model/balance.h"

#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

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

namespace {

// One token's selection buffers, reused from token to token: route_on_host allocates nothing per
// token (a decode step routes 64 tokens in each MoE layer).
struct SelectScratch {
    std::vector<int64_t> order;                // [max(E, G)]
    std::vector<float> choice, group, masked;  // [E], [G], [E]
    std::vector<int64_t> kept;                 // [topk_group]
};

// The top `k` of values[0, n) by index, best first (ties to the lower index, as a stable sort).
void top_indices(
    const float* values, int64_t n, int64_t k, int64_t* out, std::vector<int64_t>& order) {
    order.resize(n);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
        return values[a] > values[b] || (values[a] == values[b] && a < b);
    });
    std::copy(order.begin(), order.begin() + k, out);
}

// Affinities s of one token's router logits: sigmoid, or softmax over the E experts.
void affinities(const float* logits, float* s, int64_t E, bool softmax) {
    if (!softmax) {
        for (int64_t e = 0; e < E; ++e) {
            s[e] = 1.0f / (1.0f + std::exp(-logits[e]));
        }
        return;
    }
    const float mx = *std::max_element(logits, logits + E);
    float sum = 0.0f;
    for (int64_t e = 0; e < E; ++e) {
        sum += s[e] = std::exp(logits[e] - mx);
    }
    for (int64_t e = 0; e < E; ++e) {
        s[e] /= sum;
    }
}

// group_limited_topk() of one token's selection scores `sc.choice` [E] into idx [K].
void select_experts(const ModelOptions& o, SelectScratch& sc, int64_t* idx) {
    const auto& choice = sc.choice;
    const int64_t E = static_cast<int64_t>(choice.size()), G = o.n_group, per = E / G;
    if (G == 1) {
        return top_indices(choice.data(), E, o.num_experts_per_tok, idx, sc.order);
    }
    int64_t two[2];
    for (int64_t g = 0; g < G; ++g) {  // a group's score: the sum of its top 2
        top_indices(&choice[g * per], per, 2, two, sc.order);
        sc.group[g] = choice[g * per + two[0]] + choice[g * per + two[1]];
    }
    top_indices(sc.group.data(), G, o.topk_group, sc.kept.data(), sc.order);
    std::fill(sc.masked.begin(), sc.masked.end(), -std::numeric_limits<float>::infinity());
    for (const int64_t g : sc.kept) {
        std::copy_n(&choice[g * per], per, &sc.masked[g * per]);
    }
    top_indices(sc.masked.data(), E, o.num_experts_per_tok, idx, sc.order);
}

// GateImpl::forward after the router's GEMM for a few tokens without grad, as one host loop: the
// composite costs ~18 dispatches per MoE layer (a decode step's largest share after the GEMMs).
// The same selection and weights, up to the rounding of the sigmoid.
Routing route_on_host(const at::Tensor& logits, const at::Tensor& bias, const ModelOptions& o) {
    const int64_t N = logits.size(0), E = logits.size(1), K = o.num_experts_per_tok;
    const auto l = logits.contiguous();
    const auto b = (bias.scalar_type() == at::kFloat ? bias : bias.to(at::kFloat)).contiguous();
    Routing r{.scores = at::empty({N, E}, l.options()),
              .indices = at::empty({N, K}, l.options().dtype(at::kLong)),
              .weights = at::empty({N, K}, l.options())};
    SelectScratch sc{.choice = std::vector<float>(E),
                     .group = std::vector<float>(o.n_group),
                     .masked = std::vector<float>(E),
                     .kept = std::vector<int64_t>(o.topk_group)};
    const float* lp = l.const_data_ptr<float>();
    const float* bp = b.const_data_ptr<float>();
    float* sp = r.scores.mutable_data_ptr<float>();
    int64_t* ip = r.indices.mutable_data_ptr<int64_t>();
    float* wp = r.weights.mutable_data_ptr<float>();
    const float scale = static_cast<float>(o.routed_scaling_factor);
    for (int64_t t = 0; t < N; ++t) {
        float* s = sp + t * E;
        affinities(lp + t * E, s, E, o.scoring_func == "softmax");
        for (int64_t e = 0; e < E; ++e) {
            sc.choice[e] = s[e] + bp[e];  // the bias selects, never weighs
        }
        int64_t* idx = ip + t * K;
        select_experts(o, sc, idx);
        float* w = wp + t * K;
        float sum = 0.0f;
        for (int64_t j = 0; j < K; ++j) {
            sum += w[j] = s[idx[j]];
        }
        for (int64_t j = 0; j < K; ++j) {
            w[j] = (o.norm_topk_prob ? w[j] / (sum + 1e-20f) : w[j]) * scale;
        }
    }
    return r;
}

bool routes_on_host(const at::Tensor& logits, const ModelOptions& o) {
    return !torch::GradMode::is_enabled() && logits.device().is_cpu() &&
           logits.scalar_type() == at::kFloat && logits.size(0) <= kernels::kDecodeRowsMax &&
           (o.scoring_func == "sigmoid" || o.scoring_func == "softmax") && o.n_group >= 1 &&
           o.n_routed_experts % o.n_group == 0 && o.n_routed_experts / o.n_group >= 2;
}

}  // namespace

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
    const auto xs = as(x), ws = as(weight);  // cast once: a bf16 x would convert per use
    const auto logits = kernels::decode_linear_serves(xs, ws, {})
                            ? kernels::decode_linear(xs, ws, {})
                            : torch::linear(xs, ws);  // [N, E]
    if (routes_on_host(logits, options)) {
        return route_on_host(logits, e_score_correction_bias, options);
    }
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
    pack_experts();
}

std::shared_ptr<torch::nn::Module> MoeImpl::clone(
    const std::optional<torch::Device>& device) const {
    auto copy = torch::nn::Cloneable<MoeImpl>::clone(device);
    if (packed()) {
        std::dynamic_pointer_cast<MoeImpl>(copy)->pack_experts();
    }
    return copy;
}

void MoeImpl::pack_experts() {
    torch::NoGradGuard no_grad;
    const int64_t E = options.n_routed_experts, I = options.moe_intermediate_size;
    const auto like = experts[0]->as<MlpImpl>()->gate_proj->weight;
    packed_gate_up_ = at::empty({E, 2 * I, options.hidden_size}, like.options());
    packed_down_ = at::empty({E, options.hidden_size, I}, like.options());
    for (int64_t e = 0; e < E; ++e) {
        const auto& mlp = *experts[e]->as<MlpImpl>();
        const std::array<std::pair<at::Tensor, at::Tensor>, 3> moves{
            {{mlp.gate_proj->weight, packed_gate_up_[e].narrow(0, 0, I)},
             {mlp.up_proj->weight, packed_gate_up_[e].narrow(0, I, I)},
             {mlp.down_proj->weight, packed_down_[e]}}};
        for (auto [weight, slot] : moves) {
            slot.copy_(weight);
            weight.set_data(slot);  // the parameter now lives in the packed buffer
        }
    }
}

bool MoeImpl::packed() const {
    if (!packed_gate_up_.defined()) {
        return false;
    }
    // Runs at every training forward: pointer arithmetic on the contiguous buffers, no views.
    const int64_t I = options.moe_intermediate_size, H = options.hidden_size, block = I * H;
    const auto lives_at = [](const at::Tensor& weight, const at::Tensor& buffer, int64_t offset,
                             at::IntArrayRef sizes) {
        return weight.dtype() == buffer.dtype() && weight.sizes() == sizes &&
               weight.is_contiguous() &&
               weight.data_ptr() == static_cast<const char*>(buffer.data_ptr()) +
                                        offset * static_cast<int64_t>(buffer.element_size());
    };
    for (int64_t e = 0; e < options.n_routed_experts; ++e) {
        const auto& mlp = *experts->ptr(e)->as<MlpImpl>();
        if (!lives_at(mlp.gate_proj->weight, packed_gate_up_, 2 * e * block, {I, H}) ||
            !lives_at(mlp.up_proj->weight, packed_gate_up_, (2 * e + 1) * block, {I, H}) ||
            !lives_at(mlp.down_proj->weight, packed_down_, e * block, {H, I})) {
            return false;
        }
    }
    return true;
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
    const auto counts = record_load(routing);  // [E] tokens per expert
    if (const auto stacked = kernel_weights(x)) {
        if (auto y =
                kernels::routed_experts(x, routing.indices, routing.weights, counts, *stacked)) {
            return *y;
        }
    }
    return routed_loop(x, routing, counts);
}

std::optional<kernels::ExpertWeights> MoeImpl::kernel_weights(const at::Tensor& x) const {
    if (!torch::GradMode::is_enabled()) {  // the packed buffers as they are, or nothing to copy
        // (an fp8_train expert keeps its float32 master weight packed, but runs in FP8)
        if (packed() && packed_gate_up_.scalar_type() == x.scalar_type() && dense_experts()) {
            return kernels::ExpertWeights{packed_gate_up_, packed_down_};
        }
        return std::nullopt;
    }
    if (!groupable(x)) {
        return std::nullopt;
    }
    auto [gate_up, down] = stacked_expert_weights();  // views while packed(), else copies
    return kernels::ExpertWeights{std::move(gate_up), std::move(down)};
}

bool MoeImpl::dense_experts() const {
    std::vector<const LinearImpl*> linears;
    for (const auto& expert : *experts) {
        const auto& mlp = *expert->as<MlpImpl>();
        linears.insert(linears.end(), {&*mlp.gate_proj, &*mlp.up_proj, &*mlp.down_proj});
    }
    return stackable(linears);
}

bool MoeImpl::groupable(const at::Tensor& x) const {
    const auto dtype = x.scalar_type();  // at::_grouped_mm on CPU: float32, bfloat16, float16
    if (dtype != torch::kFloat32 && dtype != torch::kBFloat16 && dtype != torch::kHalf) {
        return false;
    }
    const auto& first = *(*experts->begin())->as<MlpImpl>();
    return dense_experts() && first.gate_proj->weight.scalar_type() == dtype;
}

namespace {

// The packed buffers as one differentiable tensor each, with no copy: backward hands every expert
// weight its slice of the stacked gradient (views, no copy either). Unlike a copy, the operands
// are the live weights: an in-place update between forward and backward (none of r1's loops
// makes one; the optimizer steps after backward) would go unnoticed by autograd's version checks.
struct PackedExperts : torch::autograd::Function<PackedExperts> {
    // weights: gate_0, up_0, ..., gate_{E-1}, up_{E-1}, down_0, ..., down_{E-1}
    static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* /*ctx*/,
                                                at::TensorList /*weights*/,
                                                const at::Tensor& gate_up,
                                                const at::Tensor& down) {
        return {share(gate_up), share(down)};
    }

    // The same storage under a new tensor that is no autograd view of `t` (an alias() would be
    // one of a non-differentiable input, and take no gradient).
    static at::Tensor share(const at::Tensor& t) {
        return at::empty({0}, t.options())
            .set_(t.storage(), t.storage_offset(), t.sizes(), t.strides());
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* /*ctx*/,
                                                 torch::autograd::tensor_list grads) {
        // one as_strided per expert weight: select and narrow cost 5 dispatches each, a sixth
        // of a small model's training step
        const auto d_gate_up = grads[0].contiguous(), d_down = grads[1].contiguous();
        const int64_t E = d_gate_up.size(0), I = d_gate_up.size(1) / 2, H = d_gate_up.size(2);
        const auto block = [](const at::Tensor& t, int64_t rows, int64_t cols, int64_t index) {
            return t.as_strided({rows, cols}, {cols, 1}, t.storage_offset() + index * rows * cols);
        };
        torch::autograd::tensor_list out;
        for (int64_t e = 0; e < E; ++e) {  // [gate_e; up_e] rows of [E, 2I, H]
            out.push_back(block(d_gate_up, I, H, 2 * e));
            out.push_back(block(d_gate_up, I, H, 2 * e + 1));
        }
        for (int64_t e = 0; e < E; ++e) {
            out.push_back(block(d_down, H, I, e));
        }
        out.emplace_back();  // the buffers themselves take no gradient
        out.emplace_back();
        return out;
    }
};

}  // namespace

std::pair<at::Tensor, at::Tensor> MoeImpl::stacked_expert_weights() const {
    std::vector<at::Tensor> gate_up, down;
    for (const auto& expert : *experts) {
        const auto& mlp = *expert->as<MlpImpl>();
        gate_up.push_back(mlp.gate_proj->weight);  // [I, H]
        gate_up.push_back(mlp.up_proj->weight);    // [I, H]
        down.push_back(mlp.down_proj->weight);     // [H, I]
    }
    if (packed()) {
        std::vector<at::Tensor> weights = gate_up;
        weights.insert(weights.end(), down.begin(), down.end());
        // a TensorList, not the vector: Function::apply counts only that as differentiable inputs
        auto stacked = PackedExperts::apply(at::TensorList(weights), packed_gate_up_, packed_down_);
        return {stacked[0], stacked[1]};
    }
    const int64_t E = options.n_routed_experts, H = options.hidden_size;
    return {at::cat(gate_up).view({E, -1, H}), at::stack(down)};  // [E, 2I, H], [E, H, I]
}

at::Tensor MoeImpl::routed_loop(const at::Tensor& x,
                                const Routing& routing,
                                const at::Tensor& counts) {
    const int64_t E = options.n_routed_experts, K = routing.indices.size(1);
    if (!torch::GradMode::is_enabled() && E <= 2 * K) {  // few experts: each on every token
        const auto w = torch::zeros({x.size(0), E}, routing.weights.options())
                           .scatter(1, routing.indices, routing.weights)
                           .to(x.scalar_type());  // [N, E], zero where not routed
        auto y = torch::zeros_like(x);            // [N, H]
        for (int64_t e = 0; e < E; ++e) {         // ascending experts: the sorted sum's order
            y.addcmul_(experts[e]->as<MlpImpl>()->forward(x), w.narrow(1, e, 1));
        }
        return y;
    }
    const auto flat = routing.indices.reshape({-1});  // [N·K] expert of each slot
    const auto order =
        std::get<1>(flat.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));  // by expert
    const auto token = order.div(K, "floor");  // [N·K] token of each slot
    const auto xs = x.index_select(0, token);  // [N·K, H] grouped by expert
    const auto ws = routing.weights.reshape({-1}).index_select(0, order).unsqueeze(1);  // [N·K, 1]
    const auto counts_cpu = counts.cpu();
    const auto* count = counts_cpu.data_ptr<int64_t>();
    std::vector<at::Tensor> outputs;
    int64_t offset = 0;
    for (int64_t e = 0; e < E; ++e) {  // one GEMM chain per active expert
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
