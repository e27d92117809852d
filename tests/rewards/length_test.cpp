// cosine, soft_overlong and repetition on shared vectors, hand-computed from the formulas of
// grpo-spec §6.7-6.9 (TRL's get_cosine_scaled_reward / get_soft_overlong_punishment /
// get_repetition_penalty_reward and open-r1's rewards.py). Where they differ, TRL wins, as noted.
#include "r1/rewards/length.h"

#include "r1/rewards/repetition.h"

#include <gtest/gtest.h>

#include <cmath>

namespace r1::rewards {
namespace {

TEST(CosineTest, SharedVectors) {
    const CosineOptions o;  // (-1, -0.5, 0.5, 1), L = 1000
    const double c45 = 1.0 + std::cos(M_PI / 4);

    struct Case {
        int64_t n;
        bool correct;
        double expected;
    };

    const std::vector<Case> cases = {
        {0, true, 1.0},
        {250, true, 0.5 + 0.25 * c45},
        {500, true, 0.75},
        {1000, true, 0.5},
        {0, false, -1.0},
        {250, false, -0.5 - 0.25 * c45},
        {500, false, -0.75},
        {1000, false, -0.5},
        // beyond L_max: TRL clamps progress at 1; open-r1 would wrap to cos(2 pi) = 1 and pay 1.0 /
        // -1.0
        {2000, true, 0.5},
        {2000, false, -0.5},
    };
    for (const Case& c : cases) {
        EXPECT_NEAR(cosine_scaled(c.n, c.correct, o), c.expected, 1e-12) << c.n << " " << c.correct;
    }
}

TEST(CosineTest, RewardUsesTokensAndCorrectness) {
    const CosineOptions o{.max_length = 4};
    RewardInput in{.completion = "<answer>7</answer>",
                   .completion_ids = std::vector<int64_t>{1, 2},
                   .answer = "7"};
    EXPECT_NEAR(cosine(in, o).value.value(), 0.75, 1e-12);  // correct, n/L = 1/2
    in.answer = "8";
    EXPECT_NEAR(cosine(in, o).value.value(), -0.75, 1e-12);
    in.completion_ids.reset();
    EXPECT_FALSE(cosine(in, o).value.has_value());  // tokens asked for, none given
    EXPECT_NEAR(cosine(in, {.max_length = 36, .unit = LengthUnit::characters}).value.value(), -0.75,
                1e-12);
    in.answer = "";
    EXPECT_FALSE(
        cosine(in, {.unit = LengthUnit::characters}).value.has_value());  // gold unparseable
}

TEST(SoftOverlongTest, SharedVectors) {
    const SoftOverlongOptions o{.max_length = 20, .cache = 4};  // DAPO's shape, scaled down
    const std::vector<std::pair<int64_t, double>> cases = {{0, 0.0},   {16, 0.0},   {17, -0.25},
                                                           {18, -0.5}, {19, -0.75}, {20, -1.0},
                                                           {21, -1.0}, {100, -1.0}};
    for (const auto& [n, expected] : cases) {
        EXPECT_DOUBLE_EQ(soft_overlong_penalty(n, o), expected) << n;
    }
    EXPECT_DOUBLE_EQ(
        soft_overlong_penalty(18, {.max_length = 20, .cache = 4, .penalty_factor = 2.0}), -1.0);
    const RewardInput in{.completion = "héllo", .completion_ids = std::vector<int64_t>(17, 0)};
    EXPECT_DOUBLE_EQ(soft_overlong(in, o).value.value(), -0.25);
    EXPECT_DOUBLE_EQ(
        soft_overlong(in, {.max_length = 6, .cache = 2, .unit = LengthUnit::characters})
            .value.value(),
        -0.5);  // 5 code points, not 6 bytes
}

TEST(RepetitionTest, SharedVectors) {
    EXPECT_DOUBLE_EQ(repetition_penalty(std::vector<int64_t>{1, 2, 3, 1, 2, 3}, 3, -1.0),
                     -0.25);  // 3 of 4 distinct
    EXPECT_DOUBLE_EQ(repetition_penalty(std::vector<int64_t>{1, 1, 1, 1, 1}, 3, -1.0), -2.0 / 3.0);
    EXPECT_DOUBLE_EQ(repetition_penalty(std::vector<int64_t>{1, 2, 3, 4}, 3, -1.0), 0.0);
    EXPECT_DOUBLE_EQ(repetition_penalty(std::vector<int64_t>{1, 2}, 3, -1.0), 0.0);  // fewer than n
    EXPECT_DOUBLE_EQ(repetition_penalty(std::vector<int64_t>{7, 7, 7, 7}, 2, -0.5),
                     -0.5 * 2.0 / 3.0);
    // open-r1's words: "the cat the cat the cat" has 2 distinct trigrams of 4
    EXPECT_DOUBLE_EQ(repetition(RewardInput{.completion = "The cat the CAT\nthe   cat"},
                                {.unit = RepetitionUnit::words})
                         .value.value(),
                     -0.5);
    EXPECT_DOUBLE_EQ(
        repetition(RewardInput{.completion = ""}, {.unit = RepetitionUnit::words}).value.value(),
        0.0);
    EXPECT_FALSE(
        repetition(RewardInput{.completion = "a b c"}, RepetitionOptions{}).value.has_value());
    EXPECT_DOUBLE_EQ(repetition(RewardInput{.completion_ids = std::vector<int64_t>{5, 5, 5, 5, 5}},
                                RepetitionOptions{})
                         .value.value(),
                     -2.0 / 3.0);
}

}  // namespace
}  // namespace r1::rewards
