// Private: an 8×8 float32 transposition in AVX2 registers, for the GEMM kernels that pack a
// row-major weight's columns into the panels their outer products read (few-row and grouped).
#pragma once

#include "kernels/avx2.h"

#ifdef R1_AVX2
#include <cstdint>

#include <immintrin.h>

namespace r1::kernels::detail {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"  // inlined into AVX2 code: no call ABI

/// dst[c][r] = src[r][c] for an 8×8 block (rows lds and ldd floats apart).
R1_AVX2_FMA R1_INLINE void transpose8(const float* src, int64_t lds, float* dst, int64_t ldd) {
    __m256 r[8], t[8];
    for (int i = 0; i < 8; ++i) {
        r[i] = _mm256_loadu_ps(src + i * lds);
    }
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {  // pairs of columns of four rows
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; ++i) {  // lanes 0-3 from rows 0-3, lanes 4-7 from rows 4-7
        _mm256_storeu_ps(dst + i * ldd, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
        _mm256_storeu_ps(dst + (i + 4) * ldd, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
    }
}

#pragma GCC diagnostic pop

}  // namespace r1::kernels::detail

#endif
