// Load balancing: the sequence-wise balance loss against its formula, the sign rule of the bias
// step, and the aux-loss-free update evening out a skewed stream (figures printed).
#include "r1/model/balance.h"

#include <gtest/gtest.h>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

TEST(BalanceTest, SequenceLossMatchesFormula) {
    torch::manual_seed(0);
    const int64_t B = 2, T = 5, E = 6, K = 2;
    const auto scores = torch::rand({B, T, E}, torch::kFloat64);
    const auto idx = std::get<1>(scores.topk(K, -1));
    double expected = 0;
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t i = 0; i < E; ++i) {
            double hits = 0, P = 0;
            for (int64_t t = 0; t < T; ++t) {
                for (int64_t k = 0; k < K; ++k)
                    hits += idx[b][t][k].item<int64_t>() == i;
                P += scores[b][t][i].item<double>() / scores[b][t].sum().item<double>() / T;
            }
            expected += static_cast<double>(E) / (K * T) * hits * P / B;
        }
    }
    EXPECT_NEAR(sequence_balance_loss(scores, idx, 1e-4).item<double>(), 1e-4 * expected, 1e-15);
}

TEST(BalanceTest, BiasStepFollowsSignRule) {
    const auto step = expert_bias_step(torch::tensor({10, 2, 6, 6}), 0.001);  // mean 6
    R1_EXPECT_CLOSE(step, torch::tensor({-0.001, 0.001, 0.0, 0.0}), 0.0, 1e-9);
}

TEST(BalanceTest, BiasUpdateEvensOutSkewedStream) {
    torch::manual_seed(0);
    Moe moe(test::tiny_deepseek(R"({"n_routed_experts": 16, "num_experts_per_tok": 4})"));
    torch::NoGradGuard no_grad;
    const auto skew =
        torch::randn({32}) * 3.0;  // every token leans the same way: a few experts win
    auto batch = [&] { return moe->gate(torch::randn({256, 32}) + skew); };
    moe->reset_expert_load();
    for (int i = 0; i < 10; ++i)
        moe->record_load(batch());
    const double before = max_over_mean_load(moe->expert_load());
    for (int step = 0; step < 300; ++step) {  // one "optimizer step" per batch
        moe->record_load(batch());
        update_expert_bias(*moe, 0.01);
    }
    for (int i = 0; i < 10; ++i)
        moe->record_load(batch());
    const double after = max_over_mean_load(moe->expert_load());
    std::cout << "max/mean expert load: " << before << " before, " << after
              << " after 300 bias updates (gamma 0.01)\n";
    EXPECT_LT(after, 0.6 * before);
    EXPECT_LT(after, 1.5);
}

}  // namespace
}  // namespace r1::model
