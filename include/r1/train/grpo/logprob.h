// Per-token log-probabilities of completions under a model, as GRPO's ratios use them (grpo-spec
// §1.4): log_softmax(z / T) in float32 at each completion token, T the sampling temperature, plus
// the entropy of the same tempered distribution. Shapes: n sequences, T positions, L completion
// positions.
#pragma once

#include "r1/model/causal_lm.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace r1::train::grpo {

/// Prompt + completion rows, right-padded (positions start at 0 in every row, as in generation).
struct SequenceBatch {
    at::Tensor input_ids;        // [n, T] int64
    at::Tensor attention_mask;   // [n, T] int64 1/0
    at::Tensor completion_ids;   // [n, L] int64, padded with 0
    at::Tensor completion_mask;  // [n, L] float32, 1 on generated tokens (EOS included)
    at::Tensor prompt_lengths;   // [n] int64

    int64_t size() const { return input_ids.size(0); }

    /// Rows [begin, end), trimmed to their longest row.
    SequenceBatch slice(int64_t begin, int64_t end) const;
};

SequenceBatch make_sequence_batch(const std::vector<std::vector<int64_t>>& prompts,
                                  const std::vector<std::vector<int64_t>>& completions,
                                  int64_t pad_id);

struct TokenLogprobs {
    at::Tensor logp;     // [n, L] (0 where completion_mask is 0)
    at::Tensor entropy;  // [n, L] or undefined when not asked for
};

struct LogprobOptions {
    double temperature = 1.0;  // the sampling temperature; 0 (greedy) counts as 1
    bool entropy = false;
};

/// One forward of `model` over the batch (grad as the caller's mode has it).
TokenLogprobs completion_logprobs(model::CausalLm& model,
                                  const SequenceBatch& batch,
                                  LogprobOptions options);

}  // namespace r1::train::grpo
