// RewardSet: per-function columns, the weighted sum that skips None (TRL's nansum), unscorable
// completions, and failures counted instead of scored 0.
#include "r1/rewards/combine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace r1::rewards {
namespace {

void register_flaky() {
    register_reward<NoOptions>("test_flaky", "throws on 'boom'", [](const NoOptions&) {
        return RewardFn([](const RewardInput& in) -> RewardResult {
            if (in.completion.find("boom") != std::string::npos) {
                throw std::runtime_error("verifier crashed");
            }
            return {2.0, "", ""};
        });
    });
}

TEST(RewardSetTest, ColumnsSumAndNone) {
    register_flaky();
    const RewardSet set({{.name = "accuracy", .weight = 1.0},
                         {.name = "format", .weight = 0.5},
                         {.name = "test_flaky", .weight = 0.25}},
                        {.num_threads = 2});
    const std::string good = "<think>x</think><answer>4</answer>";
    const std::vector<RewardInput> batch = {
        {.completion = good, .answer = "4"},  // 1, 1, 2
        {.completion = good + " boom",
         .answer = "5"},                       // 0 (4 != 5), 0 (text after </answer>), throws
        {.completion = "boom", .answer = ""},  // None, 0, throws
    };
    const CombinedRewards c = set.score(batch);
    ASSERT_EQ(c.per_function.sizes(), (at::IntArrayRef{3, 3}));
    const auto col = c.per_function.accessor<double, 2>();
    EXPECT_EQ(col[0][0], 1.0);
    EXPECT_EQ(col[0][1], 1.0);
    EXPECT_EQ(col[0][2], 2.0);
    EXPECT_EQ(col[1][1], 0.0);
    EXPECT_TRUE(std::isnan(col[1][2]));
    EXPECT_TRUE(std::isnan(col[2][0]));
    const auto total = c.total.accessor<double, 1>();
    EXPECT_DOUBLE_EQ(total[0], 1.0 + 0.5 + 0.5);
    EXPECT_DOUBLE_EQ(total[1], col[1][0]);
    EXPECT_DOUBLE_EQ(total[2], 0.0);  // format's 0 is a value: still scorable
    EXPECT_EQ(c.stats[2].failures, 2);
    EXPECT_EQ(c.stats[2].none, 2);
    EXPECT_EQ(c.stats[2].first_error, "verifier crashed");
    EXPECT_EQ(c.stats[0].none, 1);
    EXPECT_EQ(c.results[2][1].reason, "failed: verifier crashed");
    const auto m = c.metrics();
    EXPECT_DOUBLE_EQ(m.at("reward/test_flaky/mean"), 2.0);
    EXPECT_DOUBLE_EQ(m.at("reward/test_flaky/failures"), 2.0);
    EXPECT_DOUBLE_EQ(m.at("reward/unscorable"), 0.0);
}

TEST(RewardSetTest, AllNoneIsUnscorable) {
    const RewardSet set({{.name = "accuracy"}, {.name = "countdown"}});
    const CombinedRewards c = set.score(
        {{.completion = "x", .answer = ""}, {.completion = "<answer>1</answer>", .answer = "1"}});
    EXPECT_TRUE(std::isnan(c.total[0].item<double>()));
    EXPECT_FALSE(c.scorable[0].item<bool>());
    EXPECT_DOUBLE_EQ(c.total[1].item<double>(),
                     1.0);  // accuracy 1, countdown None (not a countdown row)
    EXPECT_DOUBLE_EQ(c.metrics().at("reward/unscorable"), 1.0);
}

}  // namespace
}  // namespace r1::rewards
