// Mla: DeepSeek's multi-head latent attention (model-spec §2.1-2.2): optional low-rank query,
// compressed KV latent with a decoupled RoPE key shared by all heads, YaRN-scaled softmax.
// Training/prefill path (the "naive" one): K and V are materialised per head.
#pragma once

#include "r1/model/options.h"
#include "r1/model/rms_norm.h"
#include "r1/model/rope.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
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
    /// 1/sqrt(dq) times YaRN's m² (HF yarn_apply_mscale).
    double softmax_scale() const;

    ModelOptions options;
    torch::nn::Linear q_proj{nullptr};  // only without q_lora_rank
    torch::nn::Linear q_a_proj{nullptr};
    RmsNorm q_a_layernorm{nullptr};
    torch::nn::Linear q_b_proj{nullptr};
    torch::nn::Linear kv_a_proj_with_mqa{nullptr};
    RmsNorm kv_a_layernorm{nullptr};
    torch::nn::Linear kv_b_proj{nullptr};
    torch::nn::Linear o_proj{nullptr};
};

TORCH_MODULE(Mla);

}  // namespace r1::model
