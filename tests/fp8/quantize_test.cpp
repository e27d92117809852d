// Fine-grained quantisation against a re-implementation of DeepSeek's act_quant in ATen ops
// (kernel.py: amax per 128, floor 1e-4, s = amax/448, y = e4m3(x / s)), against zero-padding for
// tails, and against a float64 bound on the round-trip error.
#include "r1/fp8/quantize.h"

#include "r1/fp8/format.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <cmath>

namespace r1::fp8 {
namespace {

/// DeepSeek's act_quant over rows of exactly 128·KB elements (the Triton kernel's precondition).
Quantized act_quant_reference(const at::Tensor& x, ScaleFormat scale_format) {
    const at::Tensor tiles = x.reshape({-1, kBlockSize});
    at::Tensor s = tiles.abs().amax(-1, true).clamp_min(kAmaxFloor) / kE4m3Max;
    if (scale_format == ScaleFormat::ue8m0) {  // exact 2^ceil(log2 s), computed in float64
        s = at::exp2(at::ceil(at::log2(s.to(at::kDouble)))).to(at::kFloat);
    }
    const at::Tensor y = (tiles / s).to(at::kFloat8_e4m3fn);
    auto scale_sizes = x.sizes().vec();
    scale_sizes.back() /= kBlockSize;
    return {y.reshape(x.sizes()), s.reshape(scale_sizes)};
}

/// Rows of mixed magnitudes (each row scaled by e^(3·z)), a few exact zeros and one zero tile.
at::Tensor test_input(int64_t rows, int64_t K) {
    at::Tensor x = at::randn({rows, K}) * at::exp(3.0 * at::randn({rows, 1}));
    x.index_put_({0, at::indexing::Slice(0, std::min<int64_t>(K, kBlockSize))}, 0.0);
    x.index_put_({rows - 1, K / 2}, 0.0);
    return x;
}

bool same_bits(const at::Tensor& a, const at::Tensor& b) {
    return at::equal(a.contiguous().view(at::kByte), b.contiguous().view(at::kByte));
}

class QuantizeTest : public ::testing::TestWithParam<ScaleFormat> {
  protected:
    void SetUp() override { at::manual_seed(0); }
};

TEST_P(QuantizeTest, TilesMatchDeepSeekActQuant) {
    const at::Tensor x = test_input(6, 3 * kBlockSize).view({2, 3, 3 * kBlockSize});
    const Quantized q = quantize_tiles(x, GetParam());
    const Quantized ref = act_quant_reference(x, GetParam());
    EXPECT_EQ(q.scale.sizes(), at::IntArrayRef({2, 3, 3}));
    EXPECT_TRUE(at::equal(q.scale, ref.scale));
    EXPECT_TRUE(same_bits(q.data, ref.data));
}

TEST_P(QuantizeTest, TailTilesActAsZeroPadded) {
    const int64_t K = 300, Kp = 3 * kBlockSize;  // the last tile holds 44 valid elements
    const at::Tensor x = test_input(5, K);
    const Quantized q = quantize_tiles(x, GetParam());
    const Quantized ref = act_quant_reference(at::constant_pad_nd(x, {0, Kp - K}), GetParam());
    EXPECT_TRUE(at::equal(q.scale, ref.scale));
    EXPECT_TRUE(same_bits(q.data, ref.data.narrow(1, 0, K)));
}

TEST_P(QuantizeTest, BlocksMatchZeroPaddedBlockAmax) {
    const int64_t N = 300, K = 200;  // weight_scale_inv [3, 2], partial blocks on both axes
    const at::Tensor w = test_input(N, K) * 0.02;
    const Quantized q = quantize_blocks(w, GetParam());
    ASSERT_EQ(q.scale.sizes(), at::IntArrayRef({3, 2}));
    const at::Tensor padded =
        at::constant_pad_nd(w, {0, 2 * kBlockSize - K, 0, 3 * kBlockSize - N});
    const at::Tensor amax = padded.view({3, kBlockSize, 2, kBlockSize}).abs().amax({1, 3});
    at::Tensor s = amax.clamp_min(kAmaxFloor) / kE4m3Max;
    if (GetParam() == ScaleFormat::ue8m0) {
        s = at::exp2(at::ceil(at::log2(s.to(at::kDouble)))).to(at::kFloat);
    }
    EXPECT_TRUE(at::equal(q.scale, s));
    const at::Tensor s_full = s.repeat_interleave(kBlockSize, 0).repeat_interleave(kBlockSize, 1);
    const at::Tensor y = (w / s_full.narrow(0, 0, N).narrow(1, 0, K)).to(at::kFloat8_e4m3fn);
    EXPECT_TRUE(same_bits(q.data, y));
}

TEST_P(QuantizeTest, RoundTripWithinHalfAnE4m3Step) {
    // |x - float(q)·s| ≤ 2^-4·|x| where x/s is normal in E4M3 (3 mantissa bits, so half an ulp is
    // 2^-4 relative), and ≤ 2^-10·s where it is subnormal (step 2^-9·s). In float64.
    const at::Tensor x = test_input(7, 500);
    const Quantized q = quantize_tiles(x, GetParam());
    const at::Tensor s = q.scale.to(at::kDouble).repeat_interleave(kBlockSize, 1).narrow(1, 0, 500);
    const at::Tensor x64 = x.to(at::kDouble);
    const at::Tensor err = (dequantize_tiles(q).to(at::kDouble) - x64).abs();
    const at::Tensor bound =
        at::maximum(x64.abs() * std::ldexp(1.0, -4), s * std::ldexp(1.0, -10)) * (1 + 1e-6);
    EXPECT_TRUE((err <= bound).all().item<bool>())
        << "max excess " << (err - bound).max().item<double>();
    // The scale is amax/448 (float32-rounded) of each tile, in float64.
    const at::Tensor amax =
        at::constant_pad_nd(x64, {0, 12}).view({7, 4, kBlockSize}).abs().amax(-1);
    const at::Tensor expected = amax.clamp_min(kAmaxFloor) / kE4m3Max;
    if (GetParam() == ScaleFormat::fp32) {
        EXPECT_TRUE(at::allclose(q.scale.to(at::kDouble), expected, 1e-7, 0.0));
    } else {
        EXPECT_TRUE((q.scale.to(at::kDouble) >= expected).all().item<bool>());
        EXPECT_TRUE((q.scale.to(at::kDouble) < 2 * expected).all().item<bool>());
    }
}

TEST_P(QuantizeTest, BlockRoundTripMatchesWeightDequant) {
    const at::Tensor w = test_input(130, 260);
    const Quantized q = quantize_blocks(w, GetParam());
    // weight_dequant: out[r, c] = float(q[r, c]) · s[r // 128, c // 128], spelled out per element.
    const at::Tensor qf = q.data.to(at::kFloat);
    const at::Tensor rows = at::arange(130).div(kBlockSize, "floor"),
                     cols = at::arange(260).div(kBlockSize, "floor");
    const at::Tensor expected = qf * q.scale.index({rows.unsqueeze(1), cols.unsqueeze(0)});
    EXPECT_TRUE(at::equal(dequantize_blocks(q), expected));
}

INSTANTIATE_TEST_SUITE_P(ScaleFormats,
                         QuantizeTest,
                         ::testing::Values(ScaleFormat::fp32, ScaleFormat::ue8m0),
                         [](const auto& info) {
                             return info.param == ScaleFormat::fp32 ? "fp32" : "ue8m0";
                         });

TEST(QuantizeTest, ZeroTileGetsTheFloorScale) {
    const Quantized q = quantize_tiles(at::zeros({1, 128}));
    EXPECT_EQ(q.scale.item<float>(), kAmaxFloor / kE4m3Max);
    EXPECT_EQ(q.data.view(at::kByte).sum().item<int64_t>(), 0);
}

TEST(QuantizeTest, DeepSeekScaleLayout) {
    // kv_a_proj_with_mqa of V3: weight [576, 7168] → weight_scale_inv [5, 56] (model-spec §5.3).
    const Quantized q = quantize_blocks(at::randn({576, 7168}));
    EXPECT_EQ(q.scale.sizes(), at::IntArrayRef({5, 56}));
    EXPECT_NO_THROW(check_blocks(q, "kv_a"));
}

TEST(QuantizeTest, MalformedOperandsAreRejected) {
    Quantized q = quantize_blocks(at::randn({200, 300}));
    q.scale = q.scale.narrow(1, 0, 2);
    try {
        check_blocks(q, "layers.0.mlp.up_proj");
        ADD_FAILURE() << "no error";
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        EXPECT_NE(what.find("layers.0.mlp.up_proj"), std::string::npos) << what;
        EXPECT_NE(what.find("[2, 3]"), std::string::npos) << what;
    }
    EXPECT_THROW(check_tiles({at::zeros({2, 4}), at::ones({2, 1})}, "x"), c10::Error);  // not FP8
    EXPECT_THROW(quantize_blocks(at::randn({2, 3, 4})), c10::Error);
}

}  // namespace
}  // namespace r1::fp8
