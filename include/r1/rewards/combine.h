// A stage's reward functions run together over a batch (grpo-spec §2.1, sum_then_normalize):
// per-function columns [N, R] (NaN where a function returned None) and the weighted sum [N] that
// skips None (NaN when every function is None: the completion is unscorable). A function that
// throws is counted and reported, its value None: never a silent 0.
#pragma once

#include "r1/rewards/options.h"
#include "r1/rewards/reward.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace r1::rewards {

/// What one function did over a batch; logged as reward/<name>/{mean,std,none,failures,timeouts}.
struct RewardStats {
    std::string name;
    double weight = 1.0;
    double mean = 0.0;        // over scored completions (NaN if none)
    double std = 0.0;         // population std over scored completions
    int64_t scored = 0;       // completions with a value
    int64_t none = 0;         // not applicable / unscorable (failures included)
    int64_t failures = 0;     // the function threw
    int64_t timeouts = 0;     // time limits hit (code)
    std::string first_error;  // what() of the first failure
};

struct CombinedRewards {
    at::Tensor per_function;  // [N, R] float64, NaN = None
    at::Tensor total;         // [N] float64, sum_k w_k f_k over non-None; NaN if all None
    at::Tensor scorable;      // [N] bool: at least one function gave a value
    std::vector<std::vector<RewardResult>> results;  // [R][N]: extracted answers and reasons
    std::vector<RewardStats> stats;                  // [R]

    /// "reward/<name>/mean" ..., plus "reward/mean", "reward/std" and "reward/unscorable".
    std::map<std::string, double> metrics() const;
};

/// One row of a scored batch: `row` of `*batch`.
struct RowRef {
    const CombinedRewards* batch = nullptr;
    int64_t row = 0;
};

/// The listed rows of batches scored by the same RewardSet, as one batch, in that order; each
/// function's stats are recomputed over these rows (dynamic sampling keeps some groups of several
/// batches).
CombinedRewards gather_rows(const std::vector<RowRef>& rows);

struct RewardSetOptions {
    int64_t num_threads = 4;  // completions scored at once per function
};

class RewardSet {
  public:
    /// Builds each function from its spec (ConfigError for an unknown name).
    explicit RewardSet(const std::vector<RewardSpec>& specs, RewardSetOptions options = {});

    CombinedRewards score(const std::vector<RewardInput>& batch) const;

    const std::vector<std::string>& names() const { return names_; }

    const std::vector<double>& weights() const { return weights_; }

  private:
    std::vector<std::string> names_;
    std::vector<double> weights_;
    std::vector<RewardFn> fns_;
    RewardSetOptions options_;
};

}  // namespace r1::rewards
