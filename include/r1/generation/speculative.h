// Speculative greedy decoding with DeepSeek's MTP layer as the drafter (model-spec §4): the first
// MTP layer proposes token n+1 from the main model's state at n-1 and token n; the main model
// verifies [t_n, draft] in one two-token step, keeping the draft (and the token after it) when it
// equals the main model's own argmax. The output is plain greedy decoding's, at fewer main steps
// when drafts are accepted. One sequence at a time (acceptance differs per row).
#pragma once

#include "r1/generation/engine.h"
#include "r1/model/causal_lm.h"

#include <cstdint>
#include <vector>

namespace r1::generation {

struct SpeculativeOptions {
    int64_t max_new_tokens = 256;
    std::vector<int64_t> eos_token_ids;  // any of them ends the sequence (kept)
    bool absorb = true;                  // MLA decode through the absorbed weights
};

struct SpeculativeResult {
    std::vector<int64_t> tokens;  // the greedy completion
    FinishReason finish = FinishReason::length;
    int64_t drafted = 0;     // draft tokens proposed
    int64_t accepted = 0;    // of which the main model agreed with
    int64_t main_steps = 0;  // main-model forwards after the prefill

    double acceptance_rate() const {
        return drafted == 0 ? 0.0 : static_cast<double>(accepted) / static_cast<double>(drafted);
    }
};

/// Greedy completion of `prompt` (non-empty ids) by `lm`, which needs num_nextn_predict_layers ≥ 1.
/// Runs under NoGradGuard in eval mode (restored afterwards).
SpeculativeResult speculative_greedy(model::CausalLm& lm,
                                     const std::vector<int64_t>& prompt,
                                     const SpeculativeOptions& options);

}  // namespace r1::generation
