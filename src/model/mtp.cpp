#include "r1/model/mtp.h"

namespace r1::model {

SharedHeadImpl::SharedHeadImpl(RmsNormOptions options_) : options(options_) {
    reset();
}

void SharedHeadImpl::reset() {
    norm = register_module("norm", RmsNorm(options));
}

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
    eh_proj = register_module("eh_proj",
                              torch::nn::Linear(torch::nn::LinearOptions(2 * H, H).bias(false)));
    shared_head = register_module("shared_head", SharedHead(norm));
}

MtpOutput MtpLayerImpl::forward(const at::Tensor& previous,
                                const at::Tensor& embeds,
                                const RopeTable& rope,
                                const at::Tensor& mask) {
    auto out = block(input(previous, embeds), rope, mask);
    return {
        .hidden = out.hidden, .normed = shared_head->norm(out.hidden), .aux_loss = out.aux_loss};
}

MtpOutput MtpLayerImpl::forward_cached(const at::Tensor& previous,
                                       const at::Tensor& embeds,
                                       const RopeTable& rope,
                                       const at::Tensor& mask,
                                       const LayerCache& cache,
                                       int64_t start,
                                       bool absorb) {
    const auto hidden =
        block->forward_cached(input(previous, embeds), rope, mask, cache, start, absorb);
    return {.hidden = hidden, .normed = shared_head->norm(hidden), .aux_loss = {}};
}

at::Tensor MtpLayerImpl::input(const at::Tensor& previous, const at::Tensor& embeds) {
    // Concat order [embedding; hidden], as vLLM and Megatron (model-spec §4.1, §8.1): columns
    // 0..H-1 of eh_proj multiply the token embedding.
    return eh_proj(torch::cat({enorm(embeds), hnorm(previous)}, -1));  // [B, S', H]
}

at::Tensor mtp_loss(const std::vector<at::Tensor>& mtp_logits,
                    const at::Tensor& input_ids,
                    const at::Tensor& attention_mask,
                    double lambda) {
    TORCH_CHECK(!mtp_logits.empty(), "mtp_loss: no MTP logits (forward with {.mtp = true})");
    const int64_t S = input_ids.size(1);
    const auto valid = attention_mask.defined() ? attention_mask.to(torch::kFloat64)
                                                : torch::ones(input_ids.sizes(), torch::kFloat64);
    const auto T = valid.sum().clamp_min(1.0);
    at::Tensor total;
    for (size_t d = 0; d < mtp_logits.size(); ++d) {
        const int64_t k = static_cast<int64_t>(d) + 1;
        if (S - k - 1 <= 0) {
            continue;  // no position has a target at this depth
        }
        const auto logits =
            mtp_logits[d].slice(1, 0, S - k - 1);  // [B, S-k-1, V]: the last has no target
        const auto targets = input_ids.slice(1, k + 1).unsqueeze(-1);  // [B, S-k-1, 1] = t_{i+k+1}
        const auto logp =
            torch::log_softmax(logits, -1, at::promote_types(logits.scalar_type(), torch::kFloat32))
                .gather(-1, targets)
                .squeeze(-1);
        const auto loss =
            -(logp * valid.slice(1, k + 1).to(logp.scalar_type())).sum() / T.to(logp.scalar_type());
        total = total.defined() ? total + loss : loss;
    }
    if (!total.defined()) {
        return torch::zeros({}, mtp_logits[0].options());
    }
    return total * (lambda / static_cast<double>(mtp_logits.size()));
}

}  // namespace r1::model
