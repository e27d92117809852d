// AVX-512 (F/BW/VL/VBMI + BF16) kernels; only this file is compiled with those flags. E4M3 widens
// exactly to bf16 (4 significant bits fit bf16's 8) by 128-entry byte-table lookups (vpermi2b), and
// products accumulate with vdpbf16ps: exact products, float32 sums, rounded to nearest even.
//
// Two GEMMs. Small M (decode, GEMV) keeps K in SIMD lanes, a dot product per output: B's one-byte
// rows stream from memory once per block of A rows and are widened in registers, never written
// back; each 128-wide K block's 16-lane partial sum is promoted into a 16-lane float32 total with
// its scale, and the lanes are summed once at the end. Large M (prefill, training) packs B into
// bf16 panels per K chunk and runs 6x64 outer-product micro-tiles, promoting into C after each
// 128-wide K block.
#include <utility>

#include "fp8/kernel_scratch.h"
#include "fp8/kernel_table.h"
#include <immintrin.h>

namespace r1::fp8::detail {
namespace {

constexpr int64_t kRows = 4;              // B rows per group: 4 rows x 4 chunks = 16 zmm of weights
constexpr int64_t kABudget = 512 * 1024;  // bytes of widened A kept hot in L2 per block of rows
constexpr int64_t kMaxRowsPerBlock = 64;
constexpr int64_t kPrefetch = 1024;  // bytes ahead in each B row

/// bf16 bits of |E4M3| code c (c < 128), the top half of the exact float32, split into bytes.
struct Bf16Table {
    alignas(64) uint8_t lo[128];
    alignas(64) uint8_t hi[128];

    constexpr Bf16Table() : lo{}, hi{} {
        for (uint32_t c = 0; c < 128; ++c) {
            const uint32_t bf16 = decode_bits(c, kE4m3) >> 16;
            lo[c] = static_cast<uint8_t>(bf16 & 0xFF);
            hi[c] = static_cast<uint8_t>(bf16 >> 8);
        }
    }
};

constexpr Bf16Table kBf16{};

/// 64 E4M3 codes → 64 exact bf16 in two registers: two 128-entry byte lookups (vpermi2b, which
/// ignores the sign bit), the sign put back, bytes interleaved. The interleave leaves the elements
/// permuted within each 64-code chunk (w0 = codes 0-7, 16-23, 32-39, 48-55; w1 = the rest); a dot
/// product does not care as long as both operands are widened alike, which every caller does.
struct Widen {
    __m512i lo0, lo1, hi0, hi1;

    Widen()
        : lo0(_mm512_load_si512(kBf16.lo)),
          lo1(_mm512_load_si512(kBf16.lo + 64)),
          hi0(_mm512_load_si512(kBf16.hi)),
          hi1(_mm512_load_si512(kBf16.hi + 64)) {}

    void operator()(__m512i codes, __m512i& w0, __m512i& w1) const {
        const __m512i lo = _mm512_permutex2var_epi8(lo0, codes, lo1);
        __m512i hi = _mm512_permutex2var_epi8(hi0, codes, hi1);
        hi = _mm512_ternarylogic_epi32(hi, codes, _mm512_set1_epi8(static_cast<char>(0x80)),
                                       0xF8);  // | sign
        w0 = _mm512_unpacklo_epi8(lo, hi);
        w1 = _mm512_unpackhi_epi8(lo, hi);
    }
};

/// The first `len` of 64 bytes (len may be ≤ 0 or > 64).
inline __m512i load_codes(const uint8_t* src, int64_t len) {
    const int64_t valid = iclamp(len, 0, 64);
    const __mmask64 mask = valid == 64 ? ~__mmask64{0} : (__mmask64{1} << valid) - 1;
    return _mm512_maskz_loadu_epi8(mask, src);
}

/// dst[0:Kp] = bf16(src[0:K]) in Widen's order, zero past K (Kp a multiple of 64; K may exceed it).
void widen_row(const Widen& widen, const uint8_t* src, int64_t K, uint16_t* dst, int64_t Kp) {
    for (int64_t k0 = 0; k0 < Kp; k0 += 64) {
        __m512i w0, w1;
        widen(load_codes(src + k0, K - k0), w0, w1);
        _mm512_storeu_si512(dst + k0, w0);
        _mm512_storeu_si512(dst + k0 + 32, w1);
    }
}

inline __m512 dot4(__m512 acc, const __m512i* a, const __m512i* b) {
    for (int j = 0; j < 4; ++j) {
        acc = _mm512_dpbf16_ps(acc, (__m512bh)a[j], (__m512bh)b[j]);
    }
    return acc;
}

// ---- small M: dot products with K in lanes ----------------------------------------------------

/// C[m0:m1, n:n+rows] for rows ≤ 4 B rows in one 128-row scale block; A widened in `a` ([mc, Kp]).
void gemm_group(const GemmView& g,
                const Widen& widen,
                const uint16_t* a,
                int64_t m0,
                int64_t m1,
                int64_t n,
                int64_t rows,
                __m512* total) {
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
            // Four streams per thread are more than the hardware prefetcher keeps ahead of DRAM.
            _mm_prefetch(reinterpret_cast<const char*>(brow[r] + k0 + kPrefetch), _MM_HINT_T0);
            _mm_prefetch(reinterpret_cast<const char*>(brow[r] + k0 + kPrefetch + 64), _MM_HINT_T0);
            const bool full = len == kBlockSize;  // plain loads: no mask to build
            widen(full ? _mm512_loadu_si512(brow[r] + k0) : load_codes(brow[r] + k0, len), b[r][0],
                  b[r][1]);
            widen(full ? _mm512_loadu_si512(brow[r] + k0 + 64)
                       : load_codes(brow[r] + k0 + 64, len - 64),
                  b[r][2], b[r][3]);
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

void gemm_dot(
    const GemmView& g, const Widen& widen, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
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

// ---- large M: B packed once per K chunk, outer-product micro-tiles ----------------------------
//
// B's rows are widened and transposed into panels of 64 columns laid out [k pair][64 columns][2],
// so that one vdpbf16ps multiplies a broadcast pair of A (a[m, k], a[m, k+1]) with a pair of 16
// columns; a 6 x 64 tile of C lives in 24 registers through a 128-wide K block, then is promoted
// into C. (6 x 64 beat 12 x 32 by ~7% on Zen 4: fewer loads and broadcasts per vdpbf16ps.)

constexpr int kMr = 6;             // rows of A per micro-tile: 24 accumulators, 4 B, 1 broadcast
constexpr int kNv = 4;             // zmm of columns per panel
constexpr int64_t kNr = 16 * kNv;  // columns per panel
constexpr int64_t kKc = 512;       // K per packing pass: 4 K blocks; a panel is 64 KiB, in L2
constexpr int64_t kPairs = kBlockSize / 2;

/// In-place transpose of 16 rows of 16 dwords (a dword = one k pair of bf16).
inline void transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {  // lane L of r[i + j] now holds column 4L + j of rows i..i+3
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int j = 0; j < 4;
         ++j) {  // 4x4 transpose of 128-bit lanes among r[j], r[4+j], r[8+j], r[12+j]
        const __m512i u0 = _mm512_shuffle_i32x4(r[j], r[4 + j], 0x44),
                      u1 = _mm512_shuffle_i32x4(r[j], r[4 + j], 0xEE);
        const __m512i u2 = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0x44);
        const __m512i u3 = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0xEE);
        t[j] = _mm512_shuffle_i32x4(u0, u2, 0x88);
        t[4 + j] = _mm512_shuffle_i32x4(u0, u2, 0xDD);
        t[8 + j] = _mm512_shuffle_i32x4(u1, u3, 0x88);
        t[12 + j] = _mm512_shuffle_i32x4(u1, u3, 0xDD);
    }
    for (int i = 0; i < 16; ++i) {
        r[i] = t[i];
    }
}

/// Panel of B rows [n, n + 64) ∩ [n, n_end), K range [k0, k0 + kcl) → dst [kcl/2][64] dwords, the
/// k pairs in Widen's order (A's rows are widened the same way).
void pack_panel(const GemmView& g,
                const Widen& widen,
                int64_t n,
                int64_t n_end,
                int64_t k0,
                int64_t kcl,
                uint32_t* dst) {
    for (int64_t half = 0; half < kNv; ++half) {
        for (int64_t k = k0; k < k0 + kcl; k += 64) {
            __m512i r[16], second[16];
            for (int64_t i = 0; i < 16; ++i) {
                const int64_t row = n + 16 * half + i;
                const __m512i codes = row < n_end ? load_codes(g.b + row * g.ldb + k, g.K - k)
                                                  : _mm512_setzero_si512();
                widen(codes, r[i], second[i]);
            }
            uint32_t* out = dst + (k - k0) / 2 * kNr + 16 * half;
            transpose16(r);
            for (int64_t d = 0; d < 16; ++d) {
                _mm512_store_si512(out + d * kNr, r[d]);
            }
            transpose16(second);
            for (int64_t d = 0; d < 16; ++d) {
                _mm512_store_si512(out + (16 + d) * kNr, second[d]);
            }
        }
    }
}

/// C[0:MR, 0:32] (+)= Σ over nblk K blocks of (A-tile · panel) · a_scale · b_scale. `a` holds MR
/// widened rows of length lda_w at the chunk start, `bp` the panel; `first` overwrites C.
template <int MR>
void micro_tile(const uint16_t* a,
                int64_t lda_w,
                const uint32_t* bp,
                int64_t nblk,
                const float* a_scale,
                int64_t lda_scale,
                const float* b_scale,
                float* c,
                int64_t ldc,
                int64_t valid_cols,
                bool first) {
    __mmask16 masks[kNv];
    for (int j = 0; j < kNv; ++j) {
        const int64_t v = iclamp(valid_cols - 16 * j, 0, 16);
        masks[j] = v == 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << v) - 1);
    }
    for (int64_t blk = 0; blk < nblk; ++blk) {
        __m512 acc[MR][kNv];
        for (int i = 0; i < MR; ++i) {
            for (int j = 0; j < kNv; ++j) {
                acc[i][j] = _mm512_setzero_ps();
            }
        }
        const uint32_t* b = bp + blk * kPairs * kNr;
        const uint16_t* ab = a + blk * kBlockSize;
        for (int64_t p = 0; p < kPairs; ++p) {
            __m512bh bv[kNv];
            for (int j = 0; j < kNv; ++j) {
                bv[j] = (__m512bh)_mm512_load_si512(b + p * kNr + 16 * j);
            }
            for (int i = 0; i < MR; ++i) {
                int32_t pair;
                __builtin_memcpy(&pair, ab + i * lda_w + 2 * p, sizeof pair);
                const __m512bh ai = (__m512bh)_mm512_set1_epi32(pair);
                for (int j = 0; j < kNv; ++j) {
                    acc[i][j] = _mm512_dpbf16_ps(acc[i][j], ai, bv[j]);
                }
            }
        }
        const bool overwrite = first && blk == 0;
        for (int i = 0; i < MR; ++i) {
            const __m512 s = _mm512_set1_ps(a_scale[i * lda_scale + blk] * b_scale[blk]);
            for (int j = 0; j < kNv; ++j) {
                float* cij = c + i * ldc + 16 * j;
                const __m512 old =
                    overwrite ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(masks[j], cij);
                _mm512_mask_storeu_ps(cij, masks[j], _mm512_fmadd_ps(acc[i][j], s, old));
            }
        }
    }
}

using MicroTile = void (*)(const uint16_t*,
                           int64_t,
                           const uint32_t*,
                           int64_t,
                           const float*,
                           int64_t,
                           const float*,
                           float*,
                           int64_t,
                           int64_t,
                           bool);

struct MicroTiles {
    MicroTile by_rows[kMr + 1];  // by_rows[mr]: the tile for mr rows of A
};

template <int... R>
constexpr MicroTiles make_micro_tiles(std::integer_sequence<int, R...>) {
    return {{nullptr, micro_tile<R + 1>...}};
}

constexpr MicroTiles kMicroTiles = make_micro_tiles(std::make_integer_sequence<int, kMr>{});

void gemm_packed(
    const GemmView& g, const Widen& widen, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const int64_t Kp = num_blocks(g.K) * kBlockSize, panels = (n1 - n0 + kNr - 1) / kNr;
    const Scratch b_buf(panels * kKc * kNr * 2), a_buf(kMr * kKc * 2);
    uint32_t* bpack = b_buf.as<uint32_t>();
    uint16_t* a = a_buf.as<uint16_t>();
    for (int64_t k0 = 0; k0 < Kp; k0 += kKc) {
        const int64_t kcl = imin(kKc, Kp - k0), panel_size = kcl / 2 * kNr;
        for (int64_t p = 0; p < panels; ++p) {
            pack_panel(g, widen, n0 + p * kNr, n1, k0, kcl, bpack + p * panel_size);
        }
        for (int64_t m = m0; m < m1; m += kMr) {
            const int64_t mr = imin(kMr, m1 - m);
            for (int64_t i = 0; i < mr; ++i) {
                widen_row(widen, g.a + (m + i) * g.lda + k0, g.K - k0, a + i * kcl, kcl);
            }
            for (int64_t p = 0; p < panels; ++p) {
                const int64_t n = n0 + p * kNr;
                kMicroTiles.by_rows[mr](
                    a, kcl, bpack + p * panel_size, kcl / kBlockSize,
                    g.a_scale + m * g.lda_scale + k0 / kBlockSize, g.lda_scale,
                    g.b_scale + (n / kBlockSize) * g.ldb_scale + k0 / kBlockSize,
                    g.c + m * g.ldc + n, g.ldc, n1 - n, k0 == 0);
            }
        }
    }
}

// ---- dispatch ----------------------------------------------------------------------------------

constexpr int64_t kPackedMinRows = 16;  // below this, B's packing costs more than the tiles save

void gemm_avx512(const GemmView& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const Widen widen;
    // Chosen by the whole problem's M, not this item's rows, so the summation order (and so the
    // bits of C) does not depend on how the driver split the work among threads.
    if (g.M >= kPackedMinRows) {
        gemm_packed(g, widen, m0, m1, n0, n1);
    } else {
        gemm_dot(g, widen, m0, m1, n0, n1);
    }
}

/// encode_bits() on 16 floats at once, step for step (convert.h explains each step).
inline __m128i encode16(__m512i bits, const Layout& l, uint32_t overflow) {
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i sign = _mm512_and_si512(_mm512_srli_epi32(bits, 24), _mm512_set1_epi32(0x80));
    const __m512i abs = _mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF));
    const __m512i fexp = _mm512_srli_epi32(abs, 23);
    __m512i mant = _mm512_and_si512(abs, _mm512_set1_epi32(0x7FFFFF));
    mant = _mm512_mask_or_epi32(mant, _mm512_test_epi32_mask(fexp, fexp), mant,
                                _mm512_set1_epi32(0x800000));
    const __m512i e = _mm512_sub_epi32(_mm512_max_epi32(fexp, one), _mm512_set1_epi32(127));
    const __m512i below = _mm512_max_epi32(_mm512_sub_epi32(_mm512_set1_epi32(1 - l.bias), e),
                                           _mm512_setzero_si512());
    const __m512i shift = _mm512_min_epi32(
        _mm512_add_epi32(_mm512_set1_epi32(23 - l.man_bits), below), _mm512_set1_epi32(31));
    __m512i r = _mm512_srlv_epi32(mant, shift);
    const __m512i rem =
        _mm512_and_si512(mant, _mm512_sub_epi32(_mm512_sllv_epi32(one, shift), one));
    const __m512i half = _mm512_sllv_epi32(one, _mm512_sub_epi32(shift, one));
    const __mmask16 up = _mm512_cmpgt_epu32_mask(rem, half) |
                         (_mm512_cmpeq_epi32_mask(rem, half) & _mm512_test_epi32_mask(r, one));
    r = _mm512_mask_add_epi32(r, up, r, one);
    const __m512i eb =
        _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(e, _mm512_set1_epi32(l.bias)), one),
                         _mm512_set1_epi32(64));
    __m512i code = _mm512_add_epi32(
        _mm512_sll_epi32(_mm512_sub_epi32(eb, one), _mm_cvtsi32_si128(l.man_bits)), r);
    code = _mm512_mask_mov_epi32(
        code, _mm512_cmpgt_epu32_mask(code, _mm512_set1_epi32(static_cast<int>(l.max_code))),
        _mm512_set1_epi32(static_cast<int>(overflow)));
    code = _mm512_mask_mov_epi32(code, _mm512_cmpgt_epu32_mask(abs, _mm512_set1_epi32(0x7F800000)),
                                 _mm512_set1_epi32(static_cast<int>(l.nan_code)));
    return _mm512_cvtepi32_epi8(_mm512_or_si512(code, sign));
}

void encode_avx512(
    const float* in, uint8_t* out, int64_t n, const Layout& layout, uint32_t overflow) {
    const Layout l = layout;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                         encode16(_mm512_loadu_si512(in + i), l, overflow));
    }
    if (i < n) {
        const auto mask = static_cast<__mmask16>((1u << (n - i)) - 1);
        _mm_mask_storeu_epi8(out + i, mask,
                             encode16(_mm512_maskz_loadu_epi32(mask, in + i), l, overflow));
    }
}

void decode_avx512(const uint8_t* in, float* out, int64_t n, Format format) {
    decode_loop(in, out, n, table(format));
}

}  // namespace

const KernelTable kAvx512Table{encode_avx512, decode_avx512, gemm_avx512};

}  // namespace r1::fp8::detail
