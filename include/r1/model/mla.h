// Mla: DeepSeek's multi-head latent attention (model-spec §2.1-2.2): optional low-rank query,
// compressed KV latent with a decoupled RoPE key shared by all heads, YaRN-scaled softmax.
// forward() is the training path (the "naive" one: K and V materialised per head); forward_cached()
// runs a prefill or decode step against a latent cache, absorbed (§2.4) or naive.
#pragma once

#include "r1/model/cache.h"
#include "r1/model/linear.h"
#include "r1/model/options.h"
#include "r1/model/rms_norm.h"
#include "r1/model/rope.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/options/linear.h>
#include <torch/nn/pimpl.h>

namespace r1::model {

class MlaImpl : public torch::nn::Cloneable<MlaImpl> {
  public:
    explicit MlaImpl(const ModelOptions& options);
    /// Registers q_a_proj, q_a_layernorm, q_b_proj (or q_proj when q_lora_rank is null),
    /// kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj, o_proj.
    void reset() override;
    /// x [B, S, H], rope table of S rows (interleaved), mask from causal_mask() -> [B, S, H]
    at::Tensor forward(const at::Tensor& x, const RopeTable& rope, const at::Tensor& mask);
    /// x [B, S, H] of tokens at slots [start, start + S), rope table of their positions ([B, 1, S,
    /// dr/2], rope_table_rows), mask [B, 1, S, start + S] from causal_mask(). Writes c_kv and k_pe
    /// of the S tokens into `cache`, then attends over every cached slot. -> [B, S, H]
    at::Tensor forward_cached(const at::Tensor& x,
                              const RopeTable& rope,
                              const at::Tensor& mask,
                              const LatentSlots& cache,
                              int64_t start,
                              bool absorb);
    /// 1/sqrt(dq) times YaRN's m² (HF yarn_apply_mscale).
    double softmax_scale() const;

    ModelOptions options;
    Linear q_proj{nullptr};  // only without q_lora_rank
    Linear q_a_proj{nullptr};
    RmsNorm q_a_layernorm{nullptr};
    Linear q_b_proj{nullptr};
    Linear kv_a_proj_with_mqa{nullptr};
    RmsNorm kv_a_layernorm{nullptr};
    Linear kv_b_proj{nullptr};
    Linear o_proj{nullptr};

  private:
    struct Projected {
        at::Tensor q_nope;  // [B, nh, S, dn]
        at::Tensor q_pe;    // [B, nh, S, dr], rotated
        at::Tensor c_kv;    // [B, S, rkv], normalised
        at::Tensor k_pe;    // [B, 1, S, dr], rotated
    };

    Projected project(const at::Tensor& x, const RopeTable& rope);
    /// Whether project() runs q_a_proj and kv_a_proj_with_mqa as one GEMM (with grad, dense,
    /// bias-free weights of one dtype).
    bool fuse_down_projections() const;
    /// Naive attention over latents c_kv [B, T, rkv] and k_pe [B, 1, T, dr] -> o [B, nh, S, dv]
    at::Tensor attend_expanded(const Projected& p,
                               const at::Tensor& c_kv,
                               const at::Tensor& k_pe,
                               const at::Tensor& mask);
    /// The same in latent space (kv_b_proj folded into the query and the output) over c_kv
    /// [B, T, rkv] and key [B, T, rkv + dr] = [c_kv; k_pe] -> [B, nh, S, dv]
    at::Tensor attend_absorbed(const Projected& p,
                               const at::Tensor& c_kv,
                               const at::Tensor& key,
                               const at::Tensor& mask);
};

TORCH_MODULE(Mla);

}  // namespace r1::model
