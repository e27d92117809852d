// Private: sums that vectorise, for the fused kernels (fused.cpp, attention.cpp).
#pragma once

#include <cstdint>

namespace r1::kernels::detail {

/// Σ term(i) over [0, n) in eight interleaved partial sums: the compiler vectorises the loop where
/// a single accumulator would serialise on its own additions (and independent calls overlap out
/// of order). Always inlined, so a caller built for AVX2 gets AVX2 code.
template <class T, class Term>
[[gnu::always_inline]] inline T sum8(int64_t n, Term term) {
    T partial[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int l = 0; l < 8; ++l) {
            partial[l] += term(i + l);
        }
    }
    for (; i < n; ++i) {
        partial[0] += term(i);
    }
    T sum = 0;
    for (const T p : partial) {
        sum += p;
    }
    return sum;
}

/// Σ a[i]·b[i] over [0, n).
template <class T>
[[gnu::always_inline]] inline T dot(const T* a, const T* b, int64_t n) {
    return sum8<T>(n, [&](int64_t i) { return a[i] * b[i]; });
}

/// Σ a[i] over [0, n).
template <class T>
[[gnu::always_inline]] inline T row_sum(const T* a, int64_t n) {
    return sum8<T>(n, [&](int64_t i) { return a[i]; });
}

}  // namespace r1::kernels::detail
