// RoPE: YaRN frequencies and temperature against model-spec §2.2's worked tiny variant, the two
// layouts against each other, and the relative-position identity (float64).
#include "r1/model/rope.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

TEST(RopeTest, YarnTinyVariantMatchesSpec) {
    // dr 16, orig 64, factor 4: low 0, high 3 -> pair 0 keeps theta_0, pairs >= 3 use theta_i / 4
    const RopeScaling yarn{.rope_type = "yarn",
                           .factor = 4.0,
                           .original_max_position_embeddings = 64,
                           .mscale = 1.0,
                           .mscale_all_dim = 1.0};
    const auto inv = rope_inv_freq(16, 10000.0, yarn).to(torch::kFloat64);
    const auto theta = torch::pow(10000.0, -torch::arange(0, 16, 2, torch::kFloat64) / 16);
    EXPECT_NEAR(inv[0].item<double>(), theta[0].item<double>(), 1e-6);
    R1_EXPECT_CLOSE(inv.slice(0, 3), theta.slice(0, 3) / 4, 1e-6, 0.0);
    // pair 1: ramp 1/3 -> 2/3 of theta, 1/3 of theta/4
    EXPECT_NEAR(inv[1].item<double>(), theta[1].item<double>() * (2.0 / 3 + 1.0 / 12), 1e-6);
    const double m = 0.1 * std::log(4.0) + 1;  // 1.1386
    EXPECT_NEAR(m, 1.1386, 1e-4);
    EXPECT_NEAR(rope_softmax_mscale(yarn), m * m, 1e-12);
    EXPECT_NEAR(rope_attention_factor(yarn), 1.0, 1e-12);  // mscale == mscale_all_dim
}

TEST(RopeTest, V3FullConfigCorrectionRange) {
    // dr 64, orig 4096, factor 40: pairs 0..10 keep theta, pairs >= 23 divided by 40 (spec §2.2)
    const RopeScaling yarn{
        .rope_type = "yarn", .factor = 40.0, .original_max_position_embeddings = 4096};
    const auto inv = rope_inv_freq(64, 10000.0, yarn).to(torch::kFloat64);
    const auto theta = torch::pow(10000.0, -torch::arange(0, 64, 2, torch::kFloat64) / 64);
    R1_EXPECT_CLOSE(inv.slice(0, 0, 11), theta.slice(0, 0, 11), 1e-6, 0.0);
    R1_EXPECT_CLOSE(inv.slice(0, 23), theta.slice(0, 23) / 40, 1e-6, 0.0);
    EXPECT_NEAR(rope_attention_factor(yarn), 0.1 * std::log(40.0) + 1, 1e-12);  // no mscale keys
}

TEST(RopeTest, InterleavedEqualsHalfSplitOnPermutedPairs) {
    // HF's rope_interleave=True: de-interleave [x0,x2,..,x1,x3,..], then rotate_half (spec §2.3)
    torch::manual_seed(0);
    const auto x = torch::randn({2, 3, 5, 8}, torch::kFloat64);
    const auto positions = torch::arange(5);
    auto options = test::tiny_deepseek();
    const auto inter = rope_table(options, positions, torch::kFloat64);
    auto half = inter;
    half.layout = RopeLayout::half_split;
    const auto perm = torch::cat({torch::arange(0, 8, 2), torch::arange(1, 8, 2)});
    R1_EXPECT_CLOSE(apply_rope(x, inter).index_select(-1, perm),
                    apply_rope(x.index_select(-1, perm), half), 1e-12, 1e-12);
}

TEST(RopeTest, ComplexTableEqualsRealRotation) {
    // with_cis(): the decode loops' one-multiply rotation; per-row tables as the engine cuts them
    torch::manual_seed(0);
    const auto x = torch::randn({2, 3, 8, 24}, torch::kFloat64).slice(-1, 16);  // strided, as q_pe
    const auto table = rope_table_rows(test::tiny_deepseek(), torch::arange(8).repeat({2, 1}) + 3,
                                       torch::kFloat64);
    R1_EXPECT_CLOSE(apply_rope(x, with_cis(table)), apply_rope(x, table), 1e-14, 1e-14);
}

TEST(RopeTest, ComplexTableIsSkippedWhereAtenHasNoComplexType) {
    // a bf16 or f16 model decodes through the real rotation (at::complex rejects both)
    const auto positions = torch::arange(8);
    for (const auto dtype : {torch::kBFloat16, torch::kFloat16}) {
        const auto table = with_cis(rope_table(test::tiny_deepseek(), positions, dtype));
        EXPECT_FALSE(table.cis.defined());
        const auto x = torch::randn({1, 2, 8, 8}).to(dtype);
        EXPECT_EQ(apply_rope(x, table).scalar_type(), dtype);
    }
}

TEST(RopeTest, ScoresDependOnlyOnRelativePosition) {
    torch::manual_seed(0);
    const auto q = torch::randn({1, 1, 1, 8}, torch::kFloat64);
    const auto k = torch::randn({1, 1, 1, 8}, torch::kFloat64);
    for (const auto& options :
         {test::tiny_qwen2(R"({"hidden_size": 16, "num_attention_heads": 2})"),
          test::tiny_deepseek()}) {
        const auto table = rope_table(options, torch::arange(12), torch::kFloat64);
        auto at = [&](const at::Tensor& v, int64_t p) {
            const RopeTable row{table.cos.slice(0, p, p + 1), table.sin.slice(0, p, p + 1),
                                table.layout};
            return apply_rope(v, row);
        };
        const double near = (at(q, 3) * at(k, 1)).sum().item<double>();
        const double far = (at(q, 11) * at(k, 9)).sum().item<double>();
        EXPECT_NEAR(near, far, 1e-6 * std::abs(near));  // angles are float32, as in HF
    }
}

}  // namespace
}  // namespace r1::model
