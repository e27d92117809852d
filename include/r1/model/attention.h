// Attention pieces shared by MLA and the dense students: the causal (+ padding) mask, eager
// scaled-dot-product attention as HF computes it, and the dense GQA attention of Qwen2/Llama
// (model-spec §7.1).
#pragma once

#include "r1/model/options.h"
#include "r1/model/rope.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace r1::model {

/// Additive mask [B or 1, 1, S, S]: 0 where query s may see key t (t ≤ s and, given
/// attention_mask [B, S] of 1/0, key t is not padding), the dtype's lowest value elsewhere (as HF).
at::Tensor causal_mask(int64_t S, const at::Tensor& attention_mask, at::ScalarType dtype);

/// softmax(q·kᵀ·scale + mask) (softmax in float32) · v.
/// q [B, n, S, dk], k [B, n, T, dk], v [B, n, T, dv], mask [., 1, S, T] or undefined -> [B, n, S,
/// dv]
at::Tensor attention(const at::Tensor& q,
                     const at::Tensor& k,
                     const at::Tensor& v,
                     const at::Tensor& mask,
                     double scale);

/// Dense grouped-query attention (Qwen2 biases on q/k/v, Llama none), half-split RoPE.
class AttentionImpl : public torch::nn::Cloneable<AttentionImpl> {
  public:
    explicit AttentionImpl(const ModelOptions& options);
    void reset() override;  // registers q_proj, k_proj, v_proj, o_proj
    /// x [B, S, H], table of S rows, mask from causal_mask() -> [B, S, H]
    at::Tensor forward(const at::Tensor& x, const RopeTable& rope, const at::Tensor& mask);

    ModelOptions options;
    torch::nn::Linear q_proj{nullptr};
    torch::nn::Linear k_proj{nullptr};
    torch::nn::Linear v_proj{nullptr};
    torch::nn::Linear o_proj{nullptr};
};

TORCH_MODULE(Attention);

}  // namespace r1::model
