// The FP8 training linear as a torch::autograd::Function: forward quantises X twice (1x128 along K
// for Fprop, 128x1 along M for Wgrad) and W once; backward quantises dY twice (along N for Dgrad,
// along M for Wgrad). Every scale is online amax/448, E4M3 everywhere (model-spec §5.2).
#include "r1/fp8/linear_fn.h"

#include "r1/fp8/gemm.h"
#include "r1/fp8/quantize.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

namespace r1::fp8 {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

/// The 128x128-block quantisation of Wᵀ: the same blocks, transposed (bytes and scales move, no
/// value is re-rounded), so Dgrad uses exactly the W_q of Fprop.
Quantized transposed_blocks(const Quantized& w) {
    const at::Tensor bytes = w.data.view(at::kByte).t().contiguous().view(at::kFloat8_e4m3fn);
    return {.data = bytes, .scale = w.scale.t().contiguous()};
}

struct Fp8LinearFunction : torch::autograd::Function<Fp8LinearFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight) {
        TORCH_CHECK(weight.dim() == 2 && x.dim() >= 1 && x.size(-1) == weight.size(1),
                    "fp8::linear_train: x ", x.sizes(), " does not end in K of weight ",
                    weight.sizes());
        const int64_t K = weight.size(1);
        const at::Tensor x2 = x.reshape({-1, K}).to(at::kFloat);  // [M, K]
        const Quantized wq = quantize_blocks(weight.detach());    // Fprop and Dgrad operand
        const at::Tensor y = gemm(quantize_tiles(x2), wq);        // [M, N] float32
        const Quantized xt = quantize_tiles(x2.t());  // [K, M]: X in 128x1 tiles, for Wgrad
        ctx->save_for_backward({xt.data, xt.scale, wq.data, wq.scale});
        ctx->saved_data["x_sizes"] = x.sizes().vec();
        ctx->saved_data["x_dtype"] = static_cast<int64_t>(x.scalar_type());
        auto out_sizes = x.sizes().vec();
        out_sizes.back() = weight.size(0);
        return y.view(out_sizes).to(x.scalar_type());
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const Quantized xt{saved[0], saved[1]}, wq{saved[2], saved[3]};
        const int64_t N = wq.data.size(0);
        const at::Tensor dy = grads[0].reshape({-1, N}).to(at::kFloat);  // [M, N]
        // Dgrad: dX [M, K] = dY [M, N] · W [N, K], contracting N
        const at::Tensor dx = gemm(quantize_tiles(dy), transposed_blocks(wq));
        // Wgrad: dW [N, K] = dYᵀ [N, M] · X [M, K], contracting M
        const at::Tensor dw =
            at::matmul(dequantize_tiles(quantize_tiles(dy.t())), dequantize_tiles(xt).t());
        const auto x_dtype = static_cast<at::ScalarType>(ctx->saved_data["x_dtype"].toInt());
        return {dx.view(ctx->saved_data["x_sizes"].toIntVector()).to(x_dtype), dw};
    }
};

}  // namespace

at::Tensor linear_train(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
    // autograd Functions take no undefined inputs: the bias (a float add, no GEMM) goes outside
    const at::Tensor y = Fp8LinearFunction::apply(x, weight);
    return bias.defined() ? y + bias.to(y.scalar_type()) : y;
}

}  // namespace r1::fp8
