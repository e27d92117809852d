#include "r1/generation/speculative.h"

#include "r1/generation/kv_cache.h"
#include "r1/model/attention.h"
#include "r1/model/rope.h"
#include "r1/util/error.h"

#include <algorithm>

#include "generation/inference_scope.h"

namespace r1::generation {
namespace {

struct StepOutput {
    at::Tensor hidden;  // [1, S, H] after model.norm (h^0, the MTP layer's input)
    at::Tensor logits;  // [1, S, V]
};

// One sequence's main-model and MTP caches; slot i of both holds position i. The RoPE rows and
// masks of a step are cut from tables built once (a step is two forwards of a few hundred small
// ops each; rebuilding them cost ~60 more).
class Speculator {
  public:
    Speculator(model::CausalLm& lm, int64_t max_len, bool absorb)
        : lm_(lm),
          main_(lm->options, dtype(lm)),
          mtp_(one_layer(lm->options), dtype(lm)),
          absorb_(absorb) {
        main_.reserve(1, max_len);
        mtp_.reserve(1, max_len);
        const auto dt = dtype(lm);
        positions_ = torch::arange(max_len, torch::kInt64);
        rope_ = model::with_cis(model::rope_table(lm->options, positions_, dt));
        zeros_ = torch::zeros({1, 1, 2, max_len}, torch::TensorOptions().dtype(dt));
        corner_ = model::causal_mask(2, {}, dt);  // [1, 1, 2, 2]
    }

    /// The main model over `ids` at slots [start, start + S).
    StepOutput verify(const std::vector<int64_t>& ids, int64_t start) {
        const auto hidden =
            lm_->model->forward_cached(ids_tensor(ids), step(start, ids.size()), main_.layers());
        return {hidden, lm_->head(hidden)};
    }

    /// The MTP layer at slots [start, start + S) from the main states `hidden` [1, S, H] and the
    /// tokens that follow them -> its argmax at the last slot (the draft of the token after).
    int64_t draft(const at::Tensor& hidden, const std::vector<int64_t>& next, int64_t start) {
        const auto s = step(start, next.size());
        const auto embeds = lm_->model->embed_tokens(ids_tensor(next));
        const auto out = lm_->model->mtp_layer(0).forward_cached(hidden, embeds, s.rope, s.mask,
                                                                 mtp_.layers()[0], start, absorb_);
        return lm_->head(out.normed.select(1, -1)).argmax(-1).item<int64_t>();
    }

  private:
    // S new tokens at slots [start, start + S) of an unpadded sequence: every earlier slot is
    // visible, the S×S corner is causal.
    model::CachedStep step(int64_t start, size_t size) {
        const auto S = static_cast<int64_t>(size);
        model::CachedStep s{.start = start,
                            .positions = positions_.narrow(0, start, S).view({1, S}),
                            .absorb = absorb_,
                            .rope = {.layout = rope_.layout,
                                     .cis = rope_.cis.narrow(0, start, S).view({1, 1, S, -1})}};
        if (S == 1) {
            s.mask = zeros_.narrow(2, 0, 1).narrow(3, 0, start + 1);
        } else if (S == 2) {
            s.mask = torch::cat({zeros_.narrow(3, 0, start), corner_}, -1);
        } else {
            s.mask = model::causal_mask(S, torch::ones({1, start + S}, torch::kInt64),
                                        zeros_.scalar_type());
        }
        return s;
    }

    static at::ScalarType dtype(model::CausalLm& lm) {
        return lm->model->embed_tokens->weight.scalar_type();
    }

    // An MTP layer's cache has one main layer's shape.
    static model::ModelOptions one_layer(model::ModelOptions options) {
        options.num_hidden_layers = 1;
        return options;
    }

    static at::Tensor ids_tensor(const std::vector<int64_t>& ids) {
        return torch::tensor(ids, torch::kInt64).view({1, -1});
    }

    model::CausalLm& lm_;
    KvCache main_;
    KvCache mtp_;
    bool absorb_;
    at::Tensor positions_;   // [max_len] 0, 1, ...
    model::RopeTable rope_;  // every position (complex, interleaved)
    at::Tensor zeros_;       // [1, 1, 2, max_len] of the model's dtype
    at::Tensor corner_;      // the causal mask of two tokens over themselves [1, 1, 2, 2]
};

int64_t argmax_at(const at::Tensor& logits, int64_t s) {
    return logits[0][s].argmax().item<int64_t>();
}

}  // namespace

SpeculativeResult speculative_greedy(model::CausalLm& lm,
                                     const std::vector<int64_t>& prompt,
                                     const SpeculativeOptions& options) {
    if (!lm->options.is_deepseek() || lm->options.num_nextn_predict_layers < 1) {
        throw util::UsageError(
            "speculative decoding needs an MTP layer (num_nextn_predict_layers)");
    }
    if (prompt.empty() || options.max_new_tokens < 1) {
        throw util::UsageError("speculative decoding needs a prompt and max_new_tokens >= 1");
    }
    InferenceScope scope(lm);
    const auto P = static_cast<int64_t>(prompt.size());
    Speculator spec(lm, P + options.max_new_tokens + 1, options.absorb);
    SpeculativeResult result;
    const auto& eos = options.eos_token_ids;
    auto emit = [&](int64_t token) {  // true when the sequence is done
        result.tokens.push_back(token);
        if (std::find(eos.begin(), eos.end(), token) != eos.end()) {
            result.finish = FinishReason::eos;
            return true;
        }
        result.finish = FinishReason::length;
        return static_cast<int64_t>(result.tokens.size()) >= options.max_new_tokens;
    };
    const auto prefill = spec.verify(prompt, 0);
    int64_t t = argmax_at(prefill.logits, P - 1);  // t_n, not yet seen by the main model
    if (emit(t)) {
        return result;
    }
    std::vector<int64_t> shifted(prompt.begin() + 1, prompt.end());
    shifted.push_back(t);
    int64_t d = spec.draft(prefill.hidden, shifted, 0);  // draft of t_{n+1}
    for (int64_t n = P;;) {
        const auto out = spec.verify({t, d}, n);
        ++result.drafted;
        ++result.main_steps;
        const int64_t truth = argmax_at(out.logits, 0);
        if (truth != d) {  // rejected: slot n + 1 is stale and will be overwritten
            if (emit(truth)) {
                break;
            }
            d = spec.draft(out.hidden.narrow(1, 0, 1), {truth}, n);
            t = truth;
            n += 1;
            continue;
        }
        ++result.accepted;
        const int64_t after = argmax_at(out.logits, 1);
        if (emit(d) || emit(after)) {
            break;
        }
        d = spec.draft(out.hidden, {d, after}, n);
        t = after;
        n += 2;
    }
    return result;
}

}  // namespace r1::generation
