#include "r1/kernels/moe.h"

#include "r1/kernels/decode_gemm.h"
#include "r1/kernels/fused.h"
#include "r1/kernels/grouped_linear.h"
#include "r1/kernels/moe_permute.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>

namespace r1::kernels {
namespace {

// Every expert on every token, times its zero-or-routed weight: a decode step is dispatch-bound,
// and a loop over experts costs a dozen ops each.
at::Tensor every_expert(const at::Tensor& x,
                        const at::Tensor& indices,
                        const at::Tensor& weights,
                        const ExpertWeights& w) {
    const int64_t N = x.size(0), E = w.gate_up.size(0), I = w.down.size(2), H = x.size(1);
    const auto dense = at::zeros({N, E}, weights.options())
                           .scatter(1, indices, weights)
                           .to(x.scalar_type());  // [N, E], zero where not routed
    const auto h = at::linear(x, w.gate_up.reshape({E * 2 * I, H}));  // [N, E·2I]
    const auto act = fused_swiglu_packed(h.view({N, E, 2 * I})) * dense.unsqueeze(-1);  // [N, E, I]
    return at::bmm(act.transpose(0, 1), w.down.transpose(1, 2)).sum(0);                 // [N, H]
}

bool decode_serves(const at::Tensor& x, const ExpertWeights& w) {
    return x.device().is_cpu() && x.scalar_type() == at::kFloat &&
           w.gate_up.scalar_type() == at::kFloat && !at::autocast::is_autocast_enabled(at::kCPU);
}

// Tokens in expert order, two grouped GEMMs, and back: no host sync for the counts.
at::Tensor grouped(const at::Tensor& x,
                   const at::Tensor& indices,
                   const at::Tensor& weights,
                   const at::Tensor& counts,
                   const ExpertWeights& w) {
    const int64_t K = indices.size(1);
    const auto flat = indices.reshape({-1});  // [N·K] expert of a slot
    const auto order = std::get<1>(flat.sort(/*stable=*/true, 0, false));  // slots by expert
    const auto ends = counts.cumsum(0).to(at::kInt);                       // [E] end of each group
    const auto ws = weights.reshape({-1}).index_select(0, order).unsqueeze(1);  // [N·K, 1]
    const auto experts = [&](const at::Tensor& xs) {         // [N·K, H] -> [N·K, H]
        const auto h = grouped_linear(xs, w.gate_up, ends);  // [N·K, 2I]
        // each slot's routing weight scales its SwiGLU rows (down is linear), which spares an
        // [N·K, H] product and its two backward products
        const auto act = fused_swiglu_packed(h, ws.to(x.scalar_type()));  // [N·K, I]
        return grouped_linear(act, w.down, ends);
    };
    if (x.device().is_cpu()) {
        const auto slots = token_slots(order, K);
        return combine_slots(experts(gather_slots(x, slots)), slots);  // [N, H]
    }
    const auto token = order.div(K, "floor");  // [N·K] token of each slot
    return at::zeros_like(x).index_add(0, token, experts(x.index_select(0, token)));
}

bool groupable(const at::Tensor& x, const ExpertWeights& w) {
    const auto dtype = x.scalar_type();  // at::_grouped_mm on CPU: float32, bfloat16, float16
    return (dtype == at::kFloat || dtype == at::kBFloat16 || dtype == at::kHalf) &&
           w.gate_up.scalar_type() == dtype && w.down.scalar_type() == dtype;
}

}  // namespace

std::optional<at::Tensor> routed_experts(const at::Tensor& x,
                                         const at::Tensor& indices,
                                         const at::Tensor& weights,
                                         const at::Tensor& counts,
                                         const ExpertWeights& experts) {
    const bool grad = c10::GradMode::is_enabled();
    const int64_t N = x.size(0), E = experts.gate_up.size(0), K = indices.size(1);
    if (!grad && E <= 2 * K && experts.gate_up.scalar_type() == x.scalar_type()) {
        return every_expert(x, indices, weights, experts);
    }
    if (!grad && N * K <= 16 * E && decode_serves(x, experts)) {
        return decode_experts(x, indices, weights, experts.gate_up, experts.down);
    }
    // Without grad, LibTorch's CPU grouped GEMM costs ~6 ops per expert, empty ones included:
    // the caller's loop over active experts does better unless r1's own grouped GEMM runs.
    if ((grad || grouped_linear_own_kernels(x, experts.gate_up)) && groupable(x, experts)) {
        return grouped(x, indices, weights, counts, experts);
    }
    return std::nullopt;
}

}  // namespace r1::kernels
