// Autograd of every module against central finite differences in float64 (directional
// derivatives along random directions of the input and all parameters).
#include "r1/model/attention.h"
#include "r1/model/balance.h"
#include "r1/model/causal_lm.h"
#include "r1/model/mla.h"
#include "r1/model/mlp.h"
#include "r1/model/moe.h"
#include "r1/model/mtp.h"
#include "r1/model/rms_norm.h"
#include "r1/model/rope.h"

#include <gtest/gtest.h>

#include "model/support.h"

namespace r1::model {
namespace {

constexpr double kTol = 1e-6;

class GradcheckTest : public ::testing::Test {
  protected:
    void SetUp() override { torch::manual_seed(0); }

    // loss = Σ out ⊙ R for a fixed random R, over the input x [2, 5, D] and the module's parameters
    template <class Forward>
    void check(torch::nn::Module& module, int64_t D, Forward forward) {
        module.to(torch::kFloat64);
        auto x = torch::randn({2, 5, D}, torch::kFloat64).requires_grad_(true);
        const auto weight = torch::randn_like(forward(x).detach());
        auto leaves = test::parameters_of(module);
        leaves.push_back(x);
        const double error =
            test::gradient_error([&] { return (forward(x) * weight).sum(); }, leaves);
        EXPECT_LT(error, kTol);
    }

    ModelOptions ds = test::tiny_deepseek();
    ModelOptions qwen = test::tiny_qwen2();
    at::Tensor mask =
        causal_mask(5, torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}), torch::kFloat64);
};

TEST_F(GradcheckTest, RmsNorm) {
    RmsNorm norm(RmsNormOptions{.dim = 32});
    check(*norm, 32, [&](const at::Tensor& x) { return norm(x); });
}

TEST_F(GradcheckTest, Rope) {
    torch::nn::Module none;
    const auto table = rope_table(ds, torch::arange(5), torch::kFloat64);
    check(none, 8, [&](const at::Tensor& x) { return apply_rope(x, table); });
}

TEST_F(GradcheckTest, Mlp) {
    Mlp mlp(MlpOptions{.hidden_size = 32, .intermediate_size = 16, .bias = true});
    check(*mlp, 32, [&](const at::Tensor& x) { return mlp(x); });
}

TEST_F(GradcheckTest, GqaAttention) {
    Attention attn(qwen);
    const auto table = rope_table(qwen, torch::arange(5), torch::kFloat64);
    check(*attn, 32, [&](const at::Tensor& x) { return attn(x, table, mask); });
}

TEST_F(GradcheckTest, Mla) {
    for (const auto& options : {ds, test::tiny_deepseek(R"({"q_lora_rank": null})")}) {
        Mla mla(options);
        const auto table = rope_table(options, torch::arange(5), torch::kFloat64);
        check(*mla, 32, [&](const at::Tensor& x) { return mla(x, table, mask); });
    }
}

TEST_F(GradcheckTest, MoeWithBalanceLoss) {
    Moe moe(ds);
    moe->balance_loss_alpha = 0.1;
    moe->train();
    check(*moe, 32, [&](const at::Tensor& x) {
        auto out = moe(x);
        return out.hidden + out.aux_loss;  // the aux loss reaches the gate weight through s'
    });
}

TEST_F(GradcheckTest, MtpLayer) {
    MtpLayer mtp(ds, 2);
    const auto table = rope_table(ds, torch::arange(5), torch::kFloat64);
    const auto embeds = torch::randn({2, 5, 32}, torch::kFloat64);
    check(*mtp, 32, [&](const at::Tensor& x) { return mtp(x, embeds, table, mask).normed; });
}

TEST_F(GradcheckTest, CausalLmWithMtp) {
    CausalLm lm(ds);
    lm->to(torch::kFloat64);
    lm->train();
    lm->set_balance_loss_alpha(0.01);
    const auto ids = torch::randint(0, 64, {2, 5});
    const auto padding = torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}});
    const auto r = torch::randn({2, 5, 64}, torch::kFloat64);
    const auto r_mtp = torch::randn({2, 4, 64}, torch::kFloat64);
    const double error = test::gradient_error(
        [&] {
            auto out = lm->forward(ids, padding, {.mtp = true});
            return (out.logits * r).sum() + (out.mtp_logits[0] * r_mtp).sum() + out.aux_loss;
        },
        test::parameters_of(*lm));
    EXPECT_LT(error, kTol);
}

TEST_F(GradcheckTest, DenseCausalLm) {
    CausalLm lm(test::tiny_qwen2(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0,
        "original_max_position_embeddings": 4}})"));
    lm->to(torch::kFloat64);
    const auto ids = torch::randint(0, 64, {2, 5});
    const auto r = torch::randn({2, 5, 64}, torch::kFloat64);
    EXPECT_LT(
        test::gradient_error([&] { return (lm(ids).logits * r).sum(); }, test::parameters_of(*lm)),
        kTol);
}

}  // namespace
}  // namespace r1::model
