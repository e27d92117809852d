// The scores of grpo-spec §7.5 from per-sample verdicts: pass@k (Chen et al. 2021's unbiased
// estimator; pass@1 = c/n) and maj@k (the most frequent answer, clustered by equivalence).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace r1::eval {

/// 1 - C(n-c, k) / C(n, k): the chance that k of the n samples, drawn without replacement, hold a
/// correct one. Requires 0 <= c <= n and 1 <= k <= n.
double pass_at_k(int64_t n, int64_t c, int64_t k);

/// Whether two extracted answers say the same thing.
using Equivalent = std::function<bool(const std::string&, const std::string&)>;

/// maj@k of one problem: clusters the samples' answers with `equivalent` (an empty answer, i.e.
/// none extracted, joins no cluster), takes the largest cluster (ties: the one whose first sample
/// came first) and returns whether its first sample is correct. False when no sample had an answer.
bool majority_correct(const std::vector<std::string>& answers,
                      const std::vector<bool>& correct,
                      const Equivalent& equivalent);

}  // namespace r1::eval
