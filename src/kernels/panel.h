// Private: the register-tiled micro-kernel that r1's float32 GEMMs share (gemm_batch.cpp for the
// experts' grouped products, decode_gemm.cpp for decoding from 24 rows on): up to six rows of a
// against a packed panel of sixteen columns, twelve AVX2 accumulators, no horizontal sums, 8 loads
// per 12 FMAs. Callers pack their panels their own way (b's columns, or weight rows transposed)
// and block K and N for their caches.
#pragma once

#include <cstdint>

#include "kernels/avx2.h"

namespace r1::kernels::detail {

inline constexpr int64_t kPanelWidth = 16;  // a panel's columns: two AVX2 vectors
inline constexpr int64_t kPanelRows = 6;    // rows a tile: 12 accumulators + 3 in 16 registers

}  // namespace r1::kernels::detail

#ifdef R1_AVX2
#include <immintrin.h>

namespace r1::kernels::detail {

/// c[i][j] = start[i][j] + Σ_k a[i·a_row + k·a_col]·panel[k][j], summed in the order of k, for
/// i < rows (≤ 6) and j < 16; with `accumulate`, c's previous value is added after the sum.
struct PanelTile {
    const float* a;
    int64_t a_row, a_col;
    const float* panel;  // [kc][16], 32-byte aligned
    int64_t kc;
    float* c;
    int64_t ldc;
    const float* start = nullptr;  // the accumulators' first values, rows ld_start apart; null: 0
    int64_t ld_start = 0;
    bool accumulate = false;
};

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"  // the vector helpers are always inlined: no call ABI

// The row loops are unrolled by pragma: left as loops, GCC keeps the twelve accumulators on the
// stack and stores them back on every k.
template <int R>
R1_AVX2_FMA void panel_tile(const PanelTile& t) {
    static_assert(R >= 1 && R <= kPanelRows);
    __m256 lo[R], hi[R];
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
        lo[i] = t.start ? _mm256_loadu_ps(t.start + i * t.ld_start) : _mm256_setzero_ps();
        hi[i] = t.start ? _mm256_loadu_ps(t.start + i * t.ld_start + 8) : _mm256_setzero_ps();
    }
    const float* a = t.a;
    for (int64_t k = 0; k < t.kc; ++k, a += t.a_col) {
        const __m256 b0 = _mm256_load_ps(t.panel + k * kPanelWidth);
        const __m256 b1 = _mm256_load_ps(t.panel + k * kPanelWidth + 8);
#pragma GCC unroll 6
        for (int i = 0; i < R; ++i) {
            const __m256 v = _mm256_broadcast_ss(a + i * t.a_row);
            lo[i] = _mm256_fmadd_ps(b0, v, lo[i]);
            hi[i] = _mm256_fmadd_ps(b1, v, hi[i]);
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
        float* c = t.c + i * t.ldc;
        if (t.accumulate) {
            lo[i] = _mm256_add_ps(lo[i], _mm256_loadu_ps(c));
            hi[i] = _mm256_add_ps(hi[i], _mm256_loadu_ps(c + 8));
        }
        _mm256_storeu_ps(c, lo[i]);
        _mm256_storeu_ps(c + 8, hi[i]);
    }
}

/// panel_tile() for `rows` rows (1-6).
R1_AVX2_FMA inline void panel_tile_rows(int64_t rows, const PanelTile& t) {
    switch (rows) {
        case 1:
            return panel_tile<1>(t);
        case 2:
            return panel_tile<2>(t);
        case 3:
            return panel_tile<3>(t);
        case 4:
            return panel_tile<4>(t);
        case 5:
            return panel_tile<5>(t);
        default:
            return panel_tile<6>(t);
    }
}

#pragma GCC diagnostic pop

}  // namespace r1::kernels::detail

#endif
