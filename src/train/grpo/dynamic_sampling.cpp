#include "r1/train/grpo/dynamic_sampling.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <cmath>
#include <vector>

namespace r1::train::grpo {

int64_t metric_column(const std::vector<std::string>& reward_names, const std::string& metric) {
    if (metric == "reward") {
        return -1;
    }
    std::string valid = "'reward'";
    for (size_t k = 0; k < reward_names.size(); ++k) {
        if (reward_names[k] == metric) {
            return static_cast<int64_t>(k);
        }
        valid += ", '" + reward_names[k] + "'";
    }
    throw util::ConfigError(util::str("dynamic_sampling.metric: '", metric,
                                      "' is neither 'reward' nor a reward of this run (", valid,
                                      ")"));
}

at::Tensor metric_values(const rewards::CombinedRewards& rewards, const std::string& metric) {
    std::vector<std::string> names;
    for (const auto& s : rewards.stats) {
        names.push_back(s.name);
    }
    const int64_t k = metric_column(names, metric);
    return k < 0 ? rewards.total : rewards.per_function.select(1, k);
}

std::vector<int64_t> informative_groups(const Rollout& r,
                                        const DynamicSamplingOptions& options,
                                        int64_t G) {
    const auto values = metric_values(r.rewards, options.metric).to(at::kDouble).contiguous();
    const double* v = values.data_ptr<double>();
    std::vector<int64_t> kept;
    const int64_t B = values.numel() / G;
    for (int64_t b = 0; b < B; ++b) {
        std::vector<double> scored;  // two passes: a flat group's std is exactly 0
        for (int64_t j = b * G; j < (b + 1) * G; ++j) {
            if (!std::isnan(v[j])) {
                scored.push_back(v[j]);
            }
        }
        if (scored.size() < 2) {
            continue;
        }
        double mean = 0, var = 0;
        for (double x : scored) {
            mean += x / static_cast<double>(scored.size());
        }
        for (double x : scored) {
            var += (x - mean) * (x - mean) / static_cast<double>(scored.size());
        }
        if (std::sqrt(var) > options.tol) {
            kept.push_back(b);
        }
    }
    return kept;
}

}  // namespace r1::train::grpo
