// The FP8 GEMM of DeepSeek-V3 on the CPU: C[M,N] = A[M,K] · B[N,K]ᵀ with A quantised per 1x128
// tile and B per 128x128 block (quantize.h), float32 sums per 128-wide K block promoted with their
// scales into a float32 total (model-spec §5.2, §5.4). Hand-written kernels per instruction set
// (kernel.h), threaded over N (and M when N alone cannot feed the threads).
#pragma once

#include "r1/fp8/dispatch.h"
#include "r1/fp8/quantize.h"

#include <ATen/core/Tensor.h>

namespace r1::fp8 {

struct GemmOptions {
    Kernel kernel = Kernel::automatic;
    at::ScalarType out_dtype =
        at::kFloat;  ///< kFloat, or kBFloat16 (the float32 result rounded once)
};

/// a: data [M, K] with tile scales [M, ceil(K/128)] (an activation); b: data [N, K] with block
/// scales [ceil(N/128), ceil(K/128)] (a weight and its weight_scale_inv). Returns C [M, N].
at::Tensor gemm(const Quantized& a, const Quantized& b, const GemmOptions& options = {});

/// The same into `out`, a contiguous float32 [M, N] tensor whose every element is overwritten.
void gemm_out(const at::Tensor& out,
              const Quantized& a,
              const Quantized& b,
              Kernel kernel = Kernel::automatic);

/// DeepSeek's linear() with gemm_impl = "fp8" (model-spec §5.4), without bias: x [..., K] is
/// quantised per 1x128 tile on the fly (act_quant), weight is [N, K] with its block scales (a
/// checkpoint's weight and weight_scale_inv). Returns [..., N].
at::Tensor linear(const at::Tensor& x, const Quantized& weight, const GemmOptions& options = {});

}  // namespace r1::fp8
