#include "r1/train/pairwise_loss.h"

#include "r1/util/error.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/expect.h"
#include "support/tensor_dict.h"

namespace r1::train {
namespace {

at::Tensor vec(std::vector<double> v) {
    return at::tensor(v, at::kDouble);
}

double log_sigmoid(double x) {
    return -std::log1p(std::exp(-x));
}

// Parity with TRL's RewardTrainer.compute_loss (tests/reference/reward_loss_reference.py).
TEST(PairwiseLossTest, MatchesTrl) {
    const char* build = std::getenv("R1_BUILD_DIR");
    ASSERT_NE(build, nullptr) << "R1_BUILD_DIR is set by ctest";
    const auto tensors =
        test::load_tensor_dict(std::string(build) + "/reference/reward_trl/reward_trl.pt");
    auto get = [&](const std::string& key) { return test::find_tensor(tensors, key); };
    auto expect_metrics = [&](const std::string& name, const PairwiseLoss& out) {
        // TRL averages the accuracy in float32 ((r_c > r_r).float().mean()); r1 in float64.
        EXPECT_NEAR(out.accuracy, get(name + ".accuracy").item<double>(), 1e-7);
        EXPECT_NEAR(out.margin, get(name + ".margin").item<double>(), 1e-12);
        EXPECT_NEAR(out.min_reward, get(name + ".min_reward").item<double>(), 1e-12);
        EXPECT_NEAR(out.mean_reward, get(name + ".mean_reward").item<double>(), 1e-12);
        EXPECT_NEAR(out.max_reward, get(name + ".max_reward").item<double>(), 1e-12);
    };

    struct Case {
        std::string name;
        bool margin;
        double center;
    };

    for (const Case& c : {Case{"plain", false, 0.0}, Case{"margin", true, 0.0},
                          Case{"center", false, 0.01}, Case{"margin_center", true, 0.1}}) {
        SCOPED_TRACE(c.name);
        const at::Tensor chosen = get(c.name + ".chosen").clone().requires_grad_(true);
        const at::Tensor rejected = get(c.name + ".rejected").clone().requires_grad_(true);
        PairwiseRewards in{.chosen = chosen, .rejected = rejected};
        if (c.margin) {
            in.margin = get(c.name + ".margin_in");
        }
        const PairwiseLoss out = pairwise_loss(in, {.center_rewards_coefficient = c.center});
        out.loss.backward();
        EXPECT_NEAR(out.loss.item<double>(), get(c.name + ".loss").item<double>(), 1e-12);
        R1_EXPECT_CLOSE(chosen.grad(), get(c.name + ".grad_chosen"), 1e-10, 1e-14);
        R1_EXPECT_CLOSE(rejected.grad(), get(c.name + ".grad_rejected"), 1e-10, 1e-14);
        expect_metrics(c.name, out);
    }
    // A transformers Qwen2ForSequenceClassification's per-token scores, read at the last non-pad
    // token (pad id 0; one row padded on both sides), then TRL's loss with centring 0.01.
    SCOPED_TRACE("pooled");
    const at::Tensor rewards =
        last_non_pad_values(get("pooled.values"), get("pooled.input_ids"), 0);
    R1_EXPECT_CLOSE(rewards, get("pooled.rewards"), 0, 0);
    const auto halves = rewards.chunk(2);
    const PairwiseLoss out = pairwise_loss({.chosen = halves[0], .rejected = halves[1]},
                                           {.center_rewards_coefficient = 0.01});
    EXPECT_NEAR(out.loss.item<double>(), get("pooled.loss").item<double>(), 1e-12);
    expect_metrics("pooled", out);
}

TEST(PairwiseLossTest, HandComputedTable) {
    // Pair 0: r_c - r_r = 1, margin 0.5; pair 1: a tie, margin 0 (a tie is not accurate, as in
    // TRL).
    const PairwiseRewards in{
        .chosen = vec({2.0, 0.0}), .rejected = vec({1.0, 0.0}), .margin = vec({0.5, 0.0})};
    const double bt = -(log_sigmoid(0.5) + log_sigmoid(0.0)) / 2;
    const PairwiseLoss plain = pairwise_loss(in);
    EXPECT_NEAR(plain.loss.item<double>(), bt, 1e-15);
    EXPECT_DOUBLE_EQ(plain.accuracy, 0.5);
    EXPECT_DOUBLE_EQ(plain.margin, 0.5);  // mean(r_c - r_r): the input margins are not subtracted
    EXPECT_DOUBLE_EQ(plain.min_reward, 0.0);
    EXPECT_DOUBLE_EQ(plain.mean_reward, 0.75);
    EXPECT_DOUBLE_EQ(plain.max_reward, 2.0);
    // Centring adds coef * mean((r_c + r_r)^2) = 0.1 * (9 + 0) / 2.
    EXPECT_NEAR(pairwise_loss(in, {.center_rewards_coefficient = 0.1}).loss.item<double>(),
                bt + 0.45, 1e-15);
}

// d loss / d r_c = -sigmoid(-(r_c - r_r - m)) / N, and the opposite for r_r (centring off).
TEST(PairwiseLossTest, GradientIsSigmoidOfTheNegatedDifference) {
    at::manual_seed(0);
    const at::Tensor c = at::randn({6}, at::kDouble).requires_grad_(true);
    const at::Tensor r = at::randn({6}, at::kDouble).requires_grad_(true);
    const at::Tensor m = at::rand({6}, at::kDouble);
    pairwise_loss({.chosen = c, .rejected = r, .margin = m}).loss.backward();
    const at::Tensor expected = -at::sigmoid(-(c.detach() - r.detach() - m)) / 6;
    R1_EXPECT_CLOSE(c.grad(), expected, 1e-14, 1e-16);
    R1_EXPECT_CLOSE(r.grad(), -expected, 1e-14, 1e-16);
}

// logsigmoid, not log(sigmoid): a badly wrong pair costs its difference and the gradient stays
// finite.
TEST(PairwiseLossTest, LargeDifferencesStayFinite) {
    const at::Tensor c = vec({-500.0}).requires_grad_(true);
    const PairwiseLoss out = pairwise_loss({.chosen = c, .rejected = vec({500.0})});
    out.loss.backward();
    EXPECT_NEAR(out.loss.item<double>(), 1000.0, 1e-9);
    EXPECT_NEAR(c.grad()[0].item<double>(), -1.0, 1e-12);
    EXPECT_DOUBLE_EQ(out.accuracy, 0.0);
}

TEST(PairwiseLossTest, LastNonPadValueHandlesRightLeftAndNoPadding) {
    const at::Tensor values =
        vec({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}).view({4, 4});
    const at::Tensor ids = at::tensor({5, 6, 0, 0,   // right padding: position 1
                                       0, 0, 5, 6,   // left padding: position 3
                                       5, 6, 7, 8,   // no padding: the last position
                                       0, 0, 0, 0},  // padding only: position 0, as transformers
                                      at::kLong)
                               .view({4, 4});
    R1_EXPECT_CLOSE(last_non_pad_values(values, ids, 0), vec({2, 8, 12, 13}), 0, 0);
}

TEST(PairwiseLossTest, ShapeMismatchNamesBothShapes) {
    test::expect_contains(test::error_of<c10::Error>([] {
                              pairwise_loss({.chosen = at::zeros({3}, at::kDouble),
                                             .rejected = at::zeros({4}, at::kDouble)});
                          }),
                          {"chosen and rejected", "[3]", "[4]"});
    test::expect_contains(test::error_of<c10::Error>([] {
                              pairwise_loss({.chosen = at::zeros({3}, at::kDouble),
                                             .rejected = at::zeros({3}, at::kDouble),
                                             .margin = at::zeros({3, 1}, at::kDouble)});
                          }),
                          {"margin", "[3]", "[3, 1]"});
    test::expect_contains(
        test::error_of<c10::Error>([] {
            last_non_pad_values(at::zeros({2, 3}), at::zeros({2, 4}, at::kLong), 0);
        }),
        {"[2, 3]", "[2, 4]"});
    test::expect_contains(test::error_of<util::ConfigError>([] {
                              pairwise_loss({.chosen = at::zeros({1}, at::kDouble),
                                             .rejected = at::zeros({1}, at::kDouble)},
                                            {.center_rewards_coefficient = -1.0});
                          }),
                          {"center_rewards_coefficient (-1)"});
}

}  // namespace
}  // namespace r1::train
