#include "r1/eval/pass_at_k.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

namespace r1::eval {

double pass_at_k(int64_t n, int64_t c, int64_t k) {
    if (c < 0 || c > n || k < 1 || k > n) {
        throw util::Error(util::str("pass_at_k: need 0 <= c <= n and 1 <= k <= n, got n=", n,
                                    " c=", c, " k=", k));
    }
    if (n - c < k) {
        return 1.0;
    }
    // C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k / i), stable for large n
    double miss = 1.0;
    for (int64_t i = n - c + 1; i <= n; ++i) {
        miss *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
    }
    return 1.0 - miss;
}

bool majority_correct(const std::vector<std::string>& answers,
                      const std::vector<bool>& correct,
                      const Equivalent& equivalent) {
    struct Cluster {
        size_t first;
        int64_t size;
    };

    std::vector<Cluster> clusters;
    for (size_t i = 0; i < answers.size(); ++i) {
        if (answers[i].empty()) {
            continue;
        }
        bool joined = false;
        for (Cluster& cluster : clusters) {
            if (equivalent(answers[cluster.first], answers[i])) {
                ++cluster.size;
                joined = true;
                break;
            }
        }
        if (!joined) {
            clusters.push_back({i, 1});
        }
    }
    const Cluster* best = nullptr;
    for (const Cluster& cluster : clusters) {
        if (best == nullptr || cluster.size > best->size) {
            best = &cluster;
        }
    }
    return best != nullptr && correct[best->first];
}

}  // namespace r1::eval
