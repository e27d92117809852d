// The routed experts' GEMM with autograd, over tokens sorted by expert. On float32 CPU
// tensors (AVX2) one gemm_batch() call does every group's product forward, and another both
// gradients backward; elsewhere it is at::_grouped_mm.
#pragma once

#include <ATen/core/Tensor.h>

namespace r1::kernels {

/// y[r] = x[r]·w[e]ᵀ for each row r of group e, groups in order: group e's rows end at ends[e]
/// (int32, cumulative, as at::_grouped_mm takes them). x [T, K], w [E, N, K] -> [T, N];
/// differentiable in x and w.
at::Tensor grouped_linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& ends);

/// Whether grouped_linear() runs its own kernels on these (float32 CPU tensors, an AVX2 CPU, no
/// autocast); it falls back to at::_grouped_mm otherwise.
bool grouped_linear_own_kernels(const at::Tensor& x, const at::Tensor& w);

}  // namespace r1::kernels
