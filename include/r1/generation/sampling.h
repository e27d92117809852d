// Next-token sampling from logits [B, V]: repetition penalty, temperature, top-k, top-p, min-p (in
// Hugging Face's order), then a draw from explicit generators. Returns the log-probability of each
// sampled token under the sampling distribution and under the full tempered model distribution
// (log_softmax(z / T) over the whole vocabulary), the one GRPO's ratios use (grpo-spec §1.4).
#pragma once

#include "r1/generation/options.h"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <vector>

namespace r1::generation {

struct Sampled {
    at::Tensor tokens;     // [B] int64
    at::Tensor logp;       // [B] under the processed (truncated, renormalised) distribution
    at::Tensor logp_full;  // [B] log_softmax(logits / T) of the raw logits (T = 1 when greedy)
};

/// CTRL's penalty on tokens already seen: z / p where z > 0, z * p elsewhere. seen: [B, V] bool.
at::Tensor apply_repetition_penalty(const at::Tensor& logits,
                                    const at::Tensor& seen,
                                    double penalty);

/// The logits after temperature and truncation (top-k, top-p, min-p); removed tokens are -inf.
at::Tensor process_logits(const at::Tensor& logits, const SamplingOptions& options);

/// Samples one token per row. `generators` holds one generator for all rows or one per row (so a
/// sequence's draws do not depend on its batch neighbours). temperature 0 is greedy (no draw).
Sampled sample(const at::Tensor& logits,
               const SamplingOptions& options,
               std::vector<at::Generator>& generators,
               const at::Tensor& seen = {});

}  // namespace r1::generation
