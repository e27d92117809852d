// Fused forward/backward pairs for the elementwise hot spots of training (llm.c's layer kernels):
// each replaces 5-15 ATen ops and their autograd nodes by one pass forward and one backward.
// float32 and float64 (CPU, any device falls back); other dtypes take the composite ops, whose
// numerics these match up to rounding (sums run over eight partial sums in the input's dtype).
#pragma once

#include <ATen/core/Tensor.h>

namespace r1::kernels {

/// RMSNorm w ⊙ x / sqrt(mean(x²) + eps) over the last dim (HF DeepseekV3RMSNorm's order of
/// operations). x [..., D], weight [D] -> [..., D].
at::Tensor fused_rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

/// SwiGLU silu(gate) ⊙ up. gate, up [..., F] -> [..., F].
at::Tensor fused_swiglu(const at::Tensor& gate, const at::Tensor& up);

/// SwiGLU of a packed [..., 2F] (gate columns, then up: a gate_up GEMM's output) -> [..., F]; the
/// gradient comes back packed, with no zero-filled halves. With row_scale (one per row, any shape
/// of that many elements) each row is also scaled, and row_scale gets its gradient: the routed
/// experts' weights, applied before their linear down projections instead of after them.
at::Tensor fused_swiglu_packed(const at::Tensor& gate_up, const at::Tensor& row_scale = {});

/// RoPE of x [B, H, T, d] (any strides, unit along d) by cos/sin [T, d/2] or [B or 1, 1, T, d/2]
/// (any strides: the real and imaginary views of a complex table serve): pairs (2i, 2i+1) when
/// `interleaved`, else (i, i + d/2). Returns a contiguous [B, H, T, d]; its gradient is the
/// rotation back. The composite is rope.h's apply_rope, which calls this where it serves.
at::Tensor fused_rope(const at::Tensor& x,
                      const at::Tensor& cos,
                      const at::Tensor& sin,
                      bool interleaved);

/// Whether fused_rope takes these operands (float32/float64 CPU, shapes as above).
bool fused_rope_serves(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

/// Whether the fused kernels serve tensors of this kind (float32/float64 on the CPU).
bool fusable(const at::Tensor& t);

}  // namespace r1::kernels
