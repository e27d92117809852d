// Decoder (embed_tokens, layers, norm) and CausalLm (model + lm_head) for DeepSeek-V3, Qwen2 and
// Llama, named like HF's *ForCausalLM so named_parameters() are the checkpoint keys. DeepSeek's MTP
// layers sit after the main layers (model.layers.{L..L+D-1}), as in DeepSeek's checkpoint.
#pragma once

#include "r1/model/cache.h"
#include "r1/model/decoder_layer.h"
#include "r1/model/moe.h"
#include "r1/model/mtp.h"
#include "r1/model/options.h"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace r1::model {

struct ForwardOptions {
    bool mtp = false;       // also run the D multi-token-prediction layers
    bool autocast = false;  // CPU autocast to bfloat16 (float32 master weights; router, norms and
                            // softmax stay float32)
    /// [B, S] int64 positions per row; undefined: 0..S-1. Packed rows restart at 0 for each
    /// document, and attention then stays inside each document (packed_causal_mask()).
    at::Tensor position_ids;
    /// NEFTune (Jain et al., 2023): uniform noise in ±alpha/sqrt(S·H) added to the embeddings,
    /// drawn from `noise` (training only). 0: off.
    double neftune_alpha = 0.0;
    std::optional<at::Generator> noise;
};

struct DecoderOutput {
    at::Tensor hidden;            // [B, S, H] after model.norm
    std::vector<at::Tensor> mtp;  // depth k = 1..D: shared_head.norm(h^k) [B, S-k, H]
    at::Tensor aux_loss;          // Σ over MoE layers of the balance loss, or undefined
};

class DecoderImpl : public torch::nn::Cloneable<DecoderImpl> {
  public:
    explicit DecoderImpl(const ModelOptions& options);
    void reset() override;  // registers embed_tokens, layers (L decoder + D MTP), norm
    /// input_ids [B, S] int64, attention_mask [B, S] of 1/0 or undefined (no padding).
    /// MTP depth k sees positions 0..S-k-1, keys masked by attention_mask[:, k:].
    DecoderOutput forward(const at::Tensor& input_ids,
                          const at::Tensor& attention_mask = {},
                          ForwardOptions forward_options = {});

    /// One cached prefill or decode step of the main layers (no MTP): input_ids [B, S] at slots
    /// [step.start, step.start + S); cache[i] is layer i's buffers. -> hidden [B, S, H] after norm
    at::Tensor forward_cached(const at::Tensor& input_ids,
                              const CachedStep& step,
                              const std::vector<LayerCache>& cache);

    /// embed_tokens, plus NEFTune's noise when asked for while training -> [B, S, H]
    at::Tensor embed(const at::Tensor& input_ids, const ForwardOptions& forward_options);

    DecoderLayerImpl& layer(int64_t i);  // i < num_hidden_layers
    MtpLayerImpl& mtp_layer(int64_t k);  // k < num_nextn_predict_layers (index L + k)
    std::vector<Moe> moe_layers();       // every MoE layer, MTP included (for load stats / bias)

    ModelOptions options;
    torch::nn::Embedding embed_tokens{nullptr};
    torch::nn::ModuleList layers{nullptr};
    RmsNorm norm{nullptr};
};

TORCH_MODULE(Decoder);

struct CausalLmOutput {
    at::Tensor logits;                   // [B, S, V]
    std::vector<at::Tensor> mtp_logits;  // depth k = 1..D: [B, S-k, V] (predicts t_{i+k+1})
    at::Tensor aux_loss;                 // summed balance loss (training, alpha > 0) or undefined
};

class CausalLmImpl : public torch::nn::Cloneable<CausalLmImpl> {
  public:
    explicit CausalLmImpl(const ModelOptions& options);
    void reset() override;  // registers model and, unless tie_word_embeddings, lm_head
    CausalLmOutput forward(const at::Tensor& input_ids,
                           const at::Tensor& attention_mask = {},
                           ForwardOptions forward_options = {});
    /// Decoder::forward_cached then the head -> logits [B, S, V]
    at::Tensor forward_cached(const at::Tensor& input_ids,
                              const CachedStep& step,
                              const std::vector<LayerCache>& cache);
    at::Tensor head(const at::Tensor& hidden);  // [..., H] -> [..., V]
    /// Sets the sequence-wise balance-loss weight of every MoE layer (0 = off).
    void set_balance_loss_alpha(double alpha);
    /// Recompute each main decoder layer's activations in backward (training only); per layer via
    /// model->layer(i).activation_checkpointing.
    void set_activation_checkpointing(bool enabled);

    ModelOptions options;
    Decoder model{nullptr};
    torch::nn::Linear lm_head{nullptr};  // empty when tied to model.embed_tokens
};

TORCH_MODULE(CausalLm);

}  // namespace r1::model
