#include "r1/model/mtp.h"

namespace r1::model {

SharedHeadImpl::SharedHeadImpl(RmsNormOptions options_) : options(options_) { reset(); }

void SharedHeadImpl::reset() { norm = register_module("norm", RmsNorm(options)); }

MtpLayerImpl::MtpLayerImpl(const ModelOptions& options_, int64_t layer_idx_)
    : options(options_), layer_idx(layer_idx_) {
    reset();
}

void MtpLayerImpl::reset() {
    block = DecoderLayer(options, layer_idx);
    for (const auto& child : block->named_children()) {
        register_module(child.key(), child.value());
    }
    const RmsNormOptions norm{.dim = options.hidden_size, .eps = options.rms_norm_eps};
    enorm = register_module("enorm", RmsNorm(norm));
    hnorm = register_module("hnorm", RmsNorm(norm));
    const int64_t H = options.hidden_size;
    eh_proj = register_module("eh_proj", torch::nn::Linear(torch::nn::LinearOptions(2 * H, H).bias(false)));
    shared_head = register_module("shared_head", SharedHead(norm));
}

MtpOutput MtpLayerImpl::forward(const at::Tensor& previous,
                                const at::Tensor& embeds,
                                const RopeTable& rope,
                                const at::Tensor& mask) {
    // Concat order [embedding; hidden], as vLLM and Megatron (model-spec §4.1, §8.1): columns
    // 0..H-1 of eh_proj multiply the token embedding.
    const auto x = eh_proj(torch::cat({enorm(embeds), hnorm(previous)}, -1));  // [B, S', H]
    auto out = block(x, rope, mask);
    return {.hidden = out.hidden, .normed = shared_head->norm(out.hidden), .aux_loss = out.aux_loss};
}

}  // namespace r1::model
