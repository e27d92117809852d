// Fine-grained quantisation: one pass for the block maxima, one for x / s → E4M3 (division, not a
// reciprocal multiply, as act_quant does, so the codes match DeepSeek's bit for bit).
#include "r1/fp8/quantize.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>

#include "fp8/kernel_table.h"

namespace r1::fp8 {
namespace {

float scale_of(float amax, ScaleFormat scale_format) {
    const float s = std::max(amax, kAmaxFloor) / kE4m3Max;
    if (scale_format == ScaleFormat::fp32) {
        return s;
    }
    int e = 0;
    const float m = std::frexp(s, &e);  // s = m · 2^e, m in [0.5, 1)
    return m == 0.5f ? s : std::ldexp(1.0f, e);
}

float amax_of(const float* x, int64_t len) {
    float amax = 0.0f;
    for (int64_t i = 0; i < len; ++i) {
        amax = std::max(amax, std::abs(x[i]));
    }
    return amax;
}

/// q[0:len] = e4m3(x / s) through the kernel table's vectorised encoder.
void encode_scaled(
    const detail::KernelTable& table, const float* x, uint8_t* q, int64_t len, float s) {
    float buffer[kBlockSize];
    for (int64_t i = 0; i < len; ++i) {
        buffer[i] = x[i] / s;
    }
    table.encode(buffer, q, len, detail::kE4m3,
                 detail::overflow_code(detail::kE4m3, Overflow::like_torch));
}

at::Tensor float_contiguous(const at::Tensor& x, const char* what) {
    TORCH_CHECK(at::isFloatingType(x.scalar_type()), what, ": expected a floating tensor, got ",
                x.scalar_type());
    return x.to(at::kFloat).contiguous();
}

}  // namespace

Quantized quantize_tiles(const at::Tensor& x, ScaleFormat scale_format) {
    TORCH_CHECK(x.dim() >= 1 && x.size(-1) > 0,
                "fp8::quantize_tiles: expected [..., K] with K > 0, got ", x.sizes());
    const at::Tensor in = float_contiguous(x, "fp8::quantize_tiles");
    const int64_t K = in.size(-1), KB = num_blocks(K), rows = in.numel() / K;
    auto scale_sizes = in.sizes().vec();
    scale_sizes.back() = KB;
    Quantized q{at::empty(in.sizes(), in.options().dtype(at::kFloat8_e4m3fn)),
                at::empty(scale_sizes, in.options())};
    const float* src = in.const_data_ptr<float>();
    auto* dst = static_cast<uint8_t*>(q.data.mutable_data_ptr());
    float* scale = q.scale.mutable_data_ptr<float>();
    const auto& table = detail::kernel_table(Kernel::automatic);
    at::parallel_for(0, rows, std::max<int64_t>(1, 16384 / K), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            for (int64_t kb = 0; kb < KB; ++kb) {
                const int64_t k0 = kb * kBlockSize, len = std::min(kBlockSize, K - k0);
                const float* row = src + r * K + k0;
                const float s = scale_of(amax_of(row, len), scale_format);
                scale[r * KB + kb] = s;
                encode_scaled(table, row, dst + r * K + k0, len, s);
            }
        }
    });
    return q;
}

Quantized quantize_blocks(const at::Tensor& w, ScaleFormat scale_format) {
    TORCH_CHECK(w.dim() == 2 && w.numel() > 0,
                "fp8::quantize_blocks: expected a non-empty [N, K] weight, got ", w.sizes());
    const at::Tensor in = float_contiguous(w, "fp8::quantize_blocks");
    const int64_t N = in.size(0), K = in.size(1), NB = num_blocks(N), KB = num_blocks(K);
    Quantized q{at::empty({N, K}, in.options().dtype(at::kFloat8_e4m3fn)),
                at::empty({NB, KB}, in.options())};
    const float* src = in.const_data_ptr<float>();
    auto* dst = static_cast<uint8_t*>(q.data.mutable_data_ptr());
    float* scale = q.scale.mutable_data_ptr<float>();
    const auto& table = detail::kernel_table(Kernel::automatic);
    at::parallel_for(0, NB * KB, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
            const int64_t n0 = (b / KB) * kBlockSize, k0 = (b % KB) * kBlockSize;
            const int64_t rows = std::min(kBlockSize, N - n0), len = std::min(kBlockSize, K - k0);
            float amax = 0.0f;
            for (int64_t r = 0; r < rows; ++r) {
                amax = std::max(amax, amax_of(src + (n0 + r) * K + k0, len));
            }
            const float s = scale_of(amax, scale_format);
            scale[b] = s;
            for (int64_t r = 0; r < rows; ++r) {
                encode_scaled(table, src + (n0 + r) * K + k0, dst + (n0 + r) * K + k0, len, s);
            }
        }
    });
    return q;
}

void check_tiles(const Quantized& q, std::string_view what) {
    TORCH_CHECK(q.data.defined() && q.scale.defined() && q.data.dim() >= 1, what,
                ": expected FP8 data [..., K] and scales [..., ceil(K/128)]");
    TORCH_CHECK(q.data.scalar_type() == at::kFloat8_e4m3fn, what,
                ": data must be float8_e4m3fn, got ", q.data.scalar_type());
    TORCH_CHECK(q.scale.scalar_type() == at::kFloat, what, ": scale must be float32, got ",
                q.scale.scalar_type());
    auto expected = q.data.sizes().vec();
    expected.back() = num_blocks(expected.back());
    TORCH_CHECK(q.scale.sizes() == at::IntArrayRef(expected), what, ": data ", q.data.sizes(),
                " needs 1x128 tile scales of shape ", at::IntArrayRef(expected), ", got ",
                q.scale.sizes());
}

void check_blocks(const Quantized& q, std::string_view what) {
    TORCH_CHECK(q.data.defined() && q.scale.defined() && q.data.dim() == 2, what,
                ": expected FP8 data [N, K] and scales [ceil(N/128), ceil(K/128)]");
    TORCH_CHECK(q.data.scalar_type() == at::kFloat8_e4m3fn, what,
                ": data must be float8_e4m3fn, got ", q.data.scalar_type());
    TORCH_CHECK(q.scale.scalar_type() == at::kFloat, what, ": scale must be float32, got ",
                q.scale.scalar_type());
    const std::vector<int64_t> expected{num_blocks(q.data.size(0)), num_blocks(q.data.size(1))};
    TORCH_CHECK(q.scale.sizes() == at::IntArrayRef(expected), what, ": data ", q.data.sizes(),
                " needs 128x128 block scales of shape ", at::IntArrayRef(expected), ", got ",
                q.scale.sizes());
}

at::Tensor dequantize_tiles(const Quantized& q) {
    check_tiles(q, "fp8::dequantize_tiles");
    const int64_t K = q.data.size(-1);
    const at::Tensor s = q.scale.repeat_interleave(kBlockSize, -1).narrow(-1, 0, K);
    return to_float(q.data) * s;
}

at::Tensor dequantize_blocks(const Quantized& q) {
    check_blocks(q, "fp8::dequantize_blocks");
    const int64_t N = q.data.size(0), K = q.data.size(1);
    const at::Tensor s = q.scale.repeat_interleave(kBlockSize, 0)
                             .repeat_interleave(kBlockSize, 1)
                             .narrow(0, 0, N)
                             .narrow(1, 0, K);
    return to_float(q.data) * s;
}

}  // namespace r1::fp8
