#include "r1/model/causal_lm.h"

#include "r1/kernels/decode_gemm.h"
#include "r1/model/attention.h"
#include "r1/model/rope.h"

#include <ATen/autocast_mode.h>

#include <cmath>
#include <optional>

namespace r1::model {

namespace {

// CPU autocast for the scope (restores the previous state; clears the cast cache on exit).
class AutocastGuard {
  public:
    explicit AutocastGuard(at::ScalarType dtype)
        : enabled_(at::autocast::is_autocast_enabled(at::kCPU)),
          dtype_(at::autocast::get_autocast_dtype(at::kCPU)) {
        at::autocast::set_autocast_enabled(at::kCPU, true);
        at::autocast::set_autocast_dtype(at::kCPU, dtype);
        at::autocast::increment_nesting();
    }

    AutocastGuard(const AutocastGuard&) = delete;
    AutocastGuard& operator=(const AutocastGuard&) = delete;

    ~AutocastGuard() {
        if (at::autocast::decrement_nesting() == 0) {
            at::autocast::clear_cache();
        }
        at::autocast::set_autocast_enabled(at::kCPU, enabled_);
        at::autocast::set_autocast_dtype(at::kCPU, dtype_);
    }

  private:
    bool enabled_;
    at::ScalarType dtype_;
};

at::Tensor add_loss(const at::Tensor& total, const at::Tensor& loss) {
    if (!loss.defined()) {
        return total;
    }
    return total.defined() ? total + loss : loss;
}

}  // namespace

DecoderImpl::DecoderImpl(const ModelOptions& options_) : options(options_) {
    reset();
}

void DecoderImpl::reset() {
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(torch::nn::EmbeddingOptions(
                                                       options.vocab_size, options.hidden_size)));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < options.num_hidden_layers; ++i) {
        layers->push_back(DecoderLayer(options, i));
    }
    const int64_t D = options.is_deepseek() ? options.num_nextn_predict_layers : 0;
    for (int64_t k = 0; k < D; ++k) {
        layers->push_back(MtpLayer(options, options.num_hidden_layers + k));
    }
    norm = register_module(
        "norm", RmsNorm(RmsNormOptions{.dim = options.hidden_size, .eps = options.rms_norm_eps}));
    torch::NoGradGuard no_grad;
    embed_tokens->weight.normal_(0.0, options.initializer_range);
}

DecoderLayerImpl& DecoderImpl::layer(int64_t i) {
    return *layers[i]->as<DecoderLayerImpl>();
}

MtpLayerImpl& DecoderImpl::mtp_layer(int64_t k) {
    return *layers[options.num_hidden_layers + k]->as<MtpLayerImpl>();
}

std::vector<Moe> DecoderImpl::moe_layers() {
    std::vector<Moe> result;
    for (const auto& module : layers->children()) {
        for (const auto& child : module->named_children()) {
            if (auto moe = std::dynamic_pointer_cast<MoeImpl>(child.value())) {
                result.emplace_back(moe);
            }
        }
    }
    return result;
}

at::Tensor DecoderImpl::embed(const at::Tensor& input_ids, const ForwardOptions& forward_options) {
    auto embeds = embed_tokens(input_ids);  // [B, S, H]
    if (forward_options.neftune_alpha > 0 && is_training()) {
        // NEFTune's magnitude: alpha / sqrt(sequence length · hidden size), as TRL/transformers
        const double dims = static_cast<double>(input_ids.size(1) * options.hidden_size);
        const double magnitude = forward_options.neftune_alpha / std::sqrt(dims);
        auto noise = torch::empty_like(embeds, at::MemoryFormat::Contiguous);
        noise.uniform_(-magnitude, magnitude, forward_options.noise);
        embeds = embeds + noise;
    }
    return embeds;
}

DecoderOutput DecoderImpl::forward(const at::Tensor& input_ids,
                                   const at::Tensor& attention_mask,
                                   ForwardOptions forward_options) {
    const int64_t S = input_ids.size(1);
    TORCH_CHECK(!attention_mask.defined() || attention_mask.sizes() == input_ids.sizes(),
                "attention_mask ", attention_mask.sizes(), " must match input_ids ",
                input_ids.sizes());
    const auto& positions = forward_options.position_ids;
    TORCH_CHECK(
        !positions.defined() || (positions.sizes() == input_ids.sizes() && !forward_options.mtp),
        "position_ids ", positions.sizes(), " must match input_ids ", input_ids.sizes(),
        " (and MTP takes none)");
    const auto embeds = embed(input_ids, forward_options);  // [B, S, H]
    const auto rope =
        positions.defined()
            ? rope_table_rows(options, positions, embeds.scalar_type())
            : rope_table(options, torch::arange(S, torch::kInt64), embeds.scalar_type());
    DecoderOutput out;
    auto h = embeds;
    const auto mask = positions.defined()
                          ? packed_causal_mask(positions, attention_mask, h.scalar_type())
                          : causal_mask(S, attention_mask, h.scalar_type());
    for (int64_t i = 0; i < options.num_hidden_layers; ++i) {
        auto& block = layer(i);
        const bool recompute =
            block.activation_checkpointing && is_training() && torch::GradMode::is_enabled();
        auto layer_out =
            recompute ? block.forward_checkpointed(h, rope, mask) : block.forward(h, rope, mask);
        h = layer_out.hidden;
        out.aux_loss = add_loss(out.aux_loss, layer_out.aux_loss);
    }
    out.hidden = norm(h);  // [B, S, H]; also h^0 of the MTP chain (vLLM's tap point, spec §4.1)
    const int64_t D =
        forward_options.mtp && options.is_deepseek() ? options.num_nextn_predict_layers : 0;
    auto previous = out.hidden;
    for (int64_t k = 1; k <= D && k < S; ++k) {
        const int64_t n = S - k;  // positions i = 0..S-k-1 predict t_{i+k+1}
        const RopeTable sub{
            .cos = rope.cos.slice(0, 0, n), .sin = rope.sin.slice(0, 0, n), .layout = rope.layout};
        const auto sub_mask =
            causal_mask(n, attention_mask.defined() ? attention_mask.slice(1, k) : at::Tensor(),
                        h.scalar_type());
        auto mtp_out =
            mtp_layer(k - 1).forward(previous.slice(1, 0, n), embeds.slice(1, k), sub, sub_mask);
        out.mtp.push_back(mtp_out.normed);
        out.aux_loss = add_loss(out.aux_loss, mtp_out.aux_loss);
        previous = mtp_out.hidden;
    }
    return out;
}

at::Tensor DecoderImpl::forward_cached(const at::Tensor& input_ids,
                                       const CachedStep& step,
                                       const std::vector<LayerCache>& cache) {
    const int64_t S = input_ids.size(1);
    TORCH_CHECK(static_cast<int64_t>(cache.size()) == options.num_hidden_layers, "cache has ",
                cache.size(), " layers, the model ", options.num_hidden_layers);
    const auto& keys = step.mask.defined() ? step.mask : step.attention_mask;  // [.., start + S]
    TORCH_CHECK(step.positions.sizes() == input_ids.sizes() && keys.size(-1) == step.start + S,
                "cached step: positions ", step.positions.sizes(), " and mask ", keys.sizes(),
                " do not fit input_ids ", input_ids.sizes(), " at slot ", step.start);
    auto h = embed_tokens(input_ids);  // [B, S, H]
    const bool given = step.rope.cos.defined() || step.rope.cis.defined();
    const auto rope = given ? step.rope : rope_table_rows(options, step.positions, h.scalar_type());
    const auto mask =
        step.mask.defined() ? step.mask : causal_mask(S, step.attention_mask, h.scalar_type());
    for (int64_t i = 0; i < options.num_hidden_layers; ++i) {
        h = layer(i).forward_cached(h, rope, mask, cache[i], step.start, step.absorb);
    }
    return norm(h);
}

CausalLmImpl::CausalLmImpl(const ModelOptions& options_) : options(options_) {
    reset();
}

void CausalLmImpl::reset() {
    model = register_module("model", Decoder(options));
    if (!options.tie_word_embeddings) {
        lm_head = register_module(
            "lm_head",
            torch::nn::Linear(
                torch::nn::LinearOptions(options.hidden_size, options.vocab_size).bias(false)));
    }
}

at::Tensor CausalLmImpl::head(const at::Tensor& hidden) {
    const auto& w = lm_head ? lm_head->weight : model->embed_tokens->weight;
    if (kernels::decode_linear_serves(hidden, w,
                                      {})) {  // decode: the largest weight, streamed once
        return kernels::decode_linear(hidden, w, {});
    }
    return lm_head ? lm_head(hidden) : torch::linear(hidden, w);
}

CausalLmOutput CausalLmImpl::forward(const at::Tensor& input_ids,
                                     const at::Tensor& attention_mask,
                                     ForwardOptions forward_options) {
    std::optional<AutocastGuard> autocast;
    if (forward_options.autocast) {
        autocast.emplace(torch::kBFloat16);
    }
    auto decoded = model(input_ids, attention_mask, forward_options);
    CausalLmOutput out{
        .logits = head(decoded.hidden), .mtp_logits = {}, .aux_loss = decoded.aux_loss};
    for (const auto& normed : decoded.mtp) {
        out.mtp_logits.push_back(head(normed));  // the head is shared with the main model
    }
    return out;
}

at::Tensor CausalLmImpl::forward_cached(const at::Tensor& input_ids,
                                        const CachedStep& step,
                                        const std::vector<LayerCache>& cache) {
    return head(model->forward_cached(input_ids, step, cache));
}

void CausalLmImpl::set_activation_checkpointing(bool enabled) {
    for (int64_t i = 0; i < options.num_hidden_layers; ++i) {
        model->layer(i).activation_checkpointing = enabled;
    }
}

void CausalLmImpl::set_balance_loss_alpha(double alpha) {
    for (auto& moe : model->moe_layers()) {
        moe->balance_loss_alpha = alpha;
    }
}

}  // namespace r1::model
