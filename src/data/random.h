// Private to src/data: bit-stable random draws for shuffles and task generators. std::mt19937_64's
// output is fixed by the C++ standard, but std::uniform_int_distribution's is not, so the bounded
// draws are written here (Lemire's multiply-and-reject): the same seed gives the same data on
// every compiler and LibTorch version.
#pragma once

#include <cstdint>
#include <random>

namespace r1::data {

__extension__ using Uint128 = unsigned __int128;  // GCC/Clang; -Wpedantic wants the marker

class Random {
  public:
    explicit Random(uint64_t seed) : engine_(seed) {}

    /// Uniform in [0, n); n > 0.
    uint64_t below(uint64_t n) {
        Uint128 m = static_cast<Uint128>(engine_()) * n;
        auto low = static_cast<uint64_t>(m);
        if (low < n) {
            const uint64_t threshold = -n % n;
            while (low < threshold) {
                m = static_cast<Uint128>(engine_()) * n;
                low = static_cast<uint64_t>(m);
            }
        }
        return static_cast<uint64_t>(m >> 64);
    }

    /// Uniform in [lo, hi]; lo <= hi.
    int64_t between(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
    }

  private:
    std::mt19937_64 engine_;
};

}  // namespace r1::data
