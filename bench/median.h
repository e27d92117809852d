// The median of a bench's rounds: on the shared 2-core machine one round's figure moves by a third
// within minutes, so benches alternate the two sides round by round and report medians.
#pragma once

#include <algorithm>
#include <vector>

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
