#include "r1/model/decoder_layer.h"

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
        dense_mlp = register_module("mlp", Mlp(MlpOptions{.hidden_size = options.hidden_size,
                                                          .intermediate_size = options.intermediate_size,
                                                          .bias = options.mlp_bias}));
    }
}

LayerOutput DecoderLayerImpl::forward(const at::Tensor& x, const RopeTable& rope, const at::Tensor& mask) {
    // x: [B, S, H]
    const auto normed = input_layernorm(x);
    auto h = x + (mla ? mla(normed, rope, mask) : attention(normed, rope, mask));
    const auto normed2 = post_attention_layernorm(h);
    if (moe) {
        auto out = moe(normed2);
        return {.hidden = h + out.hidden, .aux_loss = out.aux_loss};
    }
    return {.hidden = h + dense_mlp(normed2), .aux_loss = {}};
}

}  // namespace r1::model
