// Scoring given tokens under a CausalLm: log p(t_i | t_<i) for chosen positions of each sequence,
// in padded batches (r1 score, evaluation, rejection sampling). Log-softmax in float32.
#pragma once

#include "r1/model/causal_lm.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace r1::model {

/// input_ids [B, S] int64, attention_mask [B, S] of 1/0 (right padding) or undefined ->
/// [B, S-1] float32: entry i is log p(input_ids[:, i+1] | input_ids[:, :i+1]) (padding rows: junk).
at::Tensor token_logprobs(CausalLmImpl& model,
                          const at::Tensor& input_ids,
                          const at::Tensor& attention_mask = {});

/// Token rows as one right-padded batch: input_ids [B, S] filled with `pad` past each row, and
/// attention_mask [B, S] of 1/0; S is the longest row, at least `min_length`.
struct PaddedBatch {
    at::Tensor input_ids;
    at::Tensor attention_mask;
};

PaddedBatch right_padded(const std::vector<const std::vector<int64_t>*>& rows,
                         int64_t pad,
                         int64_t min_length = 1);

/// One sequence to score: tokens[first..] are scored, each given every token before it.
struct ScoreRequest {
    std::vector<int64_t> tokens;
    int64_t first = 1;  // >= 1: the first token has no context to be scored in
};

struct ScoreOptions {
    int64_t batch_size = 8;  // sequences per forward pass (right-padded to the longest)
};

/// Per request, the log-probs of tokens[first..] (in order). Throws util::UsageError if a request
/// has first < 1 or first > tokens.size(), or a token outside [0, vocab_size).
std::vector<std::vector<float>> score(CausalLmImpl& model,
                                      const std::vector<ScoreRequest>& requests,
                                      ScoreOptions options = {});

/// exp(-Σ logprobs / count): perplexity of `count` scored tokens whose log-probs sum to `sum`.
double perplexity(double sum, int64_t count);

}  // namespace r1::model
