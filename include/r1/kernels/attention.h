// Scaled dot-product attention as one fused forward and one fused backward kernel for the CPU.
// ATen's math path (the CPU's only one for MLA's unequal q/v head dims) makes about a dozen passes
// over [B, n, S, T] tensors per call, plus batched GEMMs too small for MKL to run well and a
// check of the mask for fully masked rows. Here each (batch row, KV head) pair is one work item
// whose block of scores stays in L2: scores, softmax and both products forward; dP, dS, dQ, dK and
// dV backward, each a register-tiled small GEMM that skips what the mask hides.
#pragma once

#include <ATen/core/Tensor.h>

namespace r1::kernels {

/// softmax(q·kᵀ·scale + mask)·v, the softmax in the inputs' dtype (float32 or float64, as
/// HF's eager attention for float32). q [B, nh, S, dk]; k [B, nkv, T, dk] and v [B, nkv, T, dv]
/// with nh a multiple of nkv: KV head j serves query heads j·nh/nkv onwards (GQA; nkv = 1 is
/// MQA, as MLA's absorbed decode), read in place through their strides (a cache slice is not
/// copied); mask additive [B or 1, 1, S, T] or undefined -> [B, nh, S, dv]. With grad, the
/// probabilities [B, nh, S, T] are kept for backward (as the math path keeps them); without,
/// nothing is. The mask takes no gradient.
at::Tensor fused_attention(const at::Tensor& q,
                           const at::Tensor& k,
                           const at::Tensor& v,
                           const at::Tensor& mask,
                           double scale);

/// Whether fused_attention() serves these operands: CPU, one dtype of float32/float64 for all
/// of them, and a mask that needs no gradient.
bool fused_attention_serves(const at::Tensor& q,
                            const at::Tensor& k,
                            const at::Tensor& v,
                            const at::Tensor& mask);

}  // namespace r1::kernels
