// FP8 training of one linear layer as DeepSeek-V3 trains it (model-spec §5.2): y = x·Wᵀ + b whose
// three GEMMs all take E4M3 operands with fine-grained scales and accumulate in float32, while the
// weight itself stays a float32 master parameter (re-quantised per 128x128 block at every call).
//   Fprop  y  = X_q · W_qᵀ     X per 1x128 tile along K,  W per 128x128 block  (fp8::gemm)
//   Dgrad  dX = dY_q · W_q     dY per 1x128 tile along N, the same W blocks     (fp8::gemm)
//   Wgrad  dW = dY_qᵀ · X_q    dY and X per 128x1 tile along M (the tokens)
// Wgrad's operands are both tile-scaled; fp8::gemm takes a block-scaled B only, so Wgrad multiplies
// the dequantised E4M3 values in float32 (the same FP8-rounded operands, float32 accumulation; on
// the CPU the FP8 kernels widen to bf16/fp32 anyway). X is quantised along M from the float input
// in the forward pass and kept in FP8 for the backward pass, as DeepSeek caches it.
#pragma once

#include <ATen/core/Tensor.h>

namespace r1::fp8 {

/// x [..., K] (float32 or bf16; the result has x's dtype), weight [N, K] float32 (requires grad
/// to be trained), bias [N] or undefined. Differentiable in x, weight and bias. -> [..., N]
at::Tensor linear_train(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace r1::fp8
