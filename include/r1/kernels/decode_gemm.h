// GEMMs for a few rows without autograd, as decoding runs them (one to a few dozen
// tokens against a weight). MKL packs the weight into its own layout on every call, which at a few
// rows costs more than the products, and streams its GEMV at about half of what the cache gives;
// here each weight row is read once, straight from its storage, against all the rows at once.
// Float32 on the CPU.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace r1::kernels {

/// The most rows decode_linear() serves: up to here it beats MKL's packed GEMM on every weight
/// from 64×64 to a 65 MB vocabulary head (r1_bench_model, docs/bench.md).
inline constexpr int64_t kDecodeRowsMax = 64;

/// x·wᵀ + bias for x [..., K] of at most kDecodeRowsMax rows, w [N, K] contiguous, bias [N] or
/// undefined -> [..., N]. No gradient: callers check decode_linear_serves().
at::Tensor decode_linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias);

/// Whether decode_linear() takes these: float32 CPU tensors, no gradient wanted (grad mode off or
/// none requires it), at most kDecodeRowsMax rows, w contiguous, x unit-strided along K.
bool decode_linear_serves(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias);

/// The routed experts of a DeepSeekMoE layer for a few tokens, without autograd:
/// y[t] = Σ_j weights[t, j] · down_e(silu(gate_e·x[t]) ⊙ up_e·x[t]) with e = indices[t, j], the
/// experts' weights packed as gate_up [E, 2I, H] (gate rows, then up) and down [E, H, I]. Each
/// token's terms are added in ascending expert order (as the sorted path's index_add), so the
/// result does not depend on the thread count. x [N, H] float32, indices [N, K] int64, weights
/// [N, K] float32 -> [N, H].
at::Tensor decode_experts(const at::Tensor& x,
                          const at::Tensor& indices,
                          const at::Tensor& weights,
                          const at::Tensor& gate_up,
                          const at::Tensor& down);

namespace detail {

/// y[m, n] = Σ_k x[m, k]·w[n, k] (+ bias[n]) for all m < M and n in [n0, n1), one thread.
struct DecodeGemm {
    const float* x = nullptr;     // [M, K], rows ldx apart
    const float* w = nullptr;     // [N, K], rows ldw apart
    const float* bias = nullptr;  // [N] or null
    float* y = nullptr;           // [M, N], rows ldy apart
    int64_t M = 0, N = 0, K = 0, ldx = 0, ldw = 0, ldy = 0;
};

void decode_gemm(const DecodeGemm& g, int64_t n0, int64_t n1);

}  // namespace detail

}  // namespace r1::kernels
