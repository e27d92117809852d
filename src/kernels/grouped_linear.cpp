#include "r1/kernels/grouped_linear.h"

#include <ATen/autocast_mode.h>
#include <ATen/ops/_grouped_mm.h>
#include <ATen/ops/empty.h>
#include <torch/csrc/autograd/custom_function.h>

#include <vector>

#include "kernels/gemm_batch.h"

namespace r1::kernels {
namespace {

using detail::GemmProblem;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The first row of each group and one past its last: [E + 1], from the cumulative ends.
std::vector<int64_t> group_starts(const at::Tensor& ends, int64_t rows) {
    const auto host = ends.to(at::kLong).contiguous();
    const auto* end = host.data_ptr<int64_t>();
    std::vector<int64_t> starts{0};
    for (int64_t e = 0; e < host.numel(); ++e) {
        TORCH_CHECK(end[e] >= starts.back() && end[e] <= rows, "grouped_linear: group ", e,
                    " ends at row ", end[e], ", outside [", starts.back(), ", ", rows, "]");
        starts.push_back(end[e]);
    }
    TORCH_CHECK(starts.back() == rows, "grouped_linear: the groups end at row ", starts.back(),
                " of ", rows, " (every row belongs to a group)");
    return starts;
}

struct GroupedLinearFunction : torch::autograd::Function<GroupedLinearFunction> {
    static at::Tensor forward(AutogradContext* ctx,
                              const at::Tensor& x_in,
                              const at::Tensor& w_in,
                              const at::Tensor& ends) {
        const auto x = x_in.contiguous(), w = w_in.contiguous();
        const int64_t E = w.size(0), N = w.size(1), K = w.size(2);
        const auto starts = group_starts(ends, x.size(0));
        auto y = at::empty({x.size(0), N}, x.options());
        const float *xp = x.data_ptr<float>(), *wp = w.data_ptr<float>();
        std::vector<GemmProblem> problems;
        for (int64_t e = 0; e < E; ++e) {  // y_e = x_e · w_eᵀ
            problems.push_back({.a = {xp + starts[e] * K, K, 1},
                                .b = {wp + e * N * K, 1, K},
                                .c = y.data_ptr<float>() + starts[e] * N,
                                .ldc = N,
                                .M = starts[e + 1] - starts[e],
                                .N = N,
                                .K = K});
        }
        detail::gemm_batch(problems);
        ctx->save_for_backward({x, w});
        ctx->saved_data["starts"] = starts;
        return y;
    }

    // Both gradients in one batch: dx_e = dy_e · w_e and dw_e = dy_eᵀ · x_e (zeros for a group
    // without rows).
    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &w = saved[1];
        const auto dy = grads[0].contiguous();
        const auto starts = ctx->saved_data["starts"].toIntVector();
        const int64_t E = w.size(0), N = w.size(1), K = w.size(2);
        const float *xp = x.data_ptr<float>(), *wp = w.data_ptr<float>(),
                    *dyp = dy.data_ptr<float>();
        at::Tensor dx, dw;
        std::vector<GemmProblem> problems;
        if (ctx->needs_input_grad(0)) {
            dx = at::empty_like(x);
            for (int64_t e = 0; e < E; ++e) {
                problems.push_back({.a = {dyp + starts[e] * N, N, 1},
                                    .b = {wp + e * N * K, K, 1},
                                    .c = dx.data_ptr<float>() + starts[e] * K,
                                    .ldc = K,
                                    .M = starts[e + 1] - starts[e],
                                    .N = K,
                                    .K = N});
            }
        }
        if (ctx->needs_input_grad(1)) {
            dw = at::empty_like(w);
            for (int64_t e = 0; e < E; ++e) {
                problems.push_back({.a = {dyp + starts[e] * N, 1, N},
                                    .b = {xp + starts[e] * K, K, 1},
                                    .c = dw.data_ptr<float>() + e * N * K,
                                    .ldc = K,
                                    .M = N,
                                    .N = K,
                                    .K = starts[e + 1] - starts[e]});
            }
        }
        detail::gemm_batch(problems);
        return {dx, dw, at::Tensor()};
    }
};

}  // namespace

bool grouped_linear_own_kernels(const at::Tensor& x, const at::Tensor& w) {
    return detail::gemm_batch_available() && x.device().is_cpu() && w.device().is_cpu() &&
           x.scalar_type() == at::kFloat && w.scalar_type() == at::kFloat &&
           !at::autocast::is_autocast_enabled(at::kCPU);
}

at::Tensor grouped_linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& ends) {
    TORCH_CHECK(x.dim() == 2 && w.dim() == 3 && x.size(1) == w.size(2) && ends.dim() == 1 &&
                    ends.size(0) == w.size(0),
                "grouped_linear: x ", x.sizes(), ", w ", w.sizes(), " and ends ", ends.sizes(),
                " are not [T, K], [E, N, K] and [E]");
    if (!grouped_linear_own_kernels(x, w)) {
        return at::_grouped_mm(x, w.transpose(1, 2), ends);
    }
    return GroupedLinearFunction::apply(x, w, ends);
}

}  // namespace r1::kernels
