#include "r1/util/progress.h"

#include "r1/util/interrupt.h"

#include <gtest/gtest.h>

#include <csignal>

namespace r1::util {
namespace {

TEST(ProgressTest, FormatShowsBarRateAndEta) {
    const ProgressOptions options{.label = "train", .total = 100, .unit = "step", .width = 10};
    // 50 of 100 in 10 s: 5 step/s, 50 left -> 10 s to go.
    EXPECT_EQ(format_progress(options, 50, 10.0, "loss 1.5"),
              "train [#####.....] 50/100 step 5.00 step/s eta 10s | loss 1.5");
}

TEST(ProgressTest, FormatWithoutTotalShowsCountAndElapsed) {
    const ProgressOptions options{.label = "gen", .total = 0, .unit = "tok"};
    EXPECT_EQ(format_progress(options, 300, 2.0, ""), "gen 300 tok 150.0 tok/s in 2s");
}

TEST(ProgressTest, FinishedBarReportsTotalTime) {
    const ProgressOptions options{.label = "eval", .total = 4, .unit = "it", .width = 4};
    EXPECT_EQ(format_progress(options, 4, 65.0, ""), "eval [####] 4/4 it 0.06 it/s in 1m05s");
}

TEST(InterruptTest, SigintSetsTheFlagInsteadOfKilling) {
    install_interrupt_handler();
    clear_interrupt();
    EXPECT_FALSE(interrupted());
    std::raise(SIGINT);
    EXPECT_TRUE(interrupted());
    clear_interrupt();
    std::raise(SIGTERM);
    EXPECT_TRUE(interrupted());
    clear_interrupt();
}

}  // namespace
}  // namespace r1::util
