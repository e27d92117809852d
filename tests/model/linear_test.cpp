// model::Linear in its three modes: dense equals torch::nn::Linear (same seeded init, same
// output); fp8 stores torch's own E4M3 cast of w / s with DeepSeek's block scales and its output
// equals float64 math on the dequantised operands (and the exact product within E4M3's bound);
// clone keeps the mode; a whole DeepSeek model converted to FP8 keeps its logits close.
#include "r1/model/linear.h"

#include "r1/fp8/quantize.h"
#include "r1/model/causal_lm.h"
#include "r1/model/state.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

using torch::nn::LinearOptions;

at::Tensor f64(const at::Tensor& t) {
    return t.to(at::kDouble);
}

TEST(LinearTest, DenseModeIsTorchLinear) {
    torch::manual_seed(7);
    torch::nn::Linear reference(LinearOptions(40, 24).bias(true));
    torch::manual_seed(7);
    Linear ours(LinearOptions(40, 24).bias(true));
    EXPECT_TRUE(at::equal(ours->weight, reference->weight));  // same draws in the same order
    EXPECT_TRUE(at::equal(ours->bias, reference->bias));
    const at::Tensor x = at::randn({3, 5, 40});
    EXPECT_TRUE(at::equal(ours(x), reference(x)));
    Linear no_bias(LinearOptions(40, 24).bias(false));
    EXPECT_EQ(no_bias->named_parameters().size(), 1u);  // as torch::nn::Linear: no "bias" key
}

TEST(LinearTest, Fp8ModeStoresTorchsE4m3CastWithBlockScales) {
    torch::manual_seed(0);
    Linear layer(LinearOptions(300, 200).bias(true));  // 2x3 blocks, ragged on both edges
    const at::Tensor w = layer->weight.detach().clone();
    layer->set_mode(LinearMode::fp8);
    const auto names = named_tensors(*layer);
    ASSERT_EQ(names.size(), 3u);  // bias (parameter), then weight and weight_scale_inv (buffers)
    EXPECT_EQ(names[1].first, "weight");
    EXPECT_EQ(names[2].first, "weight_scale_inv");
    EXPECT_EQ(layer->weight.scalar_type(), at::kFloat8_e4m3fn);
    EXPECT_FALSE(layer->weight.requires_grad());
    // independent reference: amax/448 per zero-padded 128x128 block, then torch's float8 cast
    const at::Tensor padded = at::constant_pad_nd(w, {0, 384 - 300, 0, 256 - 200});
    const at::Tensor blocks = padded.view({2, 128, 3, 128});
    const at::Tensor s = blocks.abs().amax({1, 3}).clamp_min(1e-4) / 448.0;  // [2, 3]
    const at::Tensor q = (blocks / s.view({2, 1, 3, 1})).to(at::kFloat8_e4m3fn).view({256, 384});
    EXPECT_TRUE(at::equal(layer->weight_scale_inv, s));
    EXPECT_TRUE(at::equal(layer->weight.view(at::kByte),
                          q.narrow(0, 0, 200).narrow(1, 0, 300).contiguous().view(at::kByte)));
}

TEST(LinearTest, Fp8ForwardEqualsFloat64OfDequantisedOperands) {
    torch::manual_seed(1);
    Linear layer(LinearOptions(300, 200).bias(true));
    const at::Tensor w = f64(layer->weight.detach());
    layer->set_mode(LinearMode::fp8);
    const at::Tensor x = at::randn({2, 7, 300}) * at::exp(at::randn({2, 7, 1}));
    const at::Tensor y = layer(x);
    ASSERT_EQ(y.sizes(), at::IntArrayRef({2, 7, 200}));
    const at::Tensor xq = f64(fp8::dequantize_tiles(fp8::quantize_tiles(x.reshape({-1, 300}))));
    const at::Tensor wq = f64(layer->dense_weight());
    const at::Tensor b = f64(layer->bias.detach());
    const at::Tensor expected = at::matmul(xq, wq.t()) + b;
    // float32 accumulation over K = 300 in 128-blocks: far below 1e-5 of Σ|x||w|
    const at::Tensor scale = at::matmul(xq.abs(), wq.abs().t()) + b.abs();
    const at::Tensor err = (f64(y).reshape({-1, 200}) - expected).abs();
    EXPECT_LE((err / (1e-5 * scale)).max().item<double>(), 1.0);
    // against the exact float64 product: E4M3 rounds each operand by ≤ 2^-4 relative (normals)
    // or 2^-10·s absolute (subnormals); |x| and |w| both rounded → ≤ (2·2^-4 + 2^-8)·Σ|x||w| + ...
    const at::Tensor exact = at::matmul(f64(x).reshape({-1, 300}), w.t()) + b;
    const at::Tensor bound = (2 * std::ldexp(1.0, -4) + std::ldexp(1.0, -8)) *
                                 at::matmul(f64(x).reshape({-1, 300}).abs(), w.abs().t()) +
                             1e-3 * scale.mean();  // generous room for the subnormal terms
    EXPECT_TRUE(((f64(y).reshape({-1, 200}) - exact).abs() <= bound).all().item<bool>());
    EXPECT_EQ(layer(x.to(at::kBFloat16)).scalar_type(), at::kBFloat16);
}

TEST(LinearTest, CloneKeepsTheFp8BytesAndTheModeCannotGoBack) {
    Linear layer(LinearOptions(130, 70).bias(false));
    layer->set_mode(LinearMode::fp8);
    const auto copy = std::dynamic_pointer_cast<LinearImpl>(layer->clone());
    ASSERT_TRUE(copy);
    EXPECT_EQ(copy->mode(), LinearMode::fp8);
    EXPECT_TRUE(at::equal(copy->weight.view(at::kByte), layer->weight.view(at::kByte)));
    EXPECT_TRUE(at::equal(copy->weight_scale_inv, layer->weight_scale_inv));
    EXPECT_NE(copy->weight.data_ptr(), layer->weight.data_ptr());
    test::expect_contains(test::error_of<c10::Error>([&] { layer->set_mode(LinearMode::dense); }),
                          {"fp8 layer has no float weight"});
}

// Spec §1.4's FP8 test size: every GEMM's K a multiple of 128 (hidden 256, latents 128).
ModelOptions fp8_sized() {
    return test::tiny_deepseek(R"({"hidden_size": 256, "intermediate_size": 512,
        "moe_intermediate_size": 128, "q_lora_rank": 128, "kv_lora_rank": 128,
        "num_attention_heads": 4, "qk_nope_head_dim": 32, "qk_rope_head_dim": 16,
        "v_head_dim": 32, "vocab_size": 128, "initializer_range": 0.02})");
}

TEST(LinearTest, ModelInFp8KeepsItsLogitsClose) {
    torch::manual_seed(0);
    CausalLm lm(fp8_sized());
    lm->eval();
    const auto converted = std::dynamic_pointer_cast<CausalLmImpl>(lm->clone());
    // MLA (q_a, q_b, kv_a, kv_b, o) x 3 layers (MTP's included) + dense MLP 3 + MoE (8 experts
    // + shared) x 3 per MoE layer x 2 (layer 1 and MTP layer 2)
    EXPECT_EQ(set_linear_mode(*converted, LinearMode::fp8), 15 + 3 + 2 * 27);
    EXPECT_FALSE(converted->lm_head->weight.scalar_type() == at::kFloat8_e4m3fn);
    const at::Tensor ids = at::randint(0, 128, {2, 12});
    const at::Tensor mask = at::ones({2, 12}, at::kLong);
    torch::NoGradGuard no_grad;
    const at::Tensor ref = lm->forward(ids, mask, {}).logits;
    const at::Tensor got = converted->forward(ids, mask, {}).logits;
    // two E4M3 operands per projection give ≈ √2·2^-4/√3 ≈ 5% relative rms error in each GEMM
    // output, and a sublayer chains two or three GEMMs (q_a → q_b, kv_a → kv_b → o, gate/up →
    // down): ≈ 10% per sublayer, which the residual stream carries to the float lm_head. Allowed:
    // 15% of the logits' rms (measured 11.5% on these random weights).
    const double rel = ((got - ref).norm() / ref.norm()).item<double>();
    std::cout << "fp8 logits relative rms error " << rel << "\n";
    EXPECT_LT(rel, 0.15);
    EXPECT_GT(rel, 1e-4);  // the FP8 path really ran
    const double agree = (got.argmax(-1) == ref.argmax(-1)).to(at::kDouble).mean().item<double>();
    // random weights give flat logits (the top two of 128 differ by ~0.4 of their rms), so an 11%
    // error flips some argmaxes: measured 83%
    std::cout << "fp8 argmax agreement " << agree << "\n";
    EXPECT_GE(agree, 0.75);
}

}  // namespace
}  // namespace r1::model
