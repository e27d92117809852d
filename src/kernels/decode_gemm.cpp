#include "r1/kernels/decode_gemm.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/ops/empty.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "kernels/avx2.h"
#include "kernels/exp_nonpositive.h"
#include "kernels/panel.h"
#include "kernels/partial_sums.h"
#include "kernels/transpose8.h"

#ifdef R1_AVX2
#include <immintrin.h>
#endif

namespace r1::kernels {
namespace detail {
namespace {

// The portable loop: one dot product per output, the weight row in L1 across the rows.
void gemm_portable(const DecodeGemm& g, int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
        const float* w = g.w + n * g.ldw;
        const float b = g.bias ? g.bias[n] : 0.0f;
        for (int64_t m = 0; m < g.M; ++m) {
            g.y[m * g.ldy + n] = dot(g.x + m * g.ldx, w, g.K) + b;
        }
    }
}

#ifdef R1_AVX2
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"  // the vector helpers are always inlined: no call ABI

// The sums of four vectors' lanes: [Σa, Σb, Σc, Σd].
R1_AVX2_FMA R1_INLINE __m128 lane_sums4(__m256 a, __m256 b, __m256 c, __m256 d) {
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

// Lanes below `n` (0-7) on, for the K tail's masked loads.
R1_AVX2_FMA R1_INLINE __m256i first_lanes(int64_t n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane);
}

// Four weight rows against two x rows: each weight vector loaded once for two FMAs.
struct Block4 {
    const float* w[4];
    int64_t K;
    __m256i tail;  // lanes of the last, partial 8-wide step
};

R1_AVX2_FMA R1_INLINE void two_rows(
    const Block4& b, const float* xa, const float* xb, __m128* ya, __m128* yb) {
    __m256 a[4], c[4];
    for (int j = 0; j < 4; ++j) {
        a[j] = c[j] = _mm256_setzero_ps();
    }
    int64_t k = 0;
    for (; k + 8 <= b.K; k += 8) {
        const __m256 va = _mm256_loadu_ps(xa + k), vb = _mm256_loadu_ps(xb + k);
        for (int j = 0; j < 4; ++j) {
            const __m256 w = _mm256_loadu_ps(b.w[j] + k);
            a[j] = _mm256_fmadd_ps(w, va, a[j]);
            c[j] = _mm256_fmadd_ps(w, vb, c[j]);
        }
    }
    if (k < b.K) {
        const __m256 va = _mm256_maskload_ps(xa + k, b.tail),
                     vb = _mm256_maskload_ps(xb + k, b.tail);
        for (int j = 0; j < 4; ++j) {
            const __m256 w = _mm256_maskload_ps(b.w[j] + k, b.tail);
            a[j] = _mm256_fmadd_ps(w, va, a[j]);
            c[j] = _mm256_fmadd_ps(w, vb, c[j]);
        }
    }
    *ya = lane_sums4(a[0], a[1], a[2], a[3]);
    *yb = lane_sums4(c[0], c[1], c[2], c[3]);
}

// Four weight rows against one x row (a GEMV): two sets of accumulators over alternate 8-wide
// steps, so eight FMA chains hide the FMA's latency.
R1_AVX2_FMA R1_INLINE __m128 one_row(const Block4& b, const float* x) {
    __m256 a[4], c[4];
    for (int j = 0; j < 4; ++j) {
        a[j] = c[j] = _mm256_setzero_ps();
    }
    int64_t k = 0;
    for (; k + 16 <= b.K; k += 16) {
        const __m256 v0 = _mm256_loadu_ps(x + k), v1 = _mm256_loadu_ps(x + k + 8);
        for (int j = 0; j < 4; ++j) {
            a[j] = _mm256_fmadd_ps(_mm256_loadu_ps(b.w[j] + k), v0, a[j]);
            c[j] = _mm256_fmadd_ps(_mm256_loadu_ps(b.w[j] + k + 8), v1, c[j]);
        }
    }
    for (; k + 8 <= b.K; k += 8) {
        const __m256 v = _mm256_loadu_ps(x + k);
        for (int j = 0; j < 4; ++j) {
            a[j] = _mm256_fmadd_ps(_mm256_loadu_ps(b.w[j] + k), v, a[j]);
        }
    }
    if (k < b.K) {
        const __m256 v = _mm256_maskload_ps(x + k, b.tail);
        for (int j = 0; j < 4; ++j) {
            c[j] = _mm256_fmadd_ps(_mm256_maskload_ps(b.w[j] + k, b.tail), v, c[j]);
        }
    }
    return lane_sums4(_mm256_add_ps(a[0], c[0]), _mm256_add_ps(a[1], c[1]),
                      _mm256_add_ps(a[2], c[2]), _mm256_add_ps(a[3], c[3]));
}

// Four weight rows (a Block4) against rows [m0, m1) of x.
R1_AVX2_FMA R1_INLINE void block_rows(const DecodeGemm& g, int64_t n, int64_t m0, int64_t m1) {
    const Block4 b{
        .w = {g.w + n * g.ldw, g.w + (n + 1) * g.ldw, g.w + (n + 2) * g.ldw, g.w + (n + 3) * g.ldw},
        .K = g.K,
        .tail = first_lanes(g.K % 8)};
    const __m128 bias = g.bias ? _mm_loadu_ps(g.bias + n) : _mm_setzero_ps();
    int64_t m = m0;
    for (; m + 2 <= m1; m += 2) {
        __m128 ya, yb;
        two_rows(b, g.x + m * g.ldx, g.x + (m + 1) * g.ldx, &ya, &yb);
        _mm_storeu_ps(g.y + m * g.ldy + n, _mm_add_ps(ya, bias));
        _mm_storeu_ps(g.y + (m + 1) * g.ldy + n, _mm_add_ps(yb, bias));
    }
    if (m < m1) {
        _mm_storeu_ps(g.y + m * g.ldy + n, _mm_add_ps(one_row(b, g.x + m * g.ldx), bias));
    }
}

// The weight rows [n, n + 4) into L1 ahead of their use. Software prefetch: the hardware's
// streamers ramp up too late on these short runs of rows, which then stream below what the cache
// gives.
R1_AVX2_FMA R1_INLINE void prefetch_block(const DecodeGemm& g, int64_t n) {
    for (int64_t j = 0; j < 4; ++j) {
        const auto* row = reinterpret_cast<const char*>(g.w + (n + j) * g.ldw);
        for (int64_t byte = 0; byte < g.K * static_cast<int64_t>(sizeof(float)); byte += 64) {
            _mm_prefetch(row + byte, _MM_HINT_T0);
        }
    }
}

// Panels of 64 weight rows (128 KB at K = 512: they stay in L2) against chunks of 8 rows of x
// (16 KB: in L1), so each weight row comes from memory once and x from L1, not L2, however many
// rows there are. Each block of four weight rows, on its first chunk, fetches the block two ahead.
R1_AVX2_FMA void gemm_avx2(const DecodeGemm& g, int64_t n0, int64_t n1) {
    constexpr int64_t kPanel = 64, kChunk = 8, kAhead = 8;
    const int64_t n_blocks_end = n0 + (n1 - n0) / 4 * 4;
    for (int64_t p = n0; p < n_blocks_end; p += kPanel) {
        const int64_t p1 = std::min(p + kPanel, n_blocks_end);
        for (int64_t m = 0; m < g.M; m += kChunk) {
            for (int64_t n = p; n < p1; n += 4) {
                if (m == 0 && n + kAhead + 4 <= n_blocks_end) {
                    prefetch_block(g, n + kAhead);
                }
                block_rows(g, n, m, std::min(m + kChunk, g.M));
            }
        }
    }
    gemm_portable(g, n_blocks_end, n1);  // the last (n1 - n0) % 4 weight rows
}

// From kPanelMinRows rows on, the outer-product path: 16 weight rows at a time are transposed
// into a panel [256 of K][16] (16 KB: in L1), then six rows of x at a time broadcast each k
// against its two vectors. Twelve accumulators, no horizontal sums, 8 loads per 12 FMAs: faster
// than the dot products above on a large weight at many rows. At 8-16 rows the transposition
// costs what it saves on the head and more on a 1 MB expert; at 24 the two paths are even.
constexpr int64_t kPanelMinRows = 24, kPanelDepth = 256;

// panel[k][j] = w[n + j][k0 + k] for j < 16, k < kc.
R1_AVX2_FMA void pack_panel(const DecodeGemm& g, int64_t n, int64_t k0, int64_t kc, float* panel) {
    const float* w = g.w + n * g.ldw + k0;
    int64_t k = 0;
    for (; k + 8 <= kc; k += 8) {
        detail::transpose8(w + k, g.ldw, panel + k * kPanelWidth, kPanelWidth);
        detail::transpose8(w + 8 * g.ldw + k, g.ldw, panel + k * kPanelWidth + 8, kPanelWidth);
    }
    for (; k < kc; ++k) {
        for (int64_t j = 0; j < kPanelWidth; ++j) {
            panel[k * kPanelWidth + j] = w[j * g.ldw + k];
        }
    }
}

// Weight rows [n0, n1) in panels of 16, each over K in blocks of 256, against all of x; the last
// (n1 - n0) % 16 weight rows by dot products. Each output adds its products in the order of k, so
// the result does not depend on where the threads split N.
R1_AVX2_FMA void gemm_panels(const DecodeGemm& g, int64_t n0, int64_t n1) {
    alignas(64) float panel[kPanelWidth * kPanelDepth];
    const int64_t panels_end = n0 + (n1 - n0) / kPanelWidth * kPanelWidth;
    for (int64_t n = n0; n < panels_end; n += kPanelWidth) {
        for (int64_t k0 = 0; k0 < g.K; k0 += kPanelDepth) {
            const int64_t kc = std::min(kPanelDepth, g.K - k0);
            pack_panel(g, n, k0, kc, panel);
            for (int64_t m = 0; m < g.M; m += kPanelRows) {
                float* y = g.y + m * g.ldy + n;
                const bool first = k0 == 0;
                panel_tile_rows(std::min(kPanelRows, g.M - m),
                                {.a = g.x + m * g.ldx + k0,
                                 .a_row = g.ldx,
                                 .a_col = 1,
                                 .panel = panel,
                                 .kc = kc,
                                 .c = y,
                                 .ldc = g.ldy,
                                 .start = first ? (g.bias ? g.bias + n : nullptr) : y,
                                 .ld_start = first ? 0 : g.ldy});
            }
        }
    }
    gemm_avx2(g, panels_end, n1);
}

#pragma GCC diagnostic pop
#endif

}  // namespace

void decode_gemm(const DecodeGemm& g, int64_t n0, int64_t n1) {
#ifdef R1_AVX2
    if (detail::cpu_has_avx2_fma()) {
        return g.M >= kPanelMinRows ? gemm_panels(g, n0, n1) : gemm_avx2(g, n0, n1);
    }
#endif
    gemm_portable(g, n0, n1);
}

}  // namespace detail

namespace {

using detail::DecodeGemm;

// All of N over the threads, in blocks of 16 weight rows (the outer-product path's panels). A task
// takes at least 2^14 FMAs (64 KB of weights at one row, a few us): below that, forking costs
// more than the split saves.
void decode_gemm_parallel(const DecodeGemm& g) {
    constexpr int64_t kBlock = 16;
    const int64_t blocks = (g.N + kBlock - 1) / kBlock;
    const int64_t grain =
        std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(kBlock * g.K * g.M, 1));
    at::parallel_for(0, blocks, grain, [&](int64_t b0, int64_t b1) {
        detail::decode_gemm(g, kBlock * b0, std::min(kBlock * b1, g.N));
    });
}

bool float_cpu(const at::Tensor& t) {
    return t.device().is_cpu() && t.scalar_type() == at::kFloat;
}

bool wants_grad(const at::Tensor& t) {
    return t.defined() && t.requires_grad();
}

}  // namespace

bool decode_linear_serves(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias) {
    if (!detail::cpu_has_avx2_fma() || x.dim() < 1 || w.dim() != 2 || !float_cpu(x) ||
        !float_cpu(w) || !w.is_contiguous() || w.size(1) == 0 || x.size(-1) != w.size(1) ||
        x.numel() == 0) {
        return false;
    }
    if (bias.defined() && (!float_cpu(bias) || !bias.is_contiguous() || bias.dim() != 1 ||
                           bias.size(0) != w.size(0))) {
        return false;
    }
    if (c10::GradMode::is_enabled() && (wants_grad(x) || wants_grad(w) || wants_grad(bias))) {
        return false;
    }
    if (at::autocast::is_autocast_enabled(at::kCPU)) {  // torch::linear would run in bf16
        return false;
    }
    return x.numel() / w.size(1) <= kDecodeRowsMax;
}

at::Tensor decode_linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& bias) {
    const int64_t N = w.size(0), K = w.size(1);
    auto rows = x.reshape({-1, K});
    if (rows.stride(1) != 1) {
        rows = rows.contiguous();
    }
    auto sizes = x.sizes().vec();
    sizes.back() = N;
    auto y = at::empty(sizes, x.options());
    decode_gemm_parallel({.x = rows.const_data_ptr<float>(),
                          .w = w.const_data_ptr<float>(),
                          .bias = bias.defined() ? bias.const_data_ptr<float>() : nullptr,
                          .y = y.mutable_data_ptr<float>(),
                          .M = rows.size(0),
                          .N = N,
                          .K = K,
                          .ldx = rows.stride(0),
                          .ldw = K,
                          .ldy = N});
    return y;
}

namespace {

// The slots (token t's j-th choice is slot t·K + j) grouped by expert, in slot order within each.
struct ExpertSlots {
    std::vector<int64_t> slots;  // by expert
    std::vector<int64_t> start;  // [E + 1]: expert e's slots are [start[e], start[e + 1])
};

ExpertSlots group_by_expert(const int64_t* expert_of, int64_t slots, int64_t E) {
    ExpertSlots g{.slots = std::vector<int64_t>(slots), .start = std::vector<int64_t>(E + 1, 0)};
    for (int64_t s = 0; s < slots; ++s) {
        TORCH_CHECK(expert_of[s] >= 0 && expert_of[s] < E, "decode_experts: expert index ",
                    expert_of[s], " outside [0, ", E, ")");
        ++g.start[expert_of[s] + 1];
    }
    std::partial_sum(g.start.begin(), g.start.end(), g.start.begin());
    std::vector<int64_t> next(g.start.begin(), g.start.end() - 1);
    for (int64_t s = 0; s < slots; ++s) {
        g.slots[next[expert_of[s]]++] = s;
    }
    return g;
}

// One expert's MLP on its slots' tokens: out[s] = down·(silu(gate·x) ⊙ up·x) for each slot s.
struct ExpertMlp {
    const float* x;        // [N, H]
    const float* gate_up;  // [2I, H]
    const float* down;     // [H, I]
    float* out;            // [N·K, H], by slot
    int64_t H, I, K;
};

// silu(g)·u = g·σ(g)·u with σ(g) = (g < 0 ? e : 1) / (1 + e), e = e^-|g|: the exponent is never
// positive, and the selects work on bits, so the loop vectorises.
R1_INLINE void swiglu_rows(const float* h, float* act, int64_t rows, int64_t I) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* g = h + r * 2 * I;
        for (int64_t i = 0; i < I; ++i) {
            const auto bits = std::bit_cast<uint32_t>(g[i]);
            const float e = detail::exp_nonpositive(std::bit_cast<float>(bits | 0x80000000u));
            const uint32_t one = std::bit_cast<uint32_t>(1.0f);
            const float num = std::bit_cast<float>((bits >> 31) ? std::bit_cast<uint32_t>(e) : one);
            act[r * I + i] = g[i] * (num / (1.0f + e)) * g[I + i];
        }
    }
}

// row += weight·o over H.
R1_INLINE void add_scaled(float* row, const float* o, float weight, int64_t H) {
    for (int64_t h = 0; h < H; ++h) {
        row[h] += o[h] * weight;
    }
}

#ifdef R1_AVX2
R1_AVX2_FMA void swiglu_rows_avx2(const float* h, float* act, int64_t rows, int64_t I) {
    swiglu_rows(h, act, rows, I);
}

R1_AVX2_FMA void add_scaled_avx2(float* row, const float* o, float weight, int64_t H) {
    add_scaled(row, o, weight, H);
}
#endif

void swiglu_rows_any(const float* h, float* act, int64_t rows, int64_t I) {
#ifdef R1_AVX2
    if (detail::cpu_has_avx2_fma()) {
        return swiglu_rows_avx2(h, act, rows, I);
    }
#endif
    swiglu_rows(h, act, rows, I);
}

void add_scaled_any(float* row, const float* o, float weight, int64_t H) {
#ifdef R1_AVX2
    if (detail::cpu_has_avx2_fma()) {
        return add_scaled_avx2(row, o, weight, H);
    }
#endif
    add_scaled(row, o, weight, H);
}

// `scratch` is the calling task's, reused from expert to expert: no allocation per expert.
void run_expert(const ExpertMlp& e,
                const int64_t* slots,
                int64_t count,
                std::vector<float>& scratch) {
    const int64_t H = e.H, I = e.I;
    scratch.resize(count * (2 * H + 3 * I));
    float* xs = scratch.data();      // [count, H]
    float* h = xs + count * H;       // [count, 2I]
    float* act = h + count * 2 * I;  // [count, I]
    float* ys = act + count * I;     // [count, H]
    for (int64_t r = 0; r < count; ++r) {
        std::memcpy(xs + r * H, e.x + (slots[r] / e.K) * H, H * sizeof(float));
    }
    detail::decode_gemm({.x = xs,
                         .w = e.gate_up,
                         .y = h,
                         .M = count,
                         .N = 2 * I,
                         .K = H,
                         .ldx = H,
                         .ldw = H,
                         .ldy = 2 * I},
                        0, 2 * I);
    swiglu_rows_any(h, act, count, I);
    detail::decode_gemm(
        {.x = act, .w = e.down, .y = ys, .M = count, .N = H, .K = I, .ldx = I, .ldw = I, .ldy = H},
        0, H);
    for (int64_t r = 0; r < count; ++r) {
        std::memcpy(e.out + slots[r] * H, ys + r * H, H * sizeof(float));
    }
}

}  // namespace

at::Tensor decode_experts(const at::Tensor& x,
                          const at::Tensor& indices,
                          const at::Tensor& weights,
                          const at::Tensor& gate_up,
                          const at::Tensor& down) {
    TORCH_CHECK(float_cpu(x) && float_cpu(gate_up) && float_cpu(down) && x.dim() == 2 &&
                    gate_up.is_contiguous() && down.is_contiguous(),
                "decode_experts: float32 CPU tokens and contiguous packed expert weights");
    const int64_t N = x.size(0), H = x.size(1), K = indices.size(1), E = gate_up.size(0);
    const int64_t I = gate_up.size(1) / 2;
    const auto as = [](const at::Tensor& t, at::ScalarType dtype) {  // no dispatch when it is
        return (t.scalar_type() == dtype ? t : t.to(dtype)).contiguous();
    };
    const auto xc = x.contiguous();
    const auto idx = as(indices, at::kLong);
    const auto w = as(weights, at::kFloat);
    const auto grouped = group_by_expert(idx.const_data_ptr<int64_t>(), N * K, E);
    std::vector<int64_t> active;
    for (int64_t e = 0; e < E; ++e) {
        if (grouped.start[e + 1] > grouped.start[e]) {
            active.push_back(e);
        }
    }
    auto out = at::empty({N * K, H}, x.options());  // each slot's expert output
    const float* gu = gate_up.const_data_ptr<float>();
    const float* dn = down.const_data_ptr<float>();
    at::parallel_for(0, static_cast<int64_t>(active.size()), 1, [&](int64_t a0, int64_t a1) {
        std::vector<float> scratch;
        for (int64_t a = a0; a < a1; ++a) {
            const int64_t e = active[a], first = grouped.start[e];
            run_expert({.x = xc.const_data_ptr<float>(),
                        .gate_up = gu + e * 2 * I * H,
                        .down = dn + e * H * I,
                        .out = out.mutable_data_ptr<float>(),
                        .H = H,
                        .I = I,
                        .K = K},
                       grouped.slots.data() + first, grouped.start[e + 1] - first, scratch);
        }
    });
    auto y = at::empty({N, H}, x.options());
    const int64_t* expert_of = idx.const_data_ptr<int64_t>();
    const float* wt = w.const_data_ptr<float>();
    const float* o = out.const_data_ptr<float>();
    float* yp = y.mutable_data_ptr<float>();
    at::parallel_for(0, N, 16, [&](int64_t t0, int64_t t1) {
        std::vector<int64_t> order(K);
        for (int64_t t = t0; t < t1; ++t) {
            std::iota(order.begin(), order.end(), t * K);
            std::stable_sort(order.begin(), order.end(),
                             [&](int64_t a, int64_t b) { return expert_of[a] < expert_of[b]; });
            float* row = yp + t * H;
            std::fill(row, row + H, 0.0f);
            for (const int64_t s : order) {
                add_scaled_any(row, o + s * H, wt[s], H);
            }
        }
    });
    return y;
}

}  // namespace r1::kernels
