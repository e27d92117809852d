// AVX-512 (F/BW/VL + BF16) kernels; only this file is compiled with those flags. E4M3 widens exactly
// to bf16 (4 significant bits fit bf16's 8) by a 128-entry table lookup (two vpermt2w), and products
// accumulate with vdpbf16ps: exact products, float32 sums, rounded to nearest even.
//
// The GEMM keeps K in SIMD lanes (a dot product per output, like a GEMV): B's one-byte rows stream
// from memory once per block of A rows and are widened in registers, never written back; each
// 128-wide K block's 16-lane partial sum is promoted into a 16-lane float32 total with its scale, and
// the lanes are summed once at the end.
#include "fp8/kernels.h"

#include "fp8/kernel_scratch.h"

#include <immintrin.h>

namespace r1::fp8::detail {
namespace {

constexpr int64_t kRows = 4;                // B rows per group: 4 rows x 4 chunks = 16 zmm of weights
constexpr int64_t kABudget = 512 * 1024;    // bytes of widened A kept hot in L2 per block of rows
constexpr int64_t kMaxRowsPerBlock = 64;

/// bf16 bits of |E4M3| code c (c < 128): the top half of the exact float32.
struct Bf16Table {
    alignas(64) uint16_t v[128];
    constexpr Bf16Table() : v{} {
        for (uint32_t c = 0; c < 128; ++c) {
            v[c] = static_cast<uint16_t>(decode_bits(c, kE4m3) >> 16);
        }
    }
};
constexpr Bf16Table kBf16{};

struct Widen {
    __m512i t0, t1, t2, t3;
    Widen()
        : t0(_mm512_load_si512(kBf16.v)),
          t1(_mm512_load_si512(kBf16.v + 32)),
          t2(_mm512_load_si512(kBf16.v + 64)),
          t3(_mm512_load_si512(kBf16.v + 96)) {}

    /// 32 E4M3 codes → 32 bf16 (exact).
    __m512i operator()(__m256i codes) const {
        const __m512i x = _mm512_cvtepu8_epi16(codes);
        const __m512i lo = _mm512_permutex2var_epi16(t0, x, t1);  // uses index bits 0..5
        const __m512i hi = _mm512_permutex2var_epi16(t2, x, t3);
        const __m512i mag = _mm512_mask_blend_epi16(_mm512_test_epi16_mask(x, _mm512_set1_epi16(0x40)), lo, hi);
        const __m512i sign = _mm512_slli_epi16(x, 8);  // bit 7 → bit 15; the rest is masked off
        return _mm512_ternarylogic_epi32(mag, sign, _mm512_set1_epi16(static_cast<short>(0x8000)), 0xF8);
    }
};

/// Mask of the valid bytes of chunk j (32 bytes) in a block of `len` valid bytes.
inline __mmask32 chunk_mask(int64_t len, int64_t j) {
    const int64_t valid = iclamp(len - 32 * j, 0, 32);
    return valid == 32 ? ~__mmask32{0} : static_cast<__mmask32>((uint64_t{1} << valid) - 1);
}

/// dst[0:Kp] = bf16(src[0:K]), zero-padded to Kp (a multiple of 128).
void widen_row(const Widen& widen, const uint8_t* src, int64_t K, uint16_t* dst, int64_t Kp) {
    for (int64_t k0 = 0; k0 < Kp; k0 += 32) {
        const __m256i codes = _mm256_maskz_loadu_epi8(chunk_mask(K - k0, 0), src + k0);
        _mm512_storeu_si512(dst + k0, widen(codes));
    }
}

inline __m512 dot4(__m512 acc, const __m512i* a, const __m512i* b) {
    for (int j = 0; j < 4; ++j) {
        acc = _mm512_dpbf16_ps(acc, (__m512bh)a[j], (__m512bh)b[j]);
    }
    return acc;
}

/// C[m0:m1, n:n+rows] for rows ≤ 4 B rows in one 128-row scale block; A widened in `a` ([mc, Kp]).
void gemm_group(const GemmView& g, const Widen& widen, const uint16_t* a, int64_t m0, int64_t m1,
                int64_t n, int64_t rows, __m512* total) {
    const int64_t mc = m1 - m0, KB = num_blocks(g.K), Kp = KB * kBlockSize;
    const uint8_t* brow[kRows];
    for (int64_t r = 0; r < kRows; ++r) {
        brow[r] = g.b + (n + imin(r, rows - 1)) * g.ldb;  // a short group repeats its last row
    }
    const float* b_scale = g.b_scale + (n / kBlockSize) * g.ldb_scale;
    for (int64_t i = 0; i < mc * kRows; ++i) {
        total[i] = _mm512_setzero_ps();
    }
    for (int64_t kb = 0; kb < KB; ++kb) {
        const int64_t k0 = kb * kBlockSize, len = imin(kBlockSize, g.K - k0);
        __m512i b[kRows][4];
        for (int64_t r = 0; r < kRows; ++r) {
            for (int j = 0; j < 4; ++j) {
                b[r][j] = widen(_mm256_maskz_loadu_epi8(chunk_mask(len, j), brow[r] + k0 + 32 * j));
            }
        }
        for (int64_t m = 0; m < mc; ++m) {
            const uint16_t* arow = a + m * Kp + k0;
            const __m512i av[4] = {_mm512_loadu_si512(arow), _mm512_loadu_si512(arow + 32),
                                   _mm512_loadu_si512(arow + 64), _mm512_loadu_si512(arow + 96)};
            const __m512 s = _mm512_set1_ps(g.a_scale[(m0 + m) * g.lda_scale + kb] * b_scale[kb]);
            __m512* t = total + m * kRows;
            for (int64_t r = 0; r < kRows; ++r) {
                t[r] = _mm512_fmadd_ps(dot4(_mm512_setzero_ps(), av, b[r]), s, t[r]);
            }
        }
    }
    for (int64_t m = 0; m < mc; ++m) {
        for (int64_t r = 0; r < rows; ++r) {
            g.c[(m0 + m) * g.ldc + n + r] = _mm512_reduce_add_ps(total[m * kRows + r]);
        }
    }
}

void gemm_avx512(const GemmView& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const Widen widen;
    const int64_t Kp = num_blocks(g.K) * kBlockSize;
    const int64_t mc_max = iclamp(kABudget / (Kp * 2), 1, kMaxRowsPerBlock);
    const Scratch a_buf(mc_max * Kp * 2), total_buf(mc_max * kRows * 64);
    uint16_t* a = a_buf.as<uint16_t>();
    __m512* total = total_buf.as<__m512>();
    for (int64_t mb = m0; mb < m1; mb += mc_max) {
        const int64_t me = imin(m1, mb + mc_max);
        for (int64_t m = mb; m < me; ++m) {
            widen_row(widen, g.a + m * g.lda, g.K, a + (m - mb) * Kp, Kp);
        }
        for (int64_t n = n0; n < n1; n += kRows) {
            gemm_group(g, widen, a, mb, me, n, imin(kRows, n1 - n), total);
        }
    }
}

void encode_avx512(const float* in, uint8_t* out, int64_t n, const Layout& layout, uint32_t overflow) {
    encode_loop(in, out, n, layout, overflow);
}

void decode_avx512(const uint8_t* in, float* out, int64_t n, Format format) {
    decode_loop(in, out, n, table(format));
}

}  // namespace

const KernelTable kAvx512Table{encode_avx512, decode_avx512, gemm_avx512};

}  // namespace r1::fp8::detail
