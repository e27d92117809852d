// DecoderLayer: pre-norm block h += attn(input_layernorm(h)); h +=
// mlp(post_attention_layernorm(h)), with MLA + (dense Mlp or Moe) for DeepSeek-V3 and GQA attention
// + Mlp for Qwen2/Llama.
#pragma once

#include "r1/model/attention.h"
#include "r1/model/cache.h"
#include "r1/model/mla.h"
#include "r1/model/mlp.h"
#include "r1/model/moe.h"
#include "r1/model/options.h"
#include "r1/model/rms_norm.h"
#include "r1/model/rope.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace r1::model {

struct LayerOutput {
    at::Tensor hidden;    // [B, S, H]
    at::Tensor aux_loss;  // scalar balance loss of a MoE layer in training, else undefined
};

class DecoderLayerImpl : public torch::nn::Cloneable<DecoderLayerImpl> {
  public:
    DecoderLayerImpl(const ModelOptions& options, int64_t layer_idx);
    /// Registers input_layernorm, self_attn, post_attention_layernorm, mlp (HF names). The typed
    /// members below hold whichever kind of self_attn / mlp this layer has; the others stay empty.
    void reset() override;
    /// x [B, S, H], rope table of S rows, mask from causal_mask() -> [B, S, H]
    LayerOutput forward(const at::Tensor& x, const RopeTable& rope, const at::Tensor& mask);

    /// A cached prefill/decode step (see Mla/Attention::forward_cached): x [B, S, H] at slots
    /// [start, start + S), rope of their positions, mask [B, 1, S, start + S] -> [B, S, H]
    at::Tensor forward_cached(const at::Tensor& x,
                              const RopeTable& rope,
                              const at::Tensor& mask,
                              const LayerCache& cache,
                              int64_t start,
                              bool absorb);

    /// forward() through checkpointed() when training with grad: activations recomputed in
    /// backward.
    LayerOutput forward_checkpointed(const at::Tensor& x,
                                     const RopeTable& rope,
                                     const at::Tensor& mask);

    ModelOptions options;
    int64_t layer_idx = 0;
    bool activation_checkpointing = false;  // used by Decoder in training
    RmsNorm input_layernorm{nullptr};
    Mla mla{nullptr};              // "self_attn" of DeepSeek-V3
    Attention attention{nullptr};  // "self_attn" of Qwen2/Llama
    RmsNorm post_attention_layernorm{nullptr};
    Mlp dense_mlp{nullptr};  // "mlp" of dense layers
    Moe moe{nullptr};        // "mlp" of MoE layers (layer_idx >= first_k_dense_replace)

  private:
    /// h = x + attn_out; h + mlp(post_attention_layernorm(h))
    LayerOutput feed_forward(const at::Tensor& x, const at::Tensor& attn_out);
};

TORCH_MODULE(DecoderLayer);

}  // namespace r1::model
