// The routed experts' sum, y_n = Σ_k w[n,k]·Expert_{i[n,k]}(x_n) with SwiGLU experts, over the
// experts' stacked weights, in the fastest of r1's three forms for the call:
//   every expert on every token (no grad, E ≤ 2K): one GEMM, one SwiGLU, one batched GEMM, where
//       sorting tokens by expert costs more than the extra FLOPs;
//   decode (no grad, ≤ 16 tokens per expert on average, float32 CPU): decode_experts() streams
//       each active expert's weights once;
//   grouped (training, or float32 CPU): tokens permuted into expert order, two grouped GEMMs for
//       all experts (one autograd node each), then back.
// model::Moe calls routed_experts() and runs DeepSeek's loop over experts when it returns nullopt.
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>

namespace r1::kernels {

struct ExpertWeights {
    at::Tensor gate_up;  // [E, 2I, H]: expert e's gate rows, then its up rows
    at::Tensor down;     // [E, H, I]
};

/// x [N, H], indices [N, K] int64, weights [N, K] float32, counts [E] int64 (tokens per expert,
/// on x's device) -> y [N, H], differentiable in x and the expert weights; nullopt when no form
/// serves these operands.
std::optional<at::Tensor> routed_experts(const at::Tensor& x,
                                         const at::Tensor& indices,
                                         const at::Tensor& weights,
                                         const at::Tensor& counts,
                                         const ExpertWeights& experts);

}  // namespace r1::kernels
