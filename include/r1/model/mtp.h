// Multi-token prediction (model-spec §4): MtpLayer k predicts token i+k+1 from the previous depth's
// state at i and the embedding of token i+k. Registered like DeepSeek's checkpoint, as decoder
// layer num_hidden_layers + k - 1 (the block's own names plus enorm, hnorm, eh_proj,
// shared_head.norm); embed_tokens and shared_head.head are shared with the main model (the file's
// copies are tied).
#pragma once

#include "r1/model/decoder_layer.h"
#include "r1/model/options.h"
#include "r1/model/rms_norm.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace r1::model {

/// `shared_head` of an MTP layer: its final norm (the head matrix is the main lm_head).
class SharedHeadImpl : public torch::nn::Cloneable<SharedHeadImpl> {
  public:
    explicit SharedHeadImpl(RmsNormOptions options);
    void reset() override;  // registers norm
    RmsNormOptions options;
    RmsNorm norm{nullptr};
};

TORCH_MODULE(SharedHead);

struct MtpOutput {
    at::Tensor hidden;    // h^k [B, S', H] (feeds depth k+1)
    at::Tensor normed;    // shared_head.norm(h^k) [B, S', H] (goes to lm_head)
    at::Tensor aux_loss;  // the block's balance loss, or undefined
};

class MtpLayerImpl : public torch::nn::Cloneable<MtpLayerImpl> {
  public:
    MtpLayerImpl(const ModelOptions& options, int64_t layer_idx);
    /// Registers the decoder block's modules (input_layernorm, self_attn, post_attention_layernorm,
    /// mlp) at this level, then enorm, hnorm, eh_proj [H, 2H] and shared_head.
    void reset() override;
    /// previous [B, S', H] (h^{k-1}_i), embeds [B, S', H] (Emb(t_{i+k})), rope of S' rows, mask
    MtpOutput forward(const at::Tensor& previous,
                      const at::Tensor& embeds,
                      const RopeTable& rope,
                      const at::Tensor& mask);
    /// The same as a cached step over this layer's own cache (speculative drafting): slots
    /// [start, start + S), rope of their positions, mask [B, 1, S, start + S]. No aux loss.
    MtpOutput forward_cached(const at::Tensor& previous,
                             const at::Tensor& embeds,
                             const RopeTable& rope,
                             const at::Tensor& mask,
                             const LayerCache& cache,
                             int64_t start,
                             bool absorb);

    ModelOptions options;
    int64_t layer_idx = 0;
    DecoderLayer block{nullptr};  // not registered itself: its children are registered here
    RmsNorm enorm{nullptr};
    RmsNorm hnorm{nullptr};
    torch::nn::Linear eh_proj{nullptr};
    SharedHead shared_head{nullptr};

  private:
    at::Tensor input(const at::Tensor& previous, const at::Tensor& embeds);  // -> [B, S', H]
};

TORCH_MODULE(MtpLayer);

/// L_MTP = (λ/D)·Σ_k L^k, L^k = −(1/T)·Σ_{valid i} log P^k_i[t_{i+k+1}] (model-spec §4.2), T the
/// count of valid tokens: the report normalises by the full length, not T−k. mtp_logits[k-1] [B,
/// S-k, V] (CausalLmOutput::mtp_logits), input_ids [B, S], attention_mask [B, S] or undefined ->
/// scalar.
at::Tensor mtp_loss(const std::vector<at::Tensor>& mtp_logits,
                    const at::Tensor& input_ids,
                    const at::Tensor& attention_mask,
                    double lambda);

}  // namespace r1::model
