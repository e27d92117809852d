// CausalLm training paths: the MTP loss against its formula, activation checkpointing against the
// plain backward, bf16 autocast against float32.
#include "r1/model/causal_lm.h"

#include <ATen/autocast_mode.h>

#include <gtest/gtest.h>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

TEST(CausalLmTest, MtpLossMatchesFormula) {
    torch::manual_seed(0);
    const int64_t B = 2, S = 6, V = 5;
    const std::vector<at::Tensor> logits{torch::randn({B, S - 1, V}, torch::kFloat64),
                                         torch::randn({B, S - 2, V}, torch::kFloat64)};
    const auto ids = torch::randint(0, V, {B, S});
    const auto mask = torch::tensor({{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}});
    double expected = 0;
    const double T = 10;  // valid tokens
    for (int64_t k = 1; k <= 2; ++k) {
        for (int64_t b = 0; b < B; ++b) {
            for (int64_t i = 0; i + k + 1 < S; ++i) {
                if (mask[b][i + k + 1].item<int64_t>() == 1) {
                    const auto row = logits[k - 1][b][i];
                    expected -= (row[ids[b][i + k + 1].item<int64_t>()] - row.exp().sum().log())
                                    .item<double>() /
                                T;
                }
            }
        }
    }
    EXPECT_NEAR(mtp_loss(logits, ids, mask, 0.3).item<double>(), 0.3 / 2 * expected, 1e-12);
}

TEST(CausalLmTest, CheckpointingGivesTheSameGradients) {
    torch::manual_seed(0);
    CausalLm lm(test::tiny_deepseek(R"({"num_hidden_layers": 3})"));
    lm->to(torch::kFloat64);
    lm->train();
    lm->set_balance_loss_alpha(0.01);
    const auto ids = torch::randint(0, 64, {2, 6});
    auto grads = [&](bool checkpointing) {
        lm->zero_grad();
        lm->set_activation_checkpointing(checkpointing);
        auto out = lm->forward(ids, {}, {.mtp = true});
        (out.logits.pow(2).mean() + mtp_loss(out.mtp_logits, ids, {}, 0.3) + out.aux_loss)
            .backward();
        std::vector<at::Tensor> result;
        for (const auto& p : lm->parameters()) {
            result.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
        }
        return result;
    };
    const auto plain = grads(false);
    for (auto& moe : lm->model->moe_layers()) {
        moe->reset_expert_load();
    }
    const auto recomputed = grads(true);
    ASSERT_EQ(plain.size(), recomputed.size());
    for (size_t i = 0; i < plain.size(); ++i) {
        R1_EXPECT_CLOSE(recomputed[i], plain[i], 1e-10, 1e-12);
    }
    // the recomputation in backward does not count the routing twice: N·K slots per layer
    EXPECT_EQ(lm->model->layer(1).moe->expert_load().sum().item<int64_t>(), 12 * 2);
}

TEST(CausalLmTest, AutocastBf16StaysCloseToFloat32) {
    torch::manual_seed(0);
    CausalLm lm(test::tiny_deepseek());
    lm->eval();
    const auto ids = torch::randint(0, 64, {2, 6});
    torch::NoGradGuard no_grad;
    const auto full = lm->forward(ids, {}, {.mtp = true});
    const auto half = lm->forward(ids, {}, {.mtp = true, .autocast = true});
    EXPECT_EQ(lm->model->embed_tokens->weight.scalar_type(), torch::kFloat32);  // master weights
    EXPECT_EQ(half.logits.scalar_type(), torch::kBFloat16);
    const double scale = full.logits.abs().max().item<double>();
    R1_EXPECT_CLOSE(half.logits.to(torch::kFloat32), full.logits, 0.0, 0.05 * scale);
    R1_EXPECT_CLOSE(half.mtp_logits[0].to(torch::kFloat32), full.mtp_logits[0], 0.0, 0.05 * scale);
    EXPECT_FALSE(at::autocast::is_autocast_enabled(at::kCPU));  // the guard restored the state
}

}  // namespace
}  // namespace r1::model
