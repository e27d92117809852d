#include "r1/kernels/moe_permute.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/full.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cstring>

#include "kernels/parallel_rows.h"

namespace r1::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

using detail::row_grain;

// out[s] = x[token[s]] for s < S.
at::Tensor gather_rows(const at::Tensor& x_in, const at::Tensor& token) {
    const auto x = x_in.contiguous();
    const int64_t S = token.numel(), H = x.size(1);
    auto out = at::empty({S, H}, x.options());
    const auto* t = token.data_ptr<int64_t>();
    const auto bytes = static_cast<size_t>(H) * x.element_size();
    const auto* src = static_cast<const char*>(x.data_ptr());
    auto* dst = static_cast<char*>(out.data_ptr());
    at::parallel_for(0, S, row_grain(H), [&](int64_t begin, int64_t end) {
        for (int64_t s = begin; s < end; ++s) {
            std::memcpy(dst + s * bytes, src + t[s] * bytes, bytes);
        }
    });
    return out;
}

// out[n] = Σ_k ys[slots[n, k]], k ascending.
at::Tensor sum_rows(const at::Tensor& ys_in, const at::Tensor& slots) {
    const auto ys = ys_in.contiguous();
    const int64_t N = slots.size(0), K = slots.size(1), H = ys.size(1);
    auto out = at::empty({N, H}, ys.options());
    const auto* slot = slots.data_ptr<int64_t>();
    AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, ys.scalar_type(), "sum_rows", [&] {
        const scalar_t* src = ys.const_data_ptr<scalar_t>();
        scalar_t* dst = out.mutable_data_ptr<scalar_t>();
        at::parallel_for(0, N, row_grain(H * K), [&](int64_t begin, int64_t end) {
            for (int64_t n = begin; n < end; ++n) {
                scalar_t* y = dst + n * H;
                std::fill(y, y + H, scalar_t(0));
                for (int64_t k = 0; k < K; ++k) {
                    const scalar_t* row = src + slot[n * K + k] * H;
                    for (int64_t h = 0; h < H; ++h) {
                        y[h] += row[h];
                    }
                }
            }
        });
    });
    return out;
}

struct GatherSlots : torch::autograd::Function<GatherSlots> {
    static at::Tensor forward(AutogradContext* ctx,
                              const at::Tensor& x,
                              const at::Tensor& token,
                              const at::Tensor& slots) {
        ctx->save_for_backward({slots});
        return gather_rows(x, token);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        return {sum_rows(grads[0], ctx->get_saved_variables()[0]), at::Tensor(), at::Tensor()};
    }
};

struct CombineSlots : torch::autograd::Function<CombineSlots> {
    static at::Tensor forward(AutogradContext* ctx,
                              const at::Tensor& ys,
                              const at::Tensor& token,
                              const at::Tensor& slots) {
        ctx->save_for_backward({token});
        return sum_rows(ys, slots);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        return {gather_rows(grads[0], ctx->get_saved_variables()[0]), at::Tensor(), at::Tensor()};
    }
};

void check_cpu_rows(const at::Tensor& t, const char* what) {
    TORCH_CHECK(t.device().is_cpu() && t.dim() == 2, what,
                ": expected a [rows, H] CPU tensor, got ", t.sizes(), " on ", t.device());
}

}  // namespace

TokenSlots token_slots(const at::Tensor& order_in, int64_t K) {
    const auto order = order_in.to(at::kLong).contiguous();
    const int64_t S = order.numel(), N = S / std::max<int64_t>(K, 1);
    TORCH_CHECK(K > 0 && N * K == S, "token_slots: ", S, " slots are not N x ", K);
    auto token = at::empty({S}, order.options()), slots = at::full({N, K}, -1, order.options());
    const auto* o = order.data_ptr<int64_t>();
    auto* t = token.data_ptr<int64_t>();
    auto* where = slots.data_ptr<int64_t>();
    for (int64_t s = 0; s < S; ++s) {
        TORCH_CHECK(o[s] >= 0 && o[s] < S && where[o[s]] < 0, "token_slots: order[", s,
                    "] = ", o[s], " is no slot of ", S, " or one already placed");
        t[s] = o[s] / K;
        where[o[s]] = s;
    }
    for (int64_t n = 0; n < N; ++n) {
        std::sort(where + n * K, where + (n + 1) * K);
    }
    return {token, slots};
}

at::Tensor gather_slots(const at::Tensor& x, const TokenSlots& slots) {
    check_cpu_rows(x, "gather_slots");
    return GatherSlots::apply(x, slots.token, slots.slots);
}

at::Tensor combine_slots(const at::Tensor& ys, const TokenSlots& slots) {
    check_cpu_rows(ys, "combine_slots");
    TORCH_CHECK(ys.size(0) == slots.token.numel(), "combine_slots: ", ys.size(0), " rows for ",
                slots.token.numel(), " slots");
    return CombineSlots::apply(ys, slots.token, slots.slots);
}

}  // namespace r1::kernels
