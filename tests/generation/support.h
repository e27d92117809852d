// Helpers of the generation tests: a seeded tiny model and the cache-free references (a full
// forward of one unpadded sequence; greedy decoding by repeated full forwards).
#pragma once

#include "r1/model/causal_lm.h"
#include "r1/model/options.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace r1::test {

using Ids = std::vector<int64_t>;

/// CausalLm(options) initialised from seed 0, cast to `dtype`, in eval mode.
model::CausalLm make_model(const model::ModelOptions& options, at::ScalarType dtype);

/// Logits [S, V] of a plain full forward of `ids` (batch 1, no padding, no cache).
at::Tensor full_logits(model::CausalLm& lm, const Ids& ids);

/// Greedy completion of `prompt` by full forwards over the growing sequence; stops after an
/// `eos` token (kept) or `max_tokens`.
Ids greedy_reference(model::CausalLm& lm, Ids prompt, int64_t max_tokens, const Ids& eos = {});

}  // namespace r1::test
