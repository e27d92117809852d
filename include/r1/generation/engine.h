// The generation engine: batched prefill + decode of a CausalLm with a preallocated KV cache (MLA:
// the latent c_kv and the shared RoPE key only, decoded with absorbed weights; dense models: a GQA
// cache), ragged prompts, per-sequence stop on EOS / stop string / max_new_tokens, and sampling
// with the log-probs GRPO needs. The engine sees token ids only; a tokenizer is needed just to
// match stop strings. It holds the trainer's own module (no copy): weight updates show at once.
#pragma once

#include "r1/generation/kv_cache.h"
#include "r1/generation/options.h"
#include "r1/model/causal_lm.h"
#include "r1/tokenizer/tokenizer.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace r1::generation {

class StopMatcher;

enum class FinishReason { eos, stop, length };

constexpr auto enum_names(FinishReason) {
    return std::array{std::pair{FinishReason::eos, "eos"}, std::pair{FinishReason::stop, "stop"},
                      std::pair{FinishReason::length, "length"}};
}

struct EngineOptions {
    int64_t max_batch_size = 64;  // sequences decoded at once; larger requests run in chunks
    bool absorb = true;           // MLA decode through the absorbed weights (model-spec §2.3)
};

/// One batch request: every prompt sampled num_samples times.
struct GenerateRequest {
    std::vector<std::vector<int64_t>> prompts;  // token ids, ragged
    int64_t num_samples = 1;                    // completions per prompt
    SamplingOptions sampling;                   // temperature 0 = greedy; stop strings, max tokens
    uint64_t seed = 0;  // sample j of prompt i draws from util::derive_seed(seed, {i, j})
    std::vector<int64_t> eos_token_ids;  // any of them ends a sequence (kept in the completion)
    /// Called with (sequence index, newly sampled token) as decoding goes on, e.g. to stream.
    std::function<void(int64_t, int64_t)> on_token;
};

struct Completion {
    int64_t prompt_index = 0;      // into GenerateRequest::prompts
    std::vector<int64_t> tokens;   // generated ids; the EOS token or the stop string included
    std::vector<float> logp;       // per token, under the sampling distribution
    std::vector<float> logp_full;  // per token, log_softmax(z / T) over the whole vocabulary
    FinishReason finish = FinishReason::length;
};

struct GenerateStats {
    int64_t prompt_tokens = 0;
    int64_t generated_tokens = 0;
    double prefill_seconds = 0;
    double decode_seconds = 0;
};

class Engine {
  public:
    /// `tokenizer` may be empty when no stop strings are used.
    Engine(model::CausalLm model,
           std::optional<tokenizer::Tokenizer> tokenizer,
           EngineOptions options = {});

    /// Completions in prompt-major order: prompt 0's num_samples samples first. Runs under
    /// NoGradGuard with the model in eval mode (restored afterwards).
    std::vector<Completion> generate(const GenerateRequest& request);

    const GenerateStats& last_stats() const { return stats_; }

    model::CausalLm& model() { return model_; }

  private:
    /// Decodes sequences [range.first, range.second) of `out` (prompt-major order) as one batch.
    void generate_chunk(const GenerateRequest& request,
                        const StopMatcher& stop,
                        std::pair<int64_t, int64_t> range,
                        std::vector<Completion>& out);

    model::CausalLm model_;
    std::optional<tokenizer::Tokenizer> tokenizer_;
    EngineOptions options_;
    GenerateStats stats_;
    KvCache cache_;  // buffers reused by every chunk and call
};

}  // namespace r1::generation
