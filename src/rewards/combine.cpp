#include "r1/rewards/combine.h"

#include "r1/util/log.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string_view>
#include <thread>

namespace r1::rewards {

RewardSet::RewardSet(const std::vector<RewardSpec>& specs, RewardSetOptions options)
    : options_(options) {
    for (const RewardSpec& spec : specs) {
        fns_.push_back(make_reward(spec));
        names_.push_back(spec.name);
        weights_.push_back(spec.weight);
    }
}

namespace {

constexpr std::string_view kFailedPrefix = "failed: ";  // the reason of a call that threw

// Runs fn over the batch on `threads` threads; a throwing call becomes a failed None.
std::vector<RewardResult> run_one(const RewardFn& fn,
                                  const std::vector<RewardInput>& batch,
                                  int64_t threads) {
    std::vector<RewardResult> out(batch.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < batch.size(); i = next++) {
            try {
                out[i] = fn(batch[i]);
            } catch (const std::exception& e) {
                out[i] = RewardResult{.value = std::nullopt,
                                      .reason = std::string(kFailedPrefix) + e.what(),
                                      .failed = true};
            }
        }
    };
    std::vector<std::thread> pool;
    const auto n =
        static_cast<size_t>(std::clamp<int64_t>(threads, 1, static_cast<int64_t>(batch.size())));
    for (size_t t = 1; t < n; ++t) {
        pool.emplace_back(work);
    }
    work();
    for (auto& t : pool) {
        t.join();
    }
    return out;
}

// Everything RewardStats holds besides name and weight, from the results alone.
void summarize(const std::vector<RewardResult>& results, RewardStats& s) {
    double sum = 0.0, sq = 0.0;
    for (const RewardResult& r : results) {
        s.timeouts += r.timeouts;
        if (r.failed) {
            ++s.failures;
            if (s.first_error.empty()) {
                s.first_error = r.reason.substr(kFailedPrefix.size());
            }
        }
        if (r.value) {
            ++s.scored;
            sum += *r.value;
            sq += *r.value * *r.value;
        } else {
            ++s.none;
        }
    }
    s.mean = s.scored > 0 ? sum / static_cast<double>(s.scored)
                          : std::numeric_limits<double>::quiet_NaN();
    s.std = s.scored > 0
                ? std::sqrt(std::max(0.0, sq / static_cast<double>(s.scored) - s.mean * s.mean))
                : 0.0;
}

}  // namespace

CombinedRewards RewardSet::score(const std::vector<RewardInput>& batch) const {
    const auto N = static_cast<int64_t>(batch.size()), R = static_cast<int64_t>(fns_.size());
    constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
    CombinedRewards c;
    c.per_function = at::full({N, R}, kNan, at::kDouble);
    c.total = at::full({N}, kNan, at::kDouble);
    c.scorable = at::zeros({N}, at::kBool);
    auto cols = c.per_function.accessor<double, 2>();
    auto total = c.total.accessor<double, 1>();
    auto scorable = c.scorable.accessor<bool, 1>();
    for (int64_t k = 0; k < R; ++k) {
        RewardStats s{.name = names_[k], .weight = weights_[k]};
        c.results.push_back(run_one(fns_[k], batch, options_.num_threads));
        summarize(c.results.back(), s);
        if (s.failures > 0) {
            log::warn("reward ", s.name, ": ", s.failures, " of ", N,
                      " calls failed (scored as None); first: ", s.first_error);
        }
        for (int64_t i = 0; i < N; ++i) {
            if (const auto& v = c.results.back()[i].value) {
                cols[i][k] = *v;
                total[i] = (scorable[i] ? total[i] : 0.0) + weights_[k] * *v;  // TRL's nansum
                scorable[i] = true;
            }
        }
        c.stats.push_back(std::move(s));
    }
    return c;
}

CombinedRewards gather_rows(const std::vector<RowRef>& rows) {
    CombinedRewards c;
    if (rows.empty()) {
        return c;
    }
    const CombinedRewards& first = *rows.front().batch;
    std::vector<at::Tensor> per_function, total, scorable;
    c.results.resize(first.results.size());
    for (const RowRef& r : rows) {
        TORCH_CHECK(r.batch->results.size() == first.results.size(),
                    "gather_rows: batches scored by different reward sets");
        per_function.push_back(r.batch->per_function[r.row]);
        total.push_back(r.batch->total[r.row]);
        scorable.push_back(r.batch->scorable[r.row]);
        for (size_t k = 0; k < c.results.size(); ++k) {
            c.results[k].push_back(r.batch->results[k][static_cast<size_t>(r.row)]);
        }
    }
    c.per_function = at::stack(per_function);
    c.total = at::stack(total);
    c.scorable = at::stack(scorable);
    for (size_t k = 0; k < c.results.size(); ++k) {
        RewardStats s{.name = first.stats[k].name, .weight = first.stats[k].weight};
        summarize(c.results[k], s);
        c.stats.push_back(std::move(s));
    }
    return c;
}

std::map<std::string, double> CombinedRewards::metrics() const {
    std::map<std::string, double> m;
    for (const RewardStats& s : stats) {
        const std::string p = "reward/" + s.name + "/";
        m[p + "mean"] = s.mean;
        m[p + "std"] = s.std;
        m[p + "none"] = static_cast<double>(s.none);
        m[p + "failures"] = static_cast<double>(s.failures);
        m[p + "timeouts"] = static_cast<double>(s.timeouts);
    }
    const at::Tensor scored = total.index({scorable});
    m["reward/mean"] = scored.numel() > 0 ? scored.mean().item<double>()
                                          : std::numeric_limits<double>::quiet_NaN();
    m["reward/std"] =
        scored.numel() > 1 ? scored.std().item<double>() : 0.0;  // Bessel, as advantages use
    m["reward/unscorable"] = static_cast<double>(scorable.numel() - scorable.sum().item<int64_t>());
    return m;
}

}  // namespace r1::rewards
