#include "r1/data/packing.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>
#include <utility>

namespace r1::data {

std::vector<std::vector<int64_t>> pack_best_fit_decreasing(const std::vector<int64_t>& lengths,
                                                           int64_t capacity) {
    std::vector<int64_t> order(lengths.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&lengths](int64_t a, int64_t b) {
        return lengths[static_cast<size_t>(a)] > lengths[static_cast<size_t>(b)];
    });
    std::vector<std::vector<int64_t>> rows;
    std::set<std::pair<int64_t, int64_t>> free;  // (free tokens, row): best fit = lower_bound
    for (const int64_t doc : order) {
        const int64_t n = lengths[static_cast<size_t>(doc)];
        if (n < 1 || n > capacity) {
            throw util::ConfigError(util::str("packing: document ", doc, " has ", n,
                                              " tokens; expected 1 to the row length ", capacity));
        }
        auto fit = free.lower_bound({n, 0});
        int64_t row = 0;
        int64_t room = capacity;
        if (fit == free.end()) {
            row = static_cast<int64_t>(rows.size());
            rows.emplace_back();
        } else {
            std::tie(room, row) = *fit;
            free.erase(fit);
        }
        rows[static_cast<size_t>(row)].push_back(doc);
        if (room - n > 0) {
            free.insert({room - n, row});
        }
    }
    return rows;
}

}  // namespace r1::data
