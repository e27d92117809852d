#include "r1/model/rope.h"

#include "r1/kernels/fused.h"

#include <cmath>
#include <numbers>
#include <utility>

namespace r1::model {

namespace {

double yarn_mscale(double factor, double mscale) {
    return factor <= 1.0 ? 1.0 : 0.1 * mscale * std::log(factor) + 1.0;
}

// HF _compute_yarn_parameters: blend interpolated and extrapolated frequencies over a ramp of
// pairs.
at::Tensor yarn_inv_freq(const at::Tensor& pos_freqs,
                         int64_t dim,
                         double theta,
                         const RopeScaling& s) {
    const double orig = static_cast<double>(s.original_max_position_embeddings);
    auto correction_dim = [&](double rotations) {
        return dim * std::log(orig / (rotations * 2.0 * std::numbers::pi)) /
               (2.0 * std::log(theta));
    };
    double low = correction_dim(s.beta_fast);
    double high = correction_dim(s.beta_slow);
    if (s.truncate) {
        low = std::floor(low);
        high = std::ceil(high);
    }
    low = std::max(low, 0.0);
    high = std::min(high, static_cast<double>(dim - 1));
    if (low == high) {
        high += 0.001;  // HF: prevent a singular ramp
    }
    const auto ramp = ((torch::arange(dim / 2, torch::kFloat32) - low) / (high - low)).clamp(0, 1);
    const auto extrapolation_factor = 1 - ramp;  // 1: keep theta_i, 0: theta_i / factor
    const auto extrapolation = 1.0 / pos_freqs;
    const auto interpolation = 1.0 / (s.factor * pos_freqs);
    return interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor;
}

// HF _compute_llama3_parameters (model-spec §7.1).
at::Tensor llama3_inv_freq(const at::Tensor& inv_freq, const RopeScaling& s) {
    const double orig = static_cast<double>(s.original_max_position_embeddings);
    const double low_freq_wavelen = orig / s.low_freq_factor;
    const double high_freq_wavelen = orig / s.high_freq_factor;
    const auto wavelen = 2 * std::numbers::pi / inv_freq;
    auto scaled = torch::where(wavelen > low_freq_wavelen, inv_freq / s.factor, inv_freq);
    const auto smooth =
        (orig / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
    const auto smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
    const auto is_medium = (wavelen >= high_freq_wavelen) & (wavelen <= low_freq_wavelen);
    return torch::where(is_medium, smoothed, scaled);
}

}  // namespace

at::Tensor rope_inv_freq(int64_t dim, double theta, const std::optional<RopeScaling>& scaling) {
    // base^(2i/d) in float32, as HF computes it
    const auto pos_freqs =
        torch::pow(theta, torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat32) / dim);
    if (scaling && scaling->rope_type == "yarn") {
        return yarn_inv_freq(pos_freqs, dim, theta, *scaling);
    }
    const auto inv_freq = 1.0 / pos_freqs;
    if (scaling && scaling->rope_type == "llama3") {
        return llama3_inv_freq(inv_freq, *scaling);
    }
    return inv_freq;
}

double rope_attention_factor(const std::optional<RopeScaling>& s) {
    if (!s || s->rope_type != "yarn") {
        return 1.0;
    }
    if (s->attention_factor) {
        return *s->attention_factor;
    }
    if (s->mscale != 0.0 && s->mscale_all_dim != 0.0) {
        return yarn_mscale(s->factor, s->mscale) / yarn_mscale(s->factor, s->mscale_all_dim);
    }
    return yarn_mscale(s->factor, 1.0);
}

double rope_softmax_mscale(const std::optional<RopeScaling>& s) {
    if (!s || s->mscale_all_dim == 0.0) {
        return 1.0;
    }
    const double m = yarn_mscale(s->factor, s->mscale_all_dim);
    return m * m;
}

RopeTable rope_table(const ModelOptions& options,
                     const at::Tensor& positions,
                     at::ScalarType dtype) {
    const bool deepseek = options.is_deepseek();
    const int64_t dim = deepseek ? options.qk_rope_head_dim : options.dense_head_dim();
    const auto inv_freq = rope_inv_freq(dim, options.rope_theta, options.rope_scaling);  // [d/2]
    const auto angles = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq;          // [T, d/2]
    const double factor = rope_attention_factor(options.rope_scaling);
    return {.cos = (angles.cos() * factor).to(dtype),
            .sin = (angles.sin() * factor).to(dtype),
            .layout = deepseek ? RopeLayout::interleaved : RopeLayout::half_split};
}

RopeTable rope_table_rows(const ModelOptions& options,
                          const at::Tensor& positions,
                          at::ScalarType dtype) {
    TORCH_CHECK(positions.dim() == 2, "rope_table_rows: positions ", positions.sizes(),
                " must be [B, T]");
    auto table = rope_table(options, positions, dtype);  // [B, T, d/2]
    table.cos = table.cos.unsqueeze(1);
    table.sin = table.sin.unsqueeze(1);
    return table;
}

RopeTable with_cis(RopeTable table) {
    // ATen has complex types for float and double only (its complex<Half> lacks most kernels and
    // there is no complex bfloat16): the other dtypes keep the real rotation
    const auto dtype = table.cos.scalar_type();
    if (table.layout == RopeLayout::interleaved &&
        (dtype == torch::kFloat32 || dtype == torch::kFloat64)) {
        table.cis = at::complex(table.cos, table.sin);
    }
    return table;
}

namespace {

// Pairs (2i, 2i+1) as complex numbers times cos + i·sin: the interleaved rotation in one multiply.
at::Tensor apply_rope_complex(const at::Tensor& x, const at::Tensor& cis) {
    const int64_t half = x.size(-1) / 2;
    TORCH_CHECK(cis.size(-1) == half && cis.size(-2) == x.size(-2), "apply_rope: x ", x.sizes(),
                " does not match the table ", cis.sizes());
    const auto pairs = at::view_as_complex(x.contiguous().unflatten(-1, {half, 2}));
    return at::view_as_real(pairs * cis).flatten(-2);  // [..., T, d]
}

// cos and sin, or a complex-only table's parts (views, read in place by the fused kernel).
std::pair<at::Tensor, at::Tensor> cos_sin(const RopeTable& table) {
    if (table.cos.defined() || !table.cis.defined()) {
        return {table.cos, table.sin};
    }
    const auto parts = at::view_as_real(table.cis);
    return {parts.select(-1, 0), parts.select(-1, 1)};
}

}  // namespace

at::Tensor apply_rope(const at::Tensor& x, const RopeTable& table) {
    // x: [..., T, d]; cos/sin: [T, d/2] or, per row, [B, 1, T, d/2] (broadcast over heads)
    const bool interleaved = table.layout == RopeLayout::interleaved;
    if (const auto [c, s] = cos_sin(table); kernels::fused_rope_serves(x, c, s)) {
        return kernels::fused_rope(x, c, s, interleaved);
    }
    if (table.cis.defined() && interleaved) {
        return apply_rope_complex(x, table.cis);
    }
    const int64_t half = x.size(-1) / 2;
    TORCH_CHECK(table.cos.size(-1) == half && table.cos.size(-2) == x.size(-2), "apply_rope: x ",
                x.sizes(), " does not match the table ", table.cos.sizes());
    if (table.layout == RopeLayout::interleaved) {
        const auto x1 = x.slice(-1, 0, x.size(-1), 2);  // even elements [..., T, d/2]
        const auto x2 = x.slice(-1, 1, x.size(-1), 2);  // odd elements
        const auto y1 = x1 * table.cos - x2 * table.sin;
        const auto y2 = x2 * table.cos + x1 * table.sin;
        return torch::stack({y1, y2}, -1).flatten(-2);  // interleaved again [..., T, d]
    }
    const auto x1 = x.slice(-1, 0, half);
    const auto x2 = x.slice(-1, half);
    const auto cos = torch::cat({table.cos, table.cos}, -1);  // [T, d]
    const auto sin = torch::cat({table.sin, table.sin}, -1);
    return x * cos + torch::cat({-x2, x1}, -1) * sin;  // x·cos + rotate_half(x)·sin
}

}  // namespace r1::model
