#include "r1/train/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace r1::train {
namespace {

TEST(ScheduleTest, WarmupRisesLinearlyToLr) {
    const OptimOptions o{.lr = 1e-3, .schedule = Schedule::constant, .warmup_steps = 4};
    EXPECT_DOUBLE_EQ(learning_rate(o, 0, 10), 0.25e-3);
    EXPECT_DOUBLE_EQ(learning_rate(o, 3, 10), 1e-3);
    EXPECT_DOUBLE_EQ(learning_rate(o, 9, 10), 1e-3);
}

TEST(ScheduleTest, CosineDecaysToTheFloorAtTheLastStep) {
    const OptimOptions o{
        .lr = 2.0, .schedule = Schedule::cosine, .warmup_steps = 1, .min_lr_ratio = 0.1};
    const OptimOptions even{.lr = 2.0, .schedule = Schedule::cosine, .min_lr_ratio = 0.1};
    // Steps 0..4 of 5: step 2 is halfway, where the cosine term is 0.5 -> 0.1 + 0.9 * 0.5 = 0.55.
    EXPECT_NEAR(learning_rate(even, 2, 5), 2.0 * 0.55, 1e-15);
    const int64_t total = 11;
    EXPECT_DOUBLE_EQ(learning_rate(o, 1, total), 2.0);
    EXPECT_NEAR(learning_rate(o, 10, total), 0.2, 1e-15);
    // Decay runs over steps 1..10: progress (step - 1) / 9.
    const double p = 3.0 / 9.0;
    EXPECT_NEAR(learning_rate(o, 4, total),
                2.0 * (0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * p))), 1e-15);
}

TEST(ScheduleTest, LinearDecayIsAStraightLine) {
    const OptimOptions o{.lr = 1.0, .schedule = Schedule::linear};
    EXPECT_DOUBLE_EQ(learning_rate(o, 0, 5), 1.0);
    EXPECT_DOUBLE_EQ(learning_rate(o, 2, 5), 0.5);
    EXPECT_DOUBLE_EQ(learning_rate(o, 4, 5), 0.0);
    EXPECT_DOUBLE_EQ(learning_rate(o, 7, 5), 0.0);  // past the end stays at the floor
}

}  // namespace
}  // namespace r1::train
