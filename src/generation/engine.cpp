#include "r1/generation/engine.h"

#include "r1/generation/sampling.h"
#include "r1/generation/stop.h"
#include "r1/model/attention.h"
#include "r1/model/rope.h"
#include "r1/util/error.h"
#include "r1/util/log.h"
#include "r1/util/rng.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <string>
#include <utility>

#include "generation/inference_scope.h"

namespace r1::generation {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_request(const GenerateRequest& request, const model::ModelOptions& options) {
    if (request.num_samples < 1) {
        throw util::UsageError("generate: num_samples must be at least 1, got " +
                               std::to_string(request.num_samples));
    }
    for (size_t i = 0; i < request.prompts.size(); ++i) {
        const auto& prompt = request.prompts[i];
        const auto where = "generate: prompt " + std::to_string(i);
        if (prompt.empty()) {
            throw util::UsageError(where + " is empty (the model needs at least one token)");
        }
        if (static_cast<int64_t>(prompt.size()) > request.sampling.max_prompt_length) {
            throw util::ConfigError(where + " has " + std::to_string(prompt.size()) +
                                    " tokens, more than sampling.max_prompt_length (" +
                                    std::to_string(request.sampling.max_prompt_length) + ")");
        }
        for (const int64_t id : prompt) {
            if (id < 0 || id >= options.vocab_size) {
                throw util::UsageError(where + ": token id " + std::to_string(id) +
                                       " is outside the vocabulary [0, " +
                                       std::to_string(options.vocab_size) + ")");
            }
        }
    }
}

at::Tensor int64_tensor(const std::vector<int64_t>& values, std::vector<int64_t> shape) {
    return torch::tensor(values, torch::kInt64).view(shape);
}

// The active rows of one chunk: prompts left-padded to a common length P, so every row writes the
// same cache slot at each step while its RoPE positions start at 0. Finished rows leave in groups
// (see step()).
class ChunkDecoder {
  public:
    ChunkDecoder(model::CausalLm& model, KvCache& cache, bool absorb)
        : model_(model), cache_(cache), absorb_(absorb) {}

    /// Runs the prompts of completions `seqs` through the model; logits() then holds [B, V].
    void prefill(const GenerateRequest& request,
                 const std::vector<Completion>& out,
                 std::vector<int64_t> seqs);
    /// Decodes the token sampled for each row; `keep` (ascending indices into the rows) are the
    /// live rows that go on, the others are finished.
    void step(const at::Tensor& tokens, const std::vector<int64_t>& keep);

    const at::Tensor& logits() const { return logits_; }

    const at::Tensor& seen() const { return seen_; }

    std::vector<at::Generator>& generators() { return generators_; }

    /// Completion index of each row (kDead: finished, waiting to be compacted away).
    const std::vector<int64_t>& seqs() const { return seqs_; }

    /// Rows still generating.
    int64_t live() const {
        return static_cast<int64_t>(
            std::count_if(seqs_.begin(), seqs_.end(), [](int64_t s) { return s != kDead; }));
    }

    static constexpr int64_t kDead = -1;

  private:
    at::Tensor run(const at::Tensor& ids, const model::CachedStep& step);  // -> last logits [n, V]
    /// The prefill forward of ids [B, P] (left-padded) once per distinct prompt (`prompt_of`:
    /// each row's prompt index); its cache rows and logits then serve every row of that prompt.
    void prefill_unique(const at::Tensor& ids,
                        const at::Tensor& positions,
                        const std::vector<int64_t>& prompt_of);
    /// The step's RoPE rows and mask, cut from the chunk's tables (no per-step rebuild).
    model::CachedStep decode_step();

    model::CausalLm& model_;
    KvCache& cache_;
    bool absorb_;
    int64_t slots_ = 0;                      // cache slots written so far
    std::vector<int64_t> seqs_;              // completion index of each row, or kDead
    std::vector<at::Generator> generators_;  // one per active row
    at::Tensor next_position_;               // [n] int64
    at::Tensor attention_mask_;              // [n, P] int64 1/0 of the prompts
    model::RopeTable rope_;                  // every position of the chunk: [P + L, d/2]
    at::Tensor mask_;                        // [n, 1, 1, P + L] additive: padding, 0 elsewhere
    at::Tensor seen_;                        // [n, V] bool, or undefined (no repetition penalty)
    at::Tensor logits_;                      // [n, V] of the next token
};

void ChunkDecoder::prefill(const GenerateRequest& request,
                           const std::vector<Completion>& out,
                           std::vector<int64_t> seqs) {
    seqs_ = std::move(seqs);
    const auto B = static_cast<int64_t>(seqs_.size());
    int64_t P = 0;
    for (const int64_t s : seqs_) {
        P = std::max<int64_t>(P, request.prompts[out[s].prompt_index].size());
    }
    std::vector<int64_t> ids(B * P, 0), mask(B * P, 0), positions(B * P, 0), lengths(B),
        prompt_of(B);
    for (int64_t b = 0; b < B; ++b) {
        const int64_t i = out[seqs_[b]].prompt_index;
        const auto& prompt = request.prompts[i];
        const auto len = static_cast<int64_t>(prompt.size());
        for (int64_t s = 0; s < len; ++s) {
            const int64_t at = b * P + (P - len) + s;  // left padding
            ids[at] = prompt[s];
            mask[at] = 1;
            positions[at] = s;
        }
        lengths[b] = len;
        prompt_of[b] = i;
        const int64_t j = seqs_[b] - i * request.num_samples;
        generators_.push_back(util::make_generator(
            util::derive_seed(request.seed, {static_cast<uint64_t>(i), static_cast<uint64_t>(j)})));
    }
    cache_.reserve(B, P + request.sampling.max_completion_length);
    const auto ids_t = int64_tensor(ids, {B, P});
    attention_mask_ = int64_tensor(mask, {B, P});
    next_position_ = int64_tensor(lengths, {B});
    if (request.sampling.repetition_penalty != 1.0) {  // HF penalises the prompt's tokens too
        seen_ = torch::zeros({B, model_->options.vocab_size}, torch::kInt64)
                    .scatter_add_(1, ids_t, attention_mask_)  // padding adds 0
                    .gt(0);
    }
    const auto dtype = model_->model->embed_tokens->weight.scalar_type();
    const int64_t slots = P + request.sampling.max_completion_length;
    rope_ = model::with_cis(
        model::rope_table(model_->options, torch::arange(slots, torch::kInt64), dtype));
    // a decode step's query sees every non-padding slot: causal_mask of one query over them all
    mask_ = model::causal_mask(
        1, torch::cat({attention_mask_, torch::ones({B, slots - P}, torch::kInt64)}, 1), dtype);
    prefill_unique(ids_t, int64_tensor(positions, {B, P}), prompt_of);
}

void ChunkDecoder::prefill_unique(const at::Tensor& ids,
                                  const at::Tensor& positions,
                                  const std::vector<int64_t>& prompt_of) {
    // a GRPO group's G samples share one prompt: prefilling it once saves (G - 1)/G of the work
    const auto B = static_cast<int64_t>(seqs_.size());
    std::vector<int64_t> first, row_of(static_cast<size_t>(B));
    std::map<int64_t, int64_t> unique;  // prompt index -> its row among the unique prompts
    for (int64_t b = 0; b < B; ++b) {
        const auto [it, added] = unique.try_emplace(prompt_of[static_cast<size_t>(b)],
                                                    static_cast<int64_t>(first.size()));
        if (added) {
            first.push_back(b);
        }
        row_of[static_cast<size_t>(b)] = it->second;
    }
    const auto U = static_cast<int64_t>(first.size());
    if (U == B) {
        logits_ = run(ids, {.start = 0,
                            .positions = positions,
                            .attention_mask = attention_mask_,
                            .absorb = absorb_});
        return;
    }
    const auto rows = int64_tensor(first, {U});
    cache_.reserve(U, cache_.max_len());
    const auto logits =
        run(ids.index_select(0, rows), {.start = 0,
                                        .positions = positions.index_select(0, rows),
                                        .attention_mask = attention_mask_.index_select(0, rows),
                                        .absorb = absorb_});
    const auto spread = int64_tensor(row_of, {B});
    cache_.gather(spread, ids.size(1));
    logits_ = logits.index_select(0, spread);
}

model::CachedStep ChunkDecoder::decode_step() {
    const auto n = next_position_.size(0);
    const auto rows = [&](const at::Tensor& table) {  // [P + L, d/2] -> [n, 1, 1, d/2]
        return table.defined() ? table.index_select(0, next_position_).view({n, 1, 1, -1}) : table;
    };
    model::RopeTable rope{.layout = rope_.layout};
    if (rope_.cis.defined()) {  // interleaved: one row gather; cos and sin are its parts
        rope.cis = rows(rope_.cis);
        const auto parts = at::view_as_real(rope.cis);
        rope.cos = parts.select(-1, 0);
        rope.sin = parts.select(-1, 1);
    } else {
        rope.cos = rows(rope_.cos);
        rope.sin = rows(rope_.sin);
    }
    return {.start = slots_,
            .positions = next_position_.view({n, 1}),
            .absorb = absorb_,
            .rope = rope,
            .mask = mask_.narrow(-1, 0, slots_ + 1)};
}

void ChunkDecoder::step(const at::Tensor& tokens, const std::vector<int64_t>& keep) {
    if (seen_.defined()) {
        seen_.scatter_(1, tokens.unsqueeze(1), true);
    }
    auto ids = tokens;
    // A finished row leaves the batch and its cache once a quarter of the rows are done;
    // until then it is decoded and ignored (kDead): compaction copies every layer's cache, which
    // costs more than a few idle rows when sequences end one by one.
    for (size_t r = 0, k = 0; r < seqs_.size(); ++r) {
        if (k < keep.size() && keep[k] == static_cast<int64_t>(r)) {
            ++k;
        } else {
            seqs_[r] = kDead;
        }
    }
    if (4 * (seqs_.size() - keep.size()) >= seqs_.size()) {
        const auto rows = int64_tensor(keep, {static_cast<int64_t>(keep.size())});
        cache_.compact(rows, slots_);
        std::vector<int64_t> seqs;
        std::vector<at::Generator> generators;
        for (const int64_t r : keep) {
            seqs.push_back(seqs_[r]);
            generators.push_back(generators_[r]);
        }
        seqs_ = std::move(seqs);
        generators_ = std::move(generators);
        ids = ids.index_select(0, rows);
        next_position_ = next_position_.index_select(0, rows);
        mask_ = mask_.index_select(0, rows);
        seen_ = seen_.defined() ? seen_.index_select(0, rows) : seen_;
    }
    const auto n = static_cast<int64_t>(seqs_.size());
    logits_ = run(ids.view({n, 1}), decode_step());
    next_position_ = next_position_ + 1;
}

at::Tensor ChunkDecoder::run(const at::Tensor& ids, const model::CachedStep& step) {
    const auto hidden = model_->model->forward_cached(ids, step, cache_.layers());  // [n, S, H]
    slots_ += ids.size(1);
    return model_->head(hidden.select(1, -1));  // only the last position is sampled
}

// When a sequence ends, and who hears of each token.
struct FinishRules {
    const std::vector<int64_t>& eos;
    const StopMatcher& stop;
    int64_t max_tokens;
    const std::function<void(int64_t, int64_t)>& on_token;
};

// `t` readable through data_ptr<dtype>() (no dispatch when it already is).
at::Tensor host(const at::Tensor& t, at::ScalarType dtype) {
    return (t.scalar_type() == dtype ? t : t.to(dtype)).contiguous();
}

// Appends each active row's sampled token to its completion; returns the rows that go on.
std::vector<int64_t> record(const Sampled& sampled,
                            const std::vector<int64_t>& seqs,
                            const FinishRules& rules,
                            std::vector<Completion>& out) {
    const auto tokens = host(sampled.tokens, torch::kInt64);
    const auto logp = host(sampled.logp, torch::kFloat32);
    const auto logp_full = host(sampled.logp_full, torch::kFloat32);
    std::vector<int64_t> keep;
    for (size_t r = 0; r < seqs.size(); ++r) {
        if (seqs[r] == ChunkDecoder::kDead) {
            continue;
        }
        Completion& c = out[seqs[r]];
        const int64_t token = tokens.data_ptr<int64_t>()[r];
        c.tokens.push_back(token);
        c.logp.push_back(logp.data_ptr<float>()[r]);
        c.logp_full.push_back(logp_full.data_ptr<float>()[r]);
        if (rules.on_token) {
            rules.on_token(seqs[r], token);
        }
        if (std::find(rules.eos.begin(), rules.eos.end(), token) != rules.eos.end()) {
            c.finish = FinishReason::eos;
        } else if (rules.stop.ends_in_last(c.tokens)) {
            c.finish = FinishReason::stop;
        } else if (static_cast<int64_t>(c.tokens.size()) >= rules.max_tokens) {
            c.finish = FinishReason::length;
        } else {
            keep.push_back(static_cast<int64_t>(r));
        }
    }
    return keep;
}

}  // namespace

Engine::Engine(model::CausalLm model,
               std::optional<tokenizer::Tokenizer> tokenizer,
               EngineOptions options)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      options_(options),
      cache_(model_->options, model_->model->embed_tokens->weight.scalar_type()) {
    if (options_.max_batch_size < 1) {
        throw util::UsageError("engine: max_batch_size must be at least 1, got " +
                               std::to_string(options_.max_batch_size));
    }
}

std::vector<Completion> Engine::generate(const GenerateRequest& request) {
    check_request(request, model_->options);
    const StopMatcher stop(request.sampling.stop, tokenizer_ ? &*tokenizer_ : nullptr);
    InferenceScope scope(model_);
    const auto dtype = model_->model->embed_tokens->weight.scalar_type();
    if (cache_.dtype() != dtype) {  // the model was cast since the last call
        cache_ = KvCache(model_->options, dtype);
    }
    stats_ = {};
    const auto N = static_cast<int64_t>(request.prompts.size()) * request.num_samples;
    std::vector<Completion> out(N);
    for (int64_t s = 0; s < N; ++s) {
        out[s].prompt_index = s / request.num_samples;
    }
    if (request.sampling.max_completion_length < 1) {
        return out;
    }
    int64_t batches = 0;
    for (int64_t begin = 0; begin < N; begin += options_.max_batch_size, ++batches) {
        generate_chunk(request, stop, {begin, std::min(N, begin + options_.max_batch_size)}, out);
    }
    // the batching changes no sample (each sequence has its own generator), only memory and speed
    log::debug("generate: ", N, " sequences decoded in ", batches, " batches");
    return out;
}

void Engine::generate_chunk(const GenerateRequest& request,
                            const StopMatcher& stop,
                            std::pair<int64_t, int64_t> range,
                            std::vector<Completion>& out) {
    std::vector<int64_t> seqs(range.second - range.first);
    std::iota(seqs.begin(), seqs.end(), range.first);
    for (const int64_t s : seqs) {
        stats_.prompt_tokens += static_cast<int64_t>(request.prompts[out[s].prompt_index].size());
    }
    ChunkDecoder decoder(model_, cache_, options_.absorb);
    auto start = Clock::now();
    decoder.prefill(request, out, std::move(seqs));
    stats_.prefill_seconds += seconds_since(start);
    start = Clock::now();
    const FinishRules rules{.eos = request.eos_token_ids,
                            .stop = stop,
                            .max_tokens = request.sampling.max_completion_length,
                            .on_token = request.on_token};
    while (true) {
        const auto sampled =
            sample(decoder.logits(), request.sampling, decoder.generators(), decoder.seen());
        const auto keep = record(sampled, decoder.seqs(), rules, out);
        stats_.generated_tokens += decoder.live();
        if (keep.empty()) {
            break;
        }
        decoder.step(sampled.tokens, keep);  // int64 (argmax, searchsorted)
    }
    stats_.decode_seconds += seconds_since(start);
}

}  // namespace r1::generation
