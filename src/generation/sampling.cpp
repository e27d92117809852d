#include "r1/generation/sampling.h"

#include "r1/kernels/greedy.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/DistributionsHelper.h>

#include <limits>
#include <mutex>

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

// One uniform draw per row from its own generator, on the host: the numbers uniform_() on a
// one-element float tensor would give (at::uniform_real_distribution<float>), without two tensor
// ops per row (256 dispatches per step at batch 128).
at::Tensor uniforms(int64_t B, std::vector<at::Generator>& generators) {
    TORCH_CHECK(generators.size() == 1 || static_cast<int64_t>(generators.size()) == B,
                "sampling needs 1 generator or one per row (", B, "), got ", generators.size());
    at::Tensor u = at::empty({B, 1}, at::kFloat);
    float* out = u.data_ptr<float>();
    at::uniform_real_distribution<float> uniform(0.0, 1.0);
    for (int64_t b = 0; b < B; ++b) {
        auto& gen = generators.size() == 1 ? generators[0] : generators[b];
        auto* impl = at::check_generator<at::CPUGeneratorImpl>(gen);
        const std::lock_guard<std::mutex> lock(gen.mutex());
        out[b] = uniform(impl);
    }
    return u;
}

at::Tensor draw(const at::Tensor& probs, std::vector<at::Generator>& generators) {
    const at::Tensor u = uniforms(probs.size(0), generators).to(probs.scalar_type());
    // Inverse CDF: the first token whose cumulative mass exceeds u.
    const at::Tensor cdf = probs.cumsum(-1);
    const at::Tensor idx =
        at::searchsorted(cdf, u * cdf.select(-1, -1).unsqueeze(-1), /*out_int32=*/false,
                         /*right=*/true);
    return idx.squeeze(-1).clamp_max(probs.size(-1) - 1);
}

}  // namespace

at::Tensor apply_repetition_penalty(const at::Tensor& logits,
                                    const at::Tensor& seen,
                                    double penalty) {
    if (penalty == 1.0 || !seen.defined()) {
        return logits;
    }
    const at::Tensor penalised = at::where(logits > 0, logits / penalty, logits * penalty);
    return at::where(seen, penalised, logits);
}

at::Tensor process_logits(const at::Tensor& logits, const SamplingOptions& o) {
    at::Tensor z = logits.scalar_type() == at::kFloat ? logits : logits.to(at::kFloat);
    if (o.temperature > 0 && o.temperature != 1.0) {
        z = z / o.temperature;
    }
    return min_p(top_p(top_k(z, o.top_k), o.top_p), o.min_p);
}

Sampled sample(const at::Tensor& logits,
               const SamplingOptions& o,
               std::vector<at::Generator>& generators,
               const at::Tensor& seen) {
    TORCH_CHECK(logits.dim() == 2, "logits must be [B, V], got ", logits.sizes());
    const at::Tensor raw = logits.scalar_type() == at::kFloat ? logits : logits.to(at::kFloat);
    const at::Tensor penalised = apply_repetition_penalty(raw, seen, o.repetition_penalty);
    const double t = o.temperature > 0 ? o.temperature : 1.0;
    Sampled out;
    if (o.temperature == 0 && penalised.is_same(raw) && kernels::greedy_pick_serves(raw)) {
        auto [tokens, logp_full] = kernels::greedy_pick(raw);  // no [B, V] pass of tensor ops
        out.tokens = std::move(tokens);
        out.logp = at::zeros({raw.size(0)}, raw.options());
        out.logp_full = std::move(logp_full);
        return out;
    }
    if (o.temperature == 0) {
        out.tokens = penalised.argmax(-1);
        out.logp = at::zeros({raw.size(0)}, raw.options());  // greedy: the choice is certain
    } else {
        const at::Tensor logp = process_logits(penalised, o).log_softmax(-1);
        out.tokens = draw(logp.exp(), generators);
        out.logp = logp.gather(-1, out.tokens.unsqueeze(-1)).squeeze(-1);
        const bool truncated = o.top_k > 0 || o.top_p < 1.0 || o.min_p > 0.0;
        if (!truncated && penalised.is_same(raw)) {  // the two distributions are one
            out.logp_full = out.logp;
            return out;
        }
    }
    const at::Tensor tempered = t == 1.0 ? raw : raw / t;
    out.logp_full = tempered.log_softmax(-1).gather(-1, out.tokens.unsqueeze(-1)).squeeze(-1);
    return out;
}

}  // namespace r1::generation
