#include "r1/kernels/greedy.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/avx2.h"
#include "kernels/exp_nonpositive.h"

namespace r1::kernels {
namespace {

constexpr int64_t kLanes = 8;  // independent partial results, so the loops vectorise

// The row's maximum, NaNs skipped (a NaN never compares greater); `nan` tells whether it held one.
R1_INLINE float row_max(const float* r, int64_t V, bool* nan) {
    float lanes[kLanes];
    int32_t unordered[kLanes] = {};
    for (float& l : lanes) {
        l = -std::numeric_limits<float>::infinity();
    }
    int64_t v = 0;
    for (; v + kLanes <= V; v += kLanes) {
        for (int64_t j = 0; j < kLanes; ++j) {
            lanes[j] = r[v + j] > lanes[j] ? r[v + j] : lanes[j];
            unordered[j] |= r[v + j] != r[v + j];
        }
    }
    float m = -std::numeric_limits<float>::infinity();
    int32_t any = 0;
    for (; v < V; ++v) {
        m = r[v] > m ? r[v] : m;
        any |= r[v] != r[v];
    }
    for (int64_t j = 0; j < kLanes; ++j) {
        m = lanes[j] > m ? lanes[j] : m;
        any |= unordered[j];
    }
    *nan = any != 0;
    return m;
}

// Σ e^(r - m) over a row without NaN, m its maximum (finite): each lane adds in float64, so
// 32k terms lose nothing to rounding that float32 logits would show.
R1_INLINE double row_exp_sum(const float* r, int64_t V, float m) {
    double lanes[kLanes] = {};
    int64_t v = 0;
    for (; v + kLanes <= V; v += kLanes) {
        for (int64_t j = 0; j < kLanes; ++j) {
            lanes[j] += detail::exp_nonpositive(r[v + j] - m);
        }
    }
    double s = 0.0;
    for (; v < V; ++v) {
        s += detail::exp_nonpositive(r[v] - m);
    }
    for (const double l : lanes) {
        s += l;
    }
    return s;
}

R1_INLINE void pick_rows(
    const float* logits, int64_t V, int64_t b0, int64_t b1, int64_t* tokens, float* logp) {
    for (int64_t b = b0; b < b1; ++b) {
        const float* r = logits + b * V;
        bool nan = false;
        const float m = row_max(r, V, &nan);
        int64_t t = 0;
        if (nan || std::isinf(m)) {  // as ATen: the first NaN, else the first maximum; NaN
            while (t < V && !(nan ? std::isnan(r[t]) : r[t] == m)) {
                ++t;
            }
            tokens[b] = t;
            logp[b] = std::numeric_limits<float>::quiet_NaN();
            continue;
        }
        const double s = row_exp_sum(r, V, m);
        while (t + 1 < V && r[t] != m) {
            ++t;
        }
        tokens[b] = t;
        logp[b] = static_cast<float>(-std::log(s));  // r[t] - m = 0
    }
}

#ifdef R1_AVX2
R1_AVX2_FMA void pick_rows_avx2(
    const float* logits, int64_t V, int64_t b0, int64_t b1, int64_t* tokens, float* logp) {
    pick_rows(logits, V, b0, b1, tokens, logp);
}
#endif

void pick_rows_any(
    const float* logits, int64_t V, int64_t b0, int64_t b1, int64_t* tokens, float* logp) {
#ifdef R1_AVX2
    if (detail::cpu_has_avx2_fma()) {
        return pick_rows_avx2(logits, V, b0, b1, tokens, logp);
    }
#endif
    pick_rows(logits, V, b0, b1, tokens, logp);
}

}  // namespace

bool greedy_pick_serves(const at::Tensor& logits) {
    return logits.device().is_cpu() && logits.scalar_type() == at::kFloat && logits.dim() == 2 &&
           logits.is_contiguous() && logits.size(1) > 0;
}

GreedyPick greedy_pick(const at::Tensor& logits) {
    const int64_t B = logits.size(0), V = logits.size(1);
    GreedyPick out{.tokens = at::empty({B}, logits.options().dtype(at::kLong)),
                   .logp = at::empty({B}, logits.options())};
    const float* z = logits.const_data_ptr<float>();
    int64_t* tokens = out.tokens.mutable_data_ptr<int64_t>();
    float* logp = out.logp.mutable_data_ptr<float>();
    // a task of at least ~64k logits: one 32k-token row costs about as much as forking
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / V);
    at::parallel_for(0, B, grain,
                     [&](int64_t b0, int64_t b1) { pick_rows_any(z, V, b0, b1, tokens, logp); });
    return out;
}

}  // namespace r1::kernels
