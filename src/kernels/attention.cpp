#include "r1/kernels/attention.h"

#include "r1/kernels/fused.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "kernels/avx2.h"
#include "kernels/exp_nonpositive.h"
#include "kernels/partial_sums.h"

// The per-head loops are built twice, for AVX2 + FMA and for baseline x86-64 (kernels/avx2.h).

// The 32-byte vector helpers below are always inlined, so no call passes one by value: GCC's
// note that such calls change ABI without AVX does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace r1::kernels {
namespace {

using detail::dot;
using detail::exp_nonpositive;
using detail::row_sum;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// ---------------------------------------------------------------------------------------------
// Row helpers.

// Floats as integers of the same order (sign-magnitude to two's complement; an involution):
// integer compares vectorise where float ones, which may trap on NaN, do not.
R1_INLINE int32_t ordered(float x) {
    const auto b = std::bit_cast<int32_t>(x);
    return b ^ ((b >> 31) & 0x7FFFFFFF);
}

R1_INLINE int64_t ordered(double x) {
    const auto b = std::bit_cast<int64_t>(x);
    return b ^ ((b >> 63) & 0x7FFFFFFFFFFFFFFF);
}

template <class T>
R1_INLINE T row_max(const T* a, int64_t n) {
    using Key = decltype(ordered(T(0)));
    Key partial[8];
    std::fill(partial, partial + 8, ordered(std::numeric_limits<T>::lowest()));
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int l = 0; l < 8; ++l) {
            const Key k = ordered(a[i + l]);
            partial[l] = partial[l] < k ? k : partial[l];
        }
    }
    for (; i < n; ++i) {
        partial[0] = std::max(partial[0], ordered(a[i]));
    }
    const Key best = *std::max_element(partial, partial + 8);
    return std::bit_cast<T>(best ^
                            ((best >> (8 * sizeof(Key) - 1)) & std::numeric_limits<Key>::max()));
}

// xt[c][r] = x[r][c] for x's rows ld_x apart; xt's rows ld_t ≥ rows apart (the gap zeroed).
template <class T>
R1_INLINE void transpose_into(
    const T* x, int64_t ld_x, int64_t rows, int64_t cols, T* xt, int64_t ld_t) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) {
            xt[c * ld_t + r] = x[r * ld_x + c];
        }
    }
    for (int64_t c = 0; c < cols; ++c) {
        std::fill(xt + c * ld_t + rows, xt + (c + 1) * ld_t, T(0));
    }
}

// A row's columns [begin, end).
struct Span {
    int64_t begin = 0, end = 0;
};

// The span around the entries of x[0:n] where keep(x) holds, trimmed 8 at a time first (the
// block test vectorises); empty if none does.
template <class T, class Keep>
R1_INLINE Span span_where(const T* x, int64_t n, Keep keep) {
    const auto none_in = [&](int64_t at) {
        bool any = false;
        for (int l = 0; l < 8; ++l) {
            any |= keep(x[at + l]);
        }
        return !any;
    };
    Span s{0, n};
    while (s.begin + 8 <= s.end && none_in(s.begin)) {
        s.begin += 8;
    }
    while (s.begin < s.end && !keep(x[s.begin])) {
        ++s.begin;
    }
    while (s.end - 8 >= s.begin && none_in(s.end - 8)) {
        s.end -= 8;
    }
    while (s.end > s.begin && !keep(x[s.end - 1])) {
        --s.end;
    }
    return s;
}

// The span around the nonzero entries of p[0:n].
template <class T>
R1_INLINE Span nonzero_span(const T* p, int64_t n) {
    return span_where(p, n, [](T x) { return x != T(0); });
}

// Mask entries at or below this hide their key: with any key of the row visible, such an entry's
// exponent is far under -87 (its probability is exactly 0), so the softmax skips them; a row with
// none visible is computed whole (uniform weights, as HF's eager attention gives it).
constexpr double kHidden = -1e30;

// ---------------------------------------------------------------------------------------------
// Small GEMMs, C = alpha·A·B, all row-major: every product of attention has a head dim as M,
// N or K, too small for MKL to reach its speed. Register tiles of up to 4 rows × 2 vectors of C;
// a row tile runs K only over the span where its rows of A are nonzero (probabilities and their
// gradients are exactly zero where the mask hides a key, and 0·x adds nothing).

template <class T>
struct VecOf;

template <>
struct VecOf<float> {
    typedef float type __attribute__((vector_size(32)));
};

template <>
struct VecOf<double> {
    typedef double type __attribute__((vector_size(32)));
};
template <class T>
using Vec = typename VecOf<T>::type;
template <class T>
inline constexpr int64_t kLanes = 32 / sizeof(T);

// n rounded up to whole vectors: the row length of transposed operands that GEMMs read as B.
template <class T>
int64_t padded(int64_t n) {
    return (n + kLanes<T> - 1) / kLanes<T> * kLanes<T>;
}

template <class T>
R1_INLINE Vec<T> load(const T* p) {
    Vec<T> v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <class T>
R1_INLINE void store(T* p, Vec<T> v) {
    std::memcpy(p, &v, sizeof v);
}

// A GEMM's left operand: element (row r, k) at p[r·row_stride + k·k_stride], so that one GEMM
// serves A and Aᵀ (dK = dSᵀ·q and dV = Pᵀ·dO read dS and P in place).
template <class T>
struct OperandA {
    const T* p;
    int64_t row_stride, k_stride;

    T at(int64_t r, int64_t k) const { return p[r * row_stride + k * k_stride]; }

    OperandA from_row(int64_t r) const { return {p + r * row_stride, row_stride, k_stride}; }
};

// C[0:R, 0:V·lanes] of one tile, K over [k0, k1); only `cols` columns of C (< lanes: V = 1) for a
// last, partial one.
template <class T, int R, int V>
R1_INLINE void gemm_tile(OperandA<T> A,
                         const T* B,
                         int64_t ldb,
                         T* C,
                         int64_t ldc,
                         int64_t k0,
                         int64_t k1,
                         T alpha,
                         int64_t cols = kLanes<T>) {
    constexpr int64_t L = kLanes<T>;
    Vec<T> c[R][V] = {};
    for (int64_t k = k0; k < k1; ++k) {
        Vec<T> b[V];
        for (int v = 0; v < V; ++v) {
            b[v] = load(B + k * ldb + v * L);
        }
        for (int r = 0; r < R; ++r) {
            const Vec<T> a = Vec<T>{} + A.at(r, k);
            for (int v = 0; v < V; ++v) {
                c[r][v] += a * b[v];
            }
        }
    }
    for (int r = 0; r < R; ++r) {
        for (int v = 0; v < V; ++v) {
            Vec<T> out = c[r][v] * alpha;
            if (cols < L) {  // a last, partial vector of C (B's row is padded to read it whole)
                T part[L];
                store(part, out);
                std::copy(part, part + cols, C + r * ldc + v * L);
                continue;
            }
            store(C + r * ldc + v * L, out);
        }
    }
}

// Columns [j, N) past the last whole vector, for R rows.
template <class T>
R1_INLINE void gemm_columns(OperandA<T> A,
                            const T* B,
                            int64_t ldb,
                            T* C,
                            int64_t ldc,
                            int64_t R,
                            int64_t j,
                            int64_t N,
                            int64_t k0,
                            int64_t k1,
                            T alpha) {
    for (int64_t r = 0; r < R; ++r) {
        for (int64_t col = j; col < N; ++col) {
            T sum = 0;
            for (int64_t k = k0; k < k1; ++k) {
                sum += A.at(r, k) * B[k * ldb + col];
            }
            C[r * ldc + col] = alpha * sum;
        }
    }
}

template <class T, int R>
R1_INLINE void gemm_rows(OperandA<T> A,
                         const T* B,
                         int64_t ldb,
                         T* C,
                         int64_t ldc,
                         int64_t N,
                         int64_t k0,
                         int64_t k1,
                         T alpha,
                         bool b_padded) {
    constexpr int64_t L = kLanes<T>;
    int64_t j = 0;
    for (; j + 2 * L <= N; j += 2 * L) {
        gemm_tile<T, R, 2>(A, B + j, ldb, C + j, ldc, k0, k1, alpha);
    }
    for (; j + L <= N; j += L) {
        gemm_tile<T, R, 1>(A, B + j, ldb, C + j, ldc, k0, k1, alpha);
    }
    if (j < N && b_padded) {
        gemm_tile<T, R, 1>(A, B + j, ldb, C + j, ldc, k0, k1, alpha, N - j);
    } else {
        gemm_columns(A, B, ldb, C, ldc, R, j, N, k0, k1, alpha);
    }
}

// One row tile (R = 1..4 rows of C, all N columns), K over [k0, k1).
template <class T>
R1_INLINE void gemm_row_tile(OperandA<T> A,
                             const T* B,
                             int64_t ldb,
                             T* C,
                             int64_t ldc,
                             int64_t R,
                             int64_t N,
                             int64_t k0,
                             int64_t k1,
                             T alpha,
                             bool b_padded) {
    switch (R) {
        case 4:
            return gemm_rows<T, 4>(A, B, ldb, C, ldc, N, k0, k1, alpha, b_padded);
        case 3:
            return gemm_rows<T, 3>(A, B, ldb, C, ldc, N, k0, k1, alpha, b_padded);
        case 2:
            return gemm_rows<T, 2>(A, B, ldb, C, ldc, N, k0, k1, alpha, b_padded);
        default:
            return gemm_rows<T, 1>(A, B, ldb, C, ldc, N, k0, k1, alpha, b_padded);
    }
}

// C [M, N] (ldc) = alpha·A·B with A [M, ·] (lda), B [·, N] (ldb), where row r of A is zero
// outside spans[r] (the caller knows where: the visible keys, P's nonzero span): each row tile
// runs K over the union of its rows' spans.
template <class T>
R1_INLINE void small_gemm(const T* A,
                          int64_t lda,
                          const Span* spans,
                          const T* B,
                          int64_t ldb,
                          T* C,
                          int64_t ldc,
                          int64_t M,
                          int64_t N,
                          T alpha) {
    for (int64_t i = 0; i < M; i += 4) {
        const int64_t R = std::min<int64_t>(4, M - i);
        int64_t k0 = std::numeric_limits<int64_t>::max(), k1 = 0;
        for (int64_t r = 0; r < R; ++r) {
            if (spans[i + r].begin < spans[i + r].end) {
                k0 = std::min(k0, spans[i + r].begin);
                k1 = std::max(k1, spans[i + r].end);
            }
        }
        k0 = std::min(k0, k1);  // no nonzero entry: an empty range, C's rows become zero
        gemm_row_tile(OperandA<T>{A + i * lda, lda, 1}, B, ldb, C + i * ldc, ldc, R, N, k0, k1,
                      alpha, /*b_padded=*/false);
    }
}

// C [M, N] = alpha·Aᵀ·B with A [K, M] (lda), read in place; spans[k] covers row k's nonzero
// entries, so row tile [i, i + R) of C runs K only over the rows of A whose span meets it.
template <class T>
R1_INLINE void small_gemm_at(const T* A,
                             int64_t lda,
                             const Span* spans,
                             const T* B,
                             int64_t ldb,
                             T* C,
                             int64_t ldc,
                             int64_t M,
                             int64_t N,
                             int64_t K,
                             T alpha) {
    const auto meets = [&](int64_t k, int64_t i, int64_t R) {
        return spans[k].begin < i + R && spans[k].end > i;
    };
    for (int64_t i = 0; i < M; i += 4) {
        const int64_t R = std::min<int64_t>(4, M - i);
        int64_t k0 = 0, k1 = K;
        while (k0 < K && !meets(k0, i, R)) {
            ++k0;
        }
        while (k1 > k0 && !meets(k1 - 1, i, R)) {
            --k1;
        }
        gemm_row_tile(OperandA<T>{A + i, 1, lda}, B, ldb, C + i * ldc, ldc, R, N, k0, k1, alpha,
                      false);
    }
}

// The eight sums of a[0..7]'s lanes, as one vector: three rounds of pairwise adds.
R1_INLINE Vec<float> lane_sums(const Vec<float> (&a)[8]) {
    using V = Vec<float>;
    const auto pairs = [](V x, V y) {  // [x01, y01, x23, y23, x45, y45, x67, y67]
        return __builtin_shufflevector(x, y, 0, 8, 2, 10, 4, 12, 6, 14) +
               __builtin_shufflevector(x, y, 1, 9, 3, 11, 5, 13, 7, 15);
    };
    const auto quads = [](V x, V y) {  // x holds sums of a, b; y of c, d: [a, b, c, d] twice
        return __builtin_shufflevector(x, y, 0, 1, 8, 9, 4, 5, 12, 13) +
               __builtin_shufflevector(x, y, 2, 3, 10, 11, 6, 7, 14, 15);
    };
    const V lo = quads(pairs(a[0], a[1]), pairs(a[2], a[3]));  // halves of 0..3
    const V hi = quads(pairs(a[4], a[5]), pairs(a[6], a[7]));  // halves of 4..7
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 8, 9, 10, 11) +
           __builtin_shufflevector(lo, hi, 4, 5, 6, 7, 12, 13, 14, 15);
}

// P [M, N] = scale·q·kᵀ for q [M, dk] and k's N rows ldk apart, as dot products eight keys at a
// time: with few query rows (a decode step) transposing k for gemm_on_spans would cost more than
// the products.
R1_INLINE void scores_by_dots(const float* q,
                              const float* k,
                              int64_t ldk,
                              float* p,
                              int64_t M,
                              int64_t N,
                              int64_t dk,
                              float scale) {
    constexpr int64_t L = kLanes<float>;
    const int64_t whole = dk / L * L;
    int64_t t = 0;
    for (; t + 8 <= N; t += 8) {
        const float* kb = k + t * ldk;
        for (int64_t r = 0; r < M; ++r) {
            const float* qr = q + r * dk;
            Vec<float> acc[8] = {};
            for (int64_t c = 0; c < whole; c += L) {
                const Vec<float> a = load(qr + c);
                for (int j = 0; j < 8; ++j) {
                    acc[j] += a * load(kb + j * ldk + c);
                }
            }
            Vec<float> sums = lane_sums(acc);
            for (int64_t c = whole; c < dk; ++c) {
                for (int j = 0; j < 8; ++j) {
                    sums[j] += qr[c] * kb[j * ldk + c];
                }
            }
            store(p + r * N + t, sums * scale);
        }
    }
    for (; t < N; ++t) {
        for (int64_t r = 0; r < M; ++r) {
            p[r * N + t] = scale * dot(q + r * dk, k + t * ldk, dk);
        }
    }
}

// Up to this many query rows per item, scores come from scores_by_dots (decode: the heads of one
// KV head); more rows amortise the transposed copy of k.
constexpr int64_t kDotRows = 8;

// C [M, ·] = alpha·A·B on each row tile's columns: the union of its rows' spans (columns outside
// are not written). B [K, ·] is scratch whose rows are padded to whole vectors (ldb).
template <class T>
R1_INLINE void gemm_on_spans(const T* A,
                             int64_t lda,
                             const T* B,
                             int64_t ldb,
                             T* C,
                             int64_t ldc,
                             int64_t M,
                             const Span* spans,
                             int64_t K,
                             T alpha) {
    for (int64_t i = 0; i < M; i += 4) {
        const int64_t R = std::min<int64_t>(4, M - i);
        int64_t b = ldb, e = 0;
        for (int64_t r = 0; r < R; ++r) {
            b = std::min(b, spans[i + r].begin);
            e = std::max(e, spans[i + r].end);
        }
        if (e <= b) {
            continue;
        }
        b = b / kLanes<T> * kLanes<T>;  // aligned: B's padded rows then hold whole vectors to e
        gemm_row_tile(OperandA<T>{A + i * lda, lda, 1}, B + b, ldb, C + i * ldc + b, ldc, R, e - b,
                      0, K, alpha, /*b_padded=*/true);
    }
}

// ---------------------------------------------------------------------------------------------
// The problem in work items: item = b·kv_heads + kv, one KV head of one batch row and the
// `group` query heads it serves, whose rows (group·S, head-major) are contiguous in q, o, P and dO.
// K and V are read through their strides (a decode step's cache slice is not copied); row r of an
// item sees mask row r mod S.

// Rows of one [rows, dim] operand (unit stride along dim).
template <class T>
struct Rows {
    const T* p = nullptr;
    int64_t batch = 0, head = 0, row = 0;  // strides

    const T* of(int64_t item, int64_t kv_heads) const {
        return p + (item / kv_heads) * batch + (item % kv_heads) * head;
    }
};

template <class T>
struct Problem {
    int64_t items = 0, kv_heads = 0, S = 0, rows = 0, keys = 0, dk = 0, dv = 0;
    T scale = 1;
    const T* q = nullptr;     // [items, rows, dk]
    Rows<T> k, v;             // [T, dk] and [T, dv] per item
    const T* mask = nullptr;  // batch row b's row s at mask + b·mask_b + s·mask_s
    int64_t mask_b = 0, mask_s = 0;
    T* o = nullptr;  // [items, rows, dv]: forward writes it, backward reads it
    T* p = nullptr;  // [items, rows, T] probabilities, likewise; forward may keep none (null)
    const T* dout = nullptr;  // backward: [items, rows, dv]
    T* grad_q = nullptr;  // backward's outputs: [items, rows, dk], [items, T, dk], [items, T, dv]
    T* grad_k = nullptr;
    T* grad_v = nullptr;

    const T* mask_of(int64_t item) const {
        return mask == nullptr ? nullptr : mask + (item / kv_heads) * mask_b;
    }
};

// The keys row i of an item may see: the mask's visible span, or all keys when it hides every
// one (such a row is computed whole: uniform weights, as HF's eager attention gives it).
template <class T>
R1_INLINE Span visible_keys(const Problem<T>& pr, const T* mask, int64_t i) {
    if (mask == nullptr) {
        return {0, pr.keys};
    }
    const Span v =
        span_where(mask + (i % pr.S) * pr.mask_s, pr.keys, [](T x) { return x > T(kHidden); });
    return v.begin < v.end ? v : Span{0, pr.keys};
}

// P = scale·q·kᵀ over each row tile's visible keys (a causal tile skips the keys after it);
// entries outside them are left for the softmax to zero.
template <class T>
R1_INLINE void item_scores(const Problem<T>& pr, int64_t it, const Span* visible, T* kt, T* p) {
    const int64_t M = pr.rows, Tn = pr.keys, dk = pr.dk;
    const T* q = pr.q + it * M * dk;
    if constexpr (std::is_same_v<T, float>) {
        if (M <= kDotRows) {
            return scores_by_dots(q, pr.k.of(it, pr.kv_heads), pr.k.row, p, M, Tn, dk, pr.scale);
        }
    }
    const int64_t Tp = padded<T>(Tn);
    transpose_into(pr.k.of(it, pr.kv_heads), pr.k.row, Tn, dk, kt, Tp);
    gemm_on_spans(q, dk, kt, Tp, p, Tn, M, visible, dk, pr.scale);
}

// One item forward: P = softmax(q·kᵀ·scale + mask) into p, O = P·v.
template <class T>
R1_INLINE void item_forward(const Problem<T>& pr, int64_t it, T* p, T* kt, Span* visible) {
    const int64_t M = pr.rows, Tn = pr.keys, dv = pr.dv;
    const T* mask = pr.mask_of(it);
    for (int64_t i = 0; i < M; ++i) {
        visible[i] = visible_keys(pr, mask, i);
    }
    item_scores(pr, it, visible, kt, p);
    for (int64_t i = 0; i < M; ++i) {
        T* row = p + i * Tn;
        const auto [b, e] = visible[i];
        if (mask != nullptr) {
            const T* m = mask + (i % pr.S) * pr.mask_s;
            for (int64_t j = b; j < e; ++j) {
                row[j] += m[j];
            }
        }
        std::fill(row, row + b, T(0));
        std::fill(row + e, row + Tn, T(0));
        const T mx = row_max(row + b, e - b);
        for (int64_t j = b; j < e; ++j) {
            row[j] = exp_nonpositive(row[j] - mx);
        }
        const T inv = T(1) / row_sum(row + b, e - b);
        for (int64_t j = b; j < e; ++j) {
            row[j] *= inv;
        }
    }
    small_gemm(p, Tn, visible, pr.v.of(it, pr.kv_heads), pr.v.row, pr.o + it * M * dv, dv, M, dv,
               T(1));
}

// A backward work item's buffers: vᵀ (rows padded), dS, and P's row spans.
template <class T>
struct Scratch {
    T *vt, *ds;
    Span* spans;
};

// One item backward: dP = dO·vᵀ; dS = P ⊙ (dP − rowsum(dO ⊙ O))·scale; dQ = dS·k; dK = dSᵀ·q;
// dV = Pᵀ·dO (the last two sum over the group's heads). dS is zero wherever P is, so P's row
// spans bound both.
template <class T>
R1_INLINE void item_backward(const Problem<T>& pr, int64_t it, const Scratch<T>& w) {
    const int64_t M = pr.rows, Tn = pr.keys, dk = pr.dk, dv = pr.dv;
    const T *q = pr.q + it * M * dk, *o = pr.o + it * M * dv, *p = pr.p + it * M * Tn,
            *dout = pr.dout + it * M * dv;
    const int64_t Tp = padded<T>(Tn);
    for (int64_t i = 0; i < M; ++i) {
        w.spans[i] = nonzero_span(p + i * Tn, Tn);
    }
    transpose_into(pr.v.of(it, pr.kv_heads), pr.v.row, Tn, dv, w.vt, Tp);
    gemm_on_spans(dout, dv, w.vt, Tp, w.ds, Tn, M, w.spans, dv, T(1));  // dP where P is nonzero
    for (int64_t i = 0; i < M; ++i) {
        const T di = dot(dout + i * dv, o + i * dv, dv);
        const T* pi = p + i * Tn;
        T* dsi = w.ds + i * Tn;
        const Span span = w.spans[i];
        std::fill(dsi, dsi + span.begin, T(0));
        for (int64_t j = span.begin; j < span.end; ++j) {
            dsi[j] = pi[j] * (dsi[j] - di) * pr.scale;
        }
        std::fill(dsi + span.end, dsi + Tn, T(0));
    }
    small_gemm(w.ds, Tn, w.spans, pr.k.of(it, pr.kv_heads), pr.k.row, pr.grad_q + it * M * dk, dk,
               M, dk, T(1));
    small_gemm_at(w.ds, Tn, w.spans, q, dk, pr.grad_k + it * Tn * dk, dk, Tn, dk, M, T(1));
    small_gemm_at(p, Tn, w.spans, dout, dv, pr.grad_v + it * Tn * dv, dv, Tn, dv, M, T(1));
}

template <class T>
R1_INLINE void forward_items(const Problem<T>& pr, int64_t i0, int64_t i1) {
    std::vector<T> kt(pr.dk * padded<T>(pr.keys));
    std::vector<T> probs(pr.p == nullptr ? pr.rows * pr.keys : 0);  // when none are kept
    std::vector<Span> visible(pr.rows);
    for (int64_t it = i0; it < i1; ++it) {
        T* p = pr.p == nullptr ? probs.data() : pr.p + it * pr.rows * pr.keys;
        item_forward(pr, it, p, kt.data(), visible.data());
    }
}

template <class T>
R1_INLINE void backward_items(const Problem<T>& pr, int64_t i0, int64_t i1) {
    const int64_t VT = pr.dv * padded<T>(pr.keys);
    std::vector<T> buf(VT + pr.rows * pr.keys);
    std::vector<Span> spans(pr.rows);
    const Scratch<T> w{buf.data(), buf.data() + VT, spans.data()};
    for (int64_t it = i0; it < i1; ++it) {
        item_backward(pr, it, w);
    }
}

// Items [i0, i1) forward or backward, for the build target the caller was compiled for.
template <bool Forward, class T>
R1_INLINE void run_items(const Problem<T>& pr, int64_t i0, int64_t i1) {
    if constexpr (Forward) {
        forward_items(pr, i0, i1);
    } else {
        backward_items(pr, i0, i1);
    }
}

#ifdef R1_AVX2
template <bool Forward, class T>
R1_AVX2_FMA void run_items_avx2(const Problem<T>& pr, int64_t i0, int64_t i1) {
    run_items<Forward>(pr, i0, i1);
}
#endif

// Every item, in LibTorch's intra-op threads.
template <bool Forward, class T>
void run(const Problem<T>& pr) {
    at::parallel_for(0, pr.items, 1, [&](int64_t i0, int64_t i1) {
#ifdef R1_AVX2
        if (detail::cpu_has_avx2_fma()) {
            return run_items_avx2<Forward>(pr, i0, i1);
        }
#endif
        run_items<Forward>(pr, i0, i1);
    });
}

// ---------------------------------------------------------------------------------------------
// Tensors to problems.

struct Operands {
    at::Tensor q;     // [B, nh, S, dk], contiguous
    at::Tensor k, v;  // [B, nkv, T, dk | dv], unit stride along the last dim
    at::Tensor mask;  // [B | 1, 1, S, T], unit stride along T, or undefined
};

// x itself when its last dim has unit stride (strided rows are read in place), else a copy.
at::Tensor unit_rows(const at::Tensor& x) {
    return x.stride(-1) == 1 ? x : x.contiguous();
}

Operands checked(const at::Tensor& q,
                 const at::Tensor& k,
                 const at::Tensor& v,
                 const at::Tensor& mask) {
    TORCH_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4,
                "fused_attention: expected q, k, v of [B, heads, rows, dim], got ", q.sizes(), ", ",
                k.sizes(), ", ", v.sizes());
    const int64_t B = q.size(0), nh = q.size(1), nkv = k.size(1);
    TORCH_CHECK(k.size(0) == B && v.size(0) == B && nkv > 0 && nh % nkv == 0 && v.size(1) == nkv &&
                    v.size(2) == k.size(2) && k.size(3) == q.size(3),
                "fused_attention: q ", q.sizes(), ", k ", k.sizes(), " and v ", v.sizes(),
                " disagree (k and v need one KV head per group of query heads)");
    Operands ops{q.contiguous(), unit_rows(k), unit_rows(v), at::Tensor()};
    if (mask.defined()) {
        TORCH_CHECK(mask.dim() == 4 && (mask.size(0) == 1 || mask.size(0) == B) &&
                        mask.size(1) == 1 && mask.size(2) == q.size(2) && mask.size(3) == k.size(2),
                    "fused_attention: mask ", mask.sizes(), " is not [B or 1, 1, S, T] = [", B,
                    ", 1, ", q.size(2), ", ", k.size(2), "]");
        ops.mask = unit_rows(mask.to(q.scalar_type()));
    }
    return ops;
}

template <class T>
Rows<T> rows_of(const at::Tensor& x) {
    return {x.const_data_ptr<T>(), x.stride(0), x.stride(1), x.stride(2)};
}

template <class T>
Problem<T> problem(const Operands& ops, double scale) {
    Problem<T> pr;
    pr.kv_heads = ops.k.size(1);
    pr.items = ops.q.size(0) * pr.kv_heads;
    pr.S = ops.q.size(2);
    pr.rows = ops.q.size(1) / pr.kv_heads * pr.S;
    pr.keys = ops.k.size(2);
    pr.dk = ops.q.size(3);
    pr.dv = ops.v.size(3);
    pr.scale = static_cast<T>(scale);
    pr.q = ops.q.const_data_ptr<T>();
    pr.k = rows_of<T>(ops.k);
    pr.v = rows_of<T>(ops.v);
    if (ops.mask.defined()) {
        pr.mask = ops.mask.const_data_ptr<T>();
        pr.mask_b = ops.mask.size(0) == 1 ? 0 : ops.mask.stride(0);  // broadcast: stride 0
        pr.mask_s = ops.mask.stride(2);
    }
    return pr;
}

/// o [B, nh, S, dv] and, when `keep`, the probabilities [B, nh, S, T].
std::pair<at::Tensor, at::Tensor> forward_tensors(const Operands& ops, double scale, bool keep) {
    const int64_t B = ops.q.size(0), nh = ops.q.size(1), S = ops.q.size(2), T = ops.k.size(2);
    at::Tensor o = at::empty({B, nh, S, ops.v.size(3)}, ops.q.options());
    at::Tensor p = keep ? at::empty({B, nh, S, T}, ops.q.options()) : at::Tensor();
    AT_DISPATCH_FLOATING_TYPES(ops.q.scalar_type(), "fused_attention", [&] {
        auto pr = problem<scalar_t>(ops, scale);
        pr.o = o.mutable_data_ptr<scalar_t>();
        pr.p = keep ? p.mutable_data_ptr<scalar_t>() : nullptr;
        run</*Forward=*/true>(pr);
    });
    return {o, p};
}

struct AttentionFunction : torch::autograd::Function<AttentionFunction> {
    static at::Tensor forward(AutogradContext* ctx,
                              const at::Tensor& q,
                              const at::Tensor& k,
                              const at::Tensor& v,
                              const std::optional<at::Tensor>& mask,  // optional: no grad slot
                              double scale) {
        const Operands ops = checked(q, k, v, mask.value_or(at::Tensor()));
        auto [o, p] = forward_tensors(ops, scale, /*keep=*/true);
        ctx->save_for_backward({ops.q, ops.k, ops.v, o, p});
        ctx->saved_data["scale"] = scale;
        return o;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const Operands ops{saved[0], saved[1], saved[2], at::Tensor()};
        const at::Tensor &o = saved[3], &p = saved[4];
        const at::Tensor dout = grads[0].contiguous();
        at::Tensor dq = at::empty_like(ops.q), dk = at::empty(ops.k.sizes(), ops.q.options()),
                   dv = at::empty(ops.v.sizes(), ops.q.options());  // contiguous
        AT_DISPATCH_FLOATING_TYPES(ops.q.scalar_type(), "fused_attention_backward", [&] {
            auto pr = problem<scalar_t>(ops, ctx->saved_data["scale"].toDouble());
            pr.o = o.mutable_data_ptr<scalar_t>();  // read only
            pr.p = p.mutable_data_ptr<scalar_t>();
            pr.dout = dout.const_data_ptr<scalar_t>();
            pr.grad_q = dq.mutable_data_ptr<scalar_t>();
            pr.grad_k = dk.mutable_data_ptr<scalar_t>();
            pr.grad_v = dv.mutable_data_ptr<scalar_t>();
            run</*Forward=*/false>(pr);
        });
        return {dq, dk, dv, at::Tensor(), at::Tensor()};
    }
};

}  // namespace

bool fused_attention_serves(const at::Tensor& q,
                            const at::Tensor& k,
                            const at::Tensor& v,
                            const at::Tensor& mask) {
    const auto same = [&](const at::Tensor& t) {
        return t.device().is_cpu() && t.scalar_type() == q.scalar_type();
    };
    return fusable(q) && same(k) && same(v) &&
           (!mask.defined() || (mask.device().is_cpu() && !mask.requires_grad()));
}

at::Tensor fused_attention(const at::Tensor& q,
                           const at::Tensor& k,
                           const at::Tensor& v,
                           const at::Tensor& mask,
                           double scale) {
    TORCH_CHECK(fused_attention_serves(q, k, v, mask),
                "fused_attention: expected float32 or float64 CPU tensors of one dtype, got q ",
                q.scalar_type(), ", k ", k.scalar_type(), ", v ", v.scalar_type());
    const bool grad = torch::GradMode::is_enabled() &&
                      (q.requires_grad() || k.requires_grad() || v.requires_grad());
    if (grad) {
        return AttentionFunction::apply(q, k, v,
                                        mask.defined() ? std::optional(mask) : std::nullopt, scale);
    }
    return forward_tensors(checked(q, k, v, mask), scale, /*keep=*/false).first;
}

}  // namespace r1::kernels
