#include "r1/generation/sampling.h"

#include <ATen/ATen.h>

#include <limits>

namespace r1::generation {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

at::Tensor top_k(const at::Tensor& z, int64_t k) {
    if (k <= 0 || k >= z.size(-1)) {
        return z;
    }
    const at::Tensor kth = std::get<0>(z.topk(k, -1)).select(-1, k - 1).unsqueeze(-1);
    return z.masked_fill(z < kth, kNegInf);
}

// Keep the most likely tokens until their mass reaches top_p (always at least the top one).
at::Tensor top_p(const at::Tensor& z, double p) {
    if (p >= 1.0) {
        return z;
    }
    const auto [sorted, order] = z.sort(-1, /*descending=*/true);
    const at::Tensor probs = sorted.softmax(-1);
    const at::Tensor mass_before = probs.cumsum(-1) - probs;
    const at::Tensor drop_sorted = mass_before >= p;
    const at::Tensor drop = at::zeros_like(drop_sorted).scatter(-1, order, drop_sorted);
    return z.masked_fill(drop, kNegInf);
}

at::Tensor min_p(const at::Tensor& z, double m) {
    if (m <= 0.0) {
        return z;
    }
    const at::Tensor probs = z.softmax(-1);
    const at::Tensor floor = probs.amax(-1, /*keepdim=*/true) * m;
    return z.masked_fill(probs < floor, kNegInf);
}

at::Tensor draw(const at::Tensor& probs, std::vector<at::Generator>& generators) {
    const int64_t B = probs.size(0);
    TORCH_CHECK(generators.size() == 1 || static_cast<int64_t>(generators.size()) == B,
                "sampling needs 1 generator or one per row (", B, "), got ", generators.size());
    at::Tensor u = at::empty({B, 1}, probs.options());
    for (int64_t b = 0; b < B; ++b) {
        u[b].uniform_(0.0, 1.0, generators.size() == 1 ? generators[0] : generators[b]);
    }
    // Inverse CDF: the first token whose cumulative mass exceeds u.
    const at::Tensor cdf = probs.cumsum(-1);
    const at::Tensor idx = at::searchsorted(cdf, u * cdf.select(-1, -1).unsqueeze(-1), /*out_int32=*/false,
                                            /*right=*/true);
    return idx.squeeze(-1).clamp_max(probs.size(-1) - 1);
}

}  // namespace

at::Tensor apply_repetition_penalty(const at::Tensor& logits, const at::Tensor& seen, double penalty) {
    if (penalty == 1.0 || !seen.defined()) {
        return logits;
    }
    const at::Tensor penalised = at::where(logits > 0, logits / penalty, logits * penalty);
    return at::where(seen, penalised, logits);
}

at::Tensor process_logits(const at::Tensor& logits, const SamplingOptions& o) {
    at::Tensor z = logits.to(at::kFloat);
    if (o.temperature > 0) {
        z = z / o.temperature;
    }
    return min_p(top_p(top_k(z, o.top_k), o.top_p), o.min_p);
}

Sampled sample(const at::Tensor& logits,
               const SamplingOptions& o,
               std::vector<at::Generator>& generators,
               const at::Tensor& seen) {
    TORCH_CHECK(logits.dim() == 2, "logits must be [B, V], got ", logits.sizes());
    const at::Tensor raw = logits.to(at::kFloat);
    const at::Tensor penalised = apply_repetition_penalty(raw, seen, o.repetition_penalty);
    const double t = o.temperature > 0 ? o.temperature : 1.0;
    Sampled out;
    if (o.temperature == 0) {
        out.tokens = penalised.argmax(-1);
        out.logp = at::zeros({raw.size(0)}, raw.options());  // greedy: the choice is certain
    } else {
        const at::Tensor logp = process_logits(penalised, o).log_softmax(-1);
        out.tokens = draw(logp.exp(), generators);
        out.logp = logp.gather(-1, out.tokens.unsqueeze(-1)).squeeze(-1);
    }
    out.logp_full = (raw / t).log_softmax(-1).gather(-1, out.tokens.unsqueeze(-1)).squeeze(-1);
    return out;
}

}  // namespace r1::generation
