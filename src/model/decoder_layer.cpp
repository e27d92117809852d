#include "r1/model/decoder_layer.h"

#include "r1/model/recompute.h"

namespace r1::model {

DecoderLayerImpl::DecoderLayerImpl(const ModelOptions& options_, int64_t layer_idx_)
    : options(options_), layer_idx(layer_idx_) {
    reset();
}

void DecoderLayerImpl::reset() {
    const RmsNormOptions norm{.dim = options.hidden_size, .eps = options.rms_norm_eps};
    input_layernorm = register_module("input_layernorm", RmsNorm(norm));
    if (options.is_deepseek()) {
        mla = register_module("self_attn", Mla(options));
    } else {
        attention = register_module("self_attn", Attention(options));
    }
    post_attention_layernorm = register_module("post_attention_layernorm", RmsNorm(norm));
    if (options.is_moe_layer(layer_idx)) {
        moe = register_module("mlp", Moe(options));
    } else {
        dense_mlp =
            register_module("mlp", Mlp(MlpOptions{.hidden_size = options.hidden_size,
                                                  .intermediate_size = options.intermediate_size,
                                                  .bias = options.mlp_bias}));
    }
}

LayerOutput DecoderLayerImpl::forward(const at::Tensor& x,
                                      const RopeTable& rope,
                                      const at::Tensor& mask) {
    // x: [B, S, H]
    const auto normed = input_layernorm(x);
    return feed_forward(x, mla ? mla(normed, rope, mask) : attention(normed, rope, mask));
}

at::Tensor DecoderLayerImpl::forward_cached(const at::Tensor& x,
                                            const RopeTable& rope,
                                            const at::Tensor& mask,
                                            const LayerCache& cache,
                                            int64_t start,
                                            bool absorb) {
    const auto normed = input_layernorm(x);
    const auto attn_out =
        mla ? mla->forward_cached(normed, rope, mask, std::get<LatentSlots>(cache), start, absorb)
            : attention->forward_cached(normed, rope, mask, std::get<KvSlots>(cache), start);
    return feed_forward(x, attn_out).hidden;
}

LayerOutput DecoderLayerImpl::feed_forward(const at::Tensor& x, const at::Tensor& attn_out) {
    const auto h = x + attn_out;  // [B, S, H]
    const auto normed = post_attention_layernorm(h);
    if (moe) {
        auto out = moe(normed);
        return {.hidden = h + out.hidden, .aux_loss = out.aux_loss};
    }
    return {.hidden = h + dense_mlp(normed), .aux_loss = {}};
}

LayerOutput DecoderLayerImpl::forward_checkpointed(const at::Tensor& x,
                                                   const RopeTable& rope,
                                                   const at::Tensor& mask) {
    auto self = std::dynamic_pointer_cast<DecoderLayerImpl>(shared_from_this());
    auto fn = [self, rope, mask](const at::Tensor& input) -> std::vector<at::Tensor> {
        // the recomputation in backward must not count the tokens' routing a second time
        const auto load = self->moe ? self->moe->expert_load() : at::Tensor();
        auto out = self->forward(input, rope, mask);
        if (self->moe && torch::GradMode::is_enabled()) {
            self->moe->restore_expert_load(load);
        }
        return {out.hidden, out.aux_loss};
    };
    const bool has_aux = moe && moe->is_training() && moe->balance_loss_alpha > 0.0;
    auto outputs = checkpointed(fn, x);
    return {.hidden = outputs[0], .aux_loss = has_aux ? outputs[1] : at::Tensor()};
}

}  // namespace r1::model
