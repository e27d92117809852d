// AVX2 + FMA + F16C kernels; only this file is compiled with -mavx2 -mfma -mf16c. E4M3 widens
// exactly to float32 through a half (vcvtph2ps) times 2^8, products accumulate with FMA.
//
// Same structure as the AVX-512 GEMM (K in lanes, B streamed once per block of A rows, promotion
// per 128-wide K block into a lane-wise float32 total), except that one 128-wide block of four B
// rows is widened into a 2 KiB L1 buffer rather than registers. The GEMV (M = 1) widens in
// registers, through a shorter path that leaves NaN codes to a check.
#include "fp8/kernel_scratch.h"
#include "fp8/kernel_table.h"
#include <immintrin.h>

namespace r1::fp8::detail {
namespace {

constexpr int64_t kRows = 4;              // B rows per group
constexpr int64_t kABudget = 512 * 1024;  // bytes of widened A kept hot in L2 per block of rows
constexpr int64_t kMaxRowsPerBlock = 64;

/// 16 E4M3 codes → two vectors of their exact float32 values / 2^8, in registers, through F16C:
/// the code's exponent and mantissa bits shifted into a half's and read as a half give the value
/// over 2^8 (the bias difference 15 - 7) for normal and subnormal codes alike (E4M3 subnormals land
/// on half subnormals, which vcvtph2ps converts exactly whatever MXCSR says); 0x7F gets a half
/// NaN's exponent first. The GEMV folds the 2^8 into its block scale.
inline void widen16_unscaled(__m128i codes, __m256& lo, __m256& hi) {
    const __m256i x = _mm256_cvtepu8_epi16(codes);
    const __m256i mag = _mm256_and_si256(x, _mm256_set1_epi16(0x7F));
    __m256i h = _mm256_slli_epi16(mag, 7);
    h = _mm256_or_si256(h, _mm256_slli_epi16(_mm256_and_si256(x, _mm256_set1_epi16(0x80)), 8));
    h = _mm256_or_si256(h, _mm256_and_si256(_mm256_cmpeq_epi16(mag, _mm256_set1_epi16(0x7F)),
                                            _mm256_set1_epi16(0x7C00)));
    lo = _mm256_cvtph_ps(_mm256_castsi256_si128(h));
    hi = _mm256_cvtph_ps(_mm256_extracti128_si256(h, 1));
}

/// 16 E4M3 codes → 16 exact float32 at dst.
inline void widen16(__m128i codes, float* dst) {
    __m256 lo, hi;
    widen16_unscaled(codes, lo, hi);
    const __m256 scale = _mm256_set1_ps(256.0f);
    _mm256_store_ps(dst, _mm256_mul_ps(lo, scale));
    _mm256_store_ps(dst + 8, _mm256_mul_ps(hi, scale));
}

/// dst[0:len] = float(src[0:len]), zero-filled to 128 (len ≤ 128).
inline void widen_block(const uint8_t* src, int64_t len, float* dst) {
    alignas(16) uint8_t tail[kBlockSize];
    if (len < kBlockSize) {
        std::memset(tail, 0, sizeof tail);
        std::memcpy(tail, src, static_cast<size_t>(len));
        src = tail;
    }
    for (int64_t k = 0; k < kBlockSize; k += 16) {
        widen16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k)), dst + k);
    }
}

/// The 4 dot products of one widened A block with 4 widened B rows: two chains per row hide
/// latency.
inline void dot_block(const float* a, const float* b, __m256* acc) {
    __m256 even[kRows], odd[kRows];
    for (int64_t r = 0; r < kRows; ++r) {
        even[r] = odd[r] = _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < kBlockSize; k += 16) {
        const __m256 a0 = _mm256_load_ps(a + k), a1 = _mm256_load_ps(a + k + 8);
        for (int64_t r = 0; r < kRows; ++r) {
            even[r] = _mm256_fmadd_ps(a0, _mm256_load_ps(b + r * kBlockSize + k), even[r]);
            odd[r] = _mm256_fmadd_ps(a1, _mm256_load_ps(b + r * kBlockSize + k + 8), odd[r]);
        }
    }
    for (int64_t r = 0; r < kRows; ++r) {
        acc[r] = _mm256_add_ps(even[r], odd[r]);
    }
}

inline float hsum(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

/// C[m0:m1, n:n+rows] for rows ≤ 4 B rows in one 128-row scale block; A widened in `a` ([mc, Kp]).
void gemm_group(const GemmView& g,
                const float* a,
                int64_t m0,
                int64_t m1,
                int64_t n,
                int64_t rows,
                float* b_buf,
                __m256* total) {
    const int64_t mc = m1 - m0, KB = num_blocks(g.K), Kp = KB * kBlockSize;
    const float* b_scale = g.b_scale + (n / kBlockSize) * g.ldb_scale;
    for (int64_t i = 0; i < mc * kRows; ++i) {
        total[i] = _mm256_setzero_ps();
    }
    for (int64_t kb = 0; kb < KB; ++kb) {
        const int64_t k0 = kb * kBlockSize, len = imin(kBlockSize, g.K - k0);
        for (int64_t r = 0; r < kRows; ++r) {  // a short group repeats its last row
            widen_block(g.b + (n + imin(r, rows - 1)) * g.ldb + k0, len, b_buf + r * kBlockSize);
        }
        for (int64_t m = 0; m < mc; ++m) {
            __m256 acc[kRows];
            dot_block(a + m * Kp + k0, b_buf, acc);
            const __m256 s = _mm256_set1_ps(g.a_scale[(m0 + m) * g.lda_scale + kb] * b_scale[kb]);
            for (int64_t r = 0; r < kRows; ++r) {
                total[m * kRows + r] = _mm256_fmadd_ps(acc[r], s, total[m * kRows + r]);
            }
        }
    }
    for (int64_t m = 0; m < mc; ++m) {
        for (int64_t r = 0; r < rows; ++r) {
            g.c[(m0 + m) * g.ldc + n + r] = hsum(total[m * kRows + r]);
        }
    }
}

/// 32 E4M3 codes → four vectors of their float32 values / 2^8 (codes 0-7, 8-15, 16-23, 24-31) in
/// twelve instructions (widen16_unscaled takes 24 for 32), for the GEMV, where widening is the
/// bottleneck. Each code goes to the high
/// byte of a 16-bit lane (unpack with zero); an arithmetic shift by one moves its exponent and
/// mantissa bits to a half's, and clearing bit 14 (the sign's copy) leaves the half worth the code
/// over 2^8, subnormals included. The NaN codes come out finite (±480 / 2^8): see nan_codes().
inline void widen32_unscaled_fast(__m256i x, __m256* w) {
    const __m256i zero = _mm256_setzero_si256(), keep = _mm256_set1_epi16(int16_t(0xBFFF));
    const __m256i lo = _mm256_and_si256(_mm256_srai_epi16(_mm256_unpacklo_epi8(zero, x), 1), keep);
    const __m256i hi = _mm256_and_si256(_mm256_srai_epi16(_mm256_unpackhi_epi8(zero, x), 1), keep);
    w[0] = _mm256_cvtph_ps(_mm256_castsi256_si128(lo));  // the unpacks work per 128-bit lane
    w[1] = _mm256_cvtph_ps(_mm256_castsi256_si128(hi));
    w[2] = _mm256_cvtph_ps(_mm256_extracti128_si256(lo, 1));
    w[3] = _mm256_cvtph_ps(_mm256_extracti128_si256(hi, 1));
}

/// 0xFF in each byte of x that holds a NaN code (0x7F, 0xFF), 0 elsewhere.
inline __m256i nan_codes(__m256i x) {
    const __m256i nan = _mm256_set1_epi8(0x7F);
    return _mm256_cmpeq_epi8(_mm256_and_si256(x, nan), nan);
}

/// The dot products of A's row m (widened in `a`, [Kp], zero past K) with up to 4 B rows from n,
/// each 128-wide block promoted with its scales, into total[0:4]; 4 B rows share every load of A.
/// Fast: widen32_unscaled_fast, returning the rows' NaN codes (nan_codes() OR-ed; the caller
/// redoes such a group exactly); exact: widen16_unscaled (returns zero).
template <bool Fast>
__m256i gemv_group(
    const GemmView& g, const float* a, int64_t m, int64_t n, int64_t rows, float* total) {
    const int64_t KB = num_blocks(g.K);
    const float* b_scale = g.b_scale + (n / kBlockSize) * g.ldb_scale;
    alignas(32) uint8_t tail[kRows][kBlockSize];
    __m256i found = _mm256_setzero_si256();
    for (int64_t kb = 0; kb < KB; ++kb) {
        const int64_t k0 = kb * kBlockSize, len = imin(kBlockSize, g.K - k0);
        const uint8_t* b[kRows];
        for (int64_t r = 0; r < kRows; ++r) {  // a short group repeats its last row
            b[r] = g.b + (n + imin(r, rows - 1)) * g.ldb + k0;
            if (len < kBlockSize) {  // zeros past K: a NaN code there would poison the sum
                std::memset(tail[r], 0, kBlockSize);
                std::memcpy(tail[r], b[r], static_cast<size_t>(len));
                b[r] = tail[r];
            }
        }
        __m256 even[kRows], odd[kRows];  // two FMA chains per row hide latency
        for (int64_t r = 0; r < kRows; ++r) {
            even[r] = odd[r] = _mm256_setzero_ps();
        }
        if constexpr (Fast) {
            for (int64_t k = 0; k < kBlockSize; k += 32) {
                const float* ak = a + k0 + k;
                const __m256 a0 = _mm256_load_ps(ak), a1 = _mm256_load_ps(ak + 8),
                             a2 = _mm256_load_ps(ak + 16), a3 = _mm256_load_ps(ak + 24);
                for (int64_t r = 0; r < kRows; ++r) {
                    const __m256i x =
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[r] + k));
                    found = _mm256_or_si256(found, nan_codes(x));
                    __m256 w[4];
                    widen32_unscaled_fast(x, w);
                    even[r] = _mm256_fmadd_ps(a0, w[0], even[r]);
                    odd[r] = _mm256_fmadd_ps(a1, w[1], odd[r]);
                    even[r] = _mm256_fmadd_ps(a2, w[2], even[r]);
                    odd[r] = _mm256_fmadd_ps(a3, w[3], odd[r]);
                }
            }
        } else {
            for (int64_t k = 0; k < kBlockSize; k += 16) {
                const __m256 a0 = _mm256_load_ps(a + k0 + k), a1 = _mm256_load_ps(a + k0 + k + 8);
                for (int64_t r = 0; r < kRows; ++r) {
                    __m256 lo, hi;
                    widen16_unscaled(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[r] + k)),
                                     lo, hi);
                    even[r] = _mm256_fmadd_ps(a0, lo, even[r]);
                    odd[r] = _mm256_fmadd_ps(a1, hi, odd[r]);
                }
            }
        }
        const float s = g.a_scale[m * g.lda_scale + kb] * b_scale[kb] * 256.0f;
        for (int64_t r = 0; r < kRows; ++r) {
            total[r] += hsum(_mm256_add_ps(even[r], odd[r])) * s;
        }
    }
    return found;
}

/// One row of A (M = 1, decode): the weights go from their bytes to FMAs in registers, with no
/// widened copy in between, since each is used once. C[m, n0:n1].
void gemv_avx2(const GemmView& g, const float* a, int64_t m, int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; n += kRows) {
        const int64_t rows = imin(kRows, n1 - n);
        float total[kRows] = {};
        const __m256i nan = gemv_group<true>(g, a, m, n, rows, total);
        if (!_mm256_testz_si256(nan, nan)) {  // rare: only a NaN weight, so the sum is NaN
            std::memset(total, 0, sizeof total);
            gemv_group<false>(g, a, m, n, rows, total);
        }
        for (int64_t r = 0; r < rows; ++r) {
            g.c[m * g.ldc + n + r] = total[r];
        }
    }
}

void gemm_avx2(const GemmView& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const int64_t KB = num_blocks(g.K), Kp = KB * kBlockSize;
    if (m1 - m0 == 1) {
        const Scratch a_row(Kp * 4);
        for (int64_t kb = 0; kb < KB; ++kb) {
            const int64_t k0 = kb * kBlockSize;
            widen_block(g.a + m0 * g.lda + k0, imin(kBlockSize, g.K - k0), a_row.as<float>() + k0);
        }
        gemv_avx2(g, a_row.as<float>(), m0, n0, n1);
        return;
    }
    const int64_t mc_max = iclamp(kABudget / (Kp * 4), 1, kMaxRowsPerBlock);
    const Scratch a_buf(mc_max * Kp * 4), b_buf(kRows * kBlockSize * 4),
        total_buf(mc_max * kRows * 32);
    float* a = a_buf.as<float>();
    for (int64_t mb = m0; mb < m1; mb += mc_max) {
        const int64_t me = imin(m1, mb + mc_max);
        for (int64_t m = mb; m < me; ++m) {
            for (int64_t kb = 0; kb < KB; ++kb) {
                const int64_t k0 = kb * kBlockSize;
                widen_block(g.a + m * g.lda + k0, imin(kBlockSize, g.K - k0),
                            a + (m - mb) * Kp + k0);
            }
        }
        for (int64_t n = n0; n < n1; n += kRows) {
            gemm_group(g, a, mb, me, n, imin(kRows, n1 - n), b_buf.as<float>(),
                       total_buf.as<__m256>());
        }
    }
}

void encode_avx2(
    const float* in, uint8_t* out, int64_t n, const Layout& layout, uint32_t overflow) {
    encode_loop(in, out, n, layout, overflow);
}

void decode_avx2(const uint8_t* in, float* out, int64_t n, Format format) {
    decode_loop(in, out, n, table(format));
}

}  // namespace

const KernelTable kAvx2Table{encode_avx2, decode_avx2, gemm_avx2};

}  // namespace r1::fp8::detail
