#include "r1/generation/speculative.h"

#include "generation/inference_scope.h"
#include "r1/generation/kv_cache.h"
#include "r1/model/attention.h"
#include "r1/model/rope.h"
#include "r1/util/error.h"

#include <algorithm>

namespace r1::generation {
namespace {

struct StepOutput {
    at::Tensor hidden;  // [1, S, H] after model.norm (h^0, the MTP layer's input)
    at::Tensor logits;  // [1, S, V]
};

// One sequence's main-model and MTP caches; slot i of both holds position i.
class Speculator {
  public:
    Speculator(model::CausalLm& lm, int64_t max_len, bool absorb)
        : lm_(lm), main_(lm->options, dtype(lm)), mtp_(one_layer(lm->options), dtype(lm)),
          absorb_(absorb) {
        main_.reserve(1, max_len);
        mtp_.reserve(1, max_len);
    }

    /// The main model over `ids` at slots [start, start + S).
    StepOutput verify(const std::vector<int64_t>& ids, int64_t start) {
        const auto S = static_cast<int64_t>(ids.size());
        const model::CachedStep step{.start = start,
                                     .positions = positions(start, S),
                                     .attention_mask = torch::ones({1, start + S}, torch::kInt64),
                                     .absorb = absorb_};
        const auto hidden = lm_->model->forward_cached(ids_tensor(ids), step, main_.layers());
        return {hidden, lm_->head(hidden)};
    }

    /// The MTP layer at slots [start, start + S) from the main states `hidden` [1, S, H] and the
    /// tokens that follow them -> its argmax at the last slot (the draft of the token after).
    int64_t draft(const at::Tensor& hidden, const std::vector<int64_t>& next, int64_t start) {
        const auto S = static_cast<int64_t>(next.size());
        const auto dt = hidden.scalar_type();
        const auto rope = model::rope_table_rows(lm_->options, positions(start, S), dt);
        const auto mask =
            model::causal_mask(S, torch::ones({1, start + S}, torch::kInt64), dt);
        const auto embeds = lm_->model->embed_tokens(ids_tensor(next));
        const auto out = lm_->model->mtp_layer(0).forward_cached(hidden, embeds, rope, mask,
                                                                 mtp_.layers()[0], start, absorb_);
        return lm_->head(out.normed.select(1, -1)).argmax(-1).item<int64_t>();
    }

  private:
    static at::ScalarType dtype(model::CausalLm& lm) {
        return lm->model->embed_tokens->weight.scalar_type();
    }

    // An MTP layer's cache has one main layer's shape.
    static model::ModelOptions one_layer(model::ModelOptions options) {
        options.num_hidden_layers = 1;
        return options;
    }

    static at::Tensor positions(int64_t start, int64_t S) {
        return torch::arange(start, start + S, torch::kInt64).view({1, S});
    }

    static at::Tensor ids_tensor(const std::vector<int64_t>& ids) {
        return torch::tensor(ids, torch::kInt64).view({1, -1});
    }

    model::CausalLm& lm_;
    KvCache main_;
    KvCache mtp_;
    bool absorb_;
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
