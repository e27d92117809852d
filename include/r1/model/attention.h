// Attention pieces shared by MLA and the dense students: the causal (+ padding) mask, fused
// scaled-dot-product attention (HF eager's numerics), and the dense GQA attention of Qwen2/Llama
// (model-spec §7.1).
#pragma once

#include "r1/model/cache.h"
#include "r1/model/linear.h"
#include "r1/model/options.h"
#include "r1/model/rope.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/options/linear.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <cstdint>

namespace r1::model {

/// Additive mask [B or 1, 1, S, T]: 0 where query s may see key t, the dtype's lowest value
/// elsewhere (as HF). attention_mask [B, T] of 1/0 (T ≥ S; undefined: T = S, no padding) covers
/// every key; the S queries are the last S of them (a cached step), so query s sees keys
/// t ≤ T - S + s that are not padding.
at::Tensor causal_mask(int64_t S, const at::Tensor& attention_mask, at::ScalarType dtype);

/// Document index per token of packed rows [B, S] (0, 1, ...): a new document starts wherever a
/// position id does not follow its left neighbour by one (transformers' packed-sequence rule).
at::Tensor document_ids(const at::Tensor& position_ids);

/// causal_mask() for packed rows: query s sees key t ≤ s of its own document (and not padding).
/// position_ids [B, S] restart at 0 for each document -> [B, 1, S, S]
at::Tensor packed_causal_mask(const at::Tensor& position_ids,
                              const at::Tensor& attention_mask,
                              at::ScalarType dtype);

/// softmax(q·kᵀ·scale + mask) (softmax in float32) · v: r1's fused kernel where it serves
/// (kernels/attention.h: float32/float64 on the CPU), else at::scaled_dot_product_attention.
/// q [B, n, S, dk], k [B, nkv, T, dk], v [B, nkv, T, dv] with n a multiple of nkv (each KV head
/// serves n/nkv query heads: GQA), mask [., 1, S, T] or undefined -> [B, n, S, dv]
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
    /// x [B, S, H] of tokens at slots [start, start + S), rope of their positions
    /// ([B, 1, S, hd/2]), mask [B, 1, S, start + S]. Writes their K and V into `cache`, then
    /// attends over every cached slot.
    at::Tensor forward_cached(const at::Tensor& x,
                              const RopeTable& rope,
                              const at::Tensor& mask,
                              const KvSlots& cache,
                              int64_t start);

    ModelOptions options;
    Linear q_proj{nullptr};
    Linear k_proj{nullptr};
    Linear v_proj{nullptr};
    Linear o_proj{nullptr};

  private:
    /// q [B, nh, S, hd], k and v [B, nkv, S, hd] (q and k rotated)
    std::array<at::Tensor, 3> project(const at::Tensor& x, const RopeTable& rope);
    /// attention of q over k, v [B, nkv, T, hd] (each KV head serving its group) -> [B, S, H]
    at::Tensor attend(const at::Tensor& q,
                      const at::Tensor& k,
                      const at::Tensor& v,
                      const at::Tensor& mask);
};

TORCH_MODULE(Attention);

}  // namespace r1::model
