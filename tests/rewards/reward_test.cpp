// The reward registry: built-ins by name, a research reward registered from C++ with its own
// options, and `rewards:` lists resolving each entry's keys by `name:`.
#include "r1/rewards/reward.h"

#include "r1/config/load.h"
#include "r1/rewards/accuracy.h"
#include "r1/rewards/format.h"
#include "r1/train/grpo/options.h"
#include "r1/util/error.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::rewards {
namespace {

using test::error_of;
using test::expect_contains;

struct LengthCapOptions {
    int64_t cap = 10;
};

void visit(config::Visitor& v, LengthCapOptions& o) {
    v.field("cap", o.cap, "longest completion that earns 1").min(1);
}

void register_length_cap() {
    register_reward<LengthCapOptions>(
        "test_length_cap", "1 if short enough", [](const LengthCapOptions& o) {
            return RewardFn([o](const RewardInput& in) {
                return RewardResult{static_cast<int64_t>(in.completion.size()) <= o.cap ? 1.0 : 0.0,
                                    "", ""};
            });
        });
}

train::grpo::GrpoOptions grpo_with(const std::vector<std::string>& sets) {
    std::vector<std::string> all = {"init.checkpoint=m", "data.train=t.jsonl"};
    all.insert(all.end(), sets.begin(), sets.end());
    return config::load<train::grpo::GrpoOptions>(std::nullopt, all);
}

TEST(RewardRegistryTest, BuiltinsAreRegistered) {
    for (const char* name : {"accuracy", "format", "tag_count", "countdown"}) {
        EXPECT_NE(RewardRegistry::global().find(name), nullptr) << name;
    }
    EXPECT_EQ(RewardRegistry::global().find("nope"), nullptr);
    expect_contains(error_of<util::ConfigError>([] { make_reward(RewardSpec{.name = "nope"}); }),
                    {"unknown reward 'nope'", "accuracy"});
}

TEST(RewardRegistryTest, EntriesReadTheirOwnKeys) {
    const auto o =
        grpo_with({"rewards=[{name: accuracy, weight: 2, mode: boxed, values: [1, -1]},"
                   " {name: format, variant: r1_strict}]"});
    ASSERT_EQ(o.rewards.size(), 2u);
    EXPECT_EQ(o.rewards[0].weight, 2.0);
    EXPECT_EQ(o.rewards[0].options.get<AccuracyOptions>().mode, ExtractMode::boxed);
    EXPECT_EQ(o.rewards[0].options.get<AccuracyOptions>().values, (std::vector<double>{1, -1}));
    EXPECT_EQ(o.rewards[1].options.get<FormatOptions>().variant, FormatVariant::r1_strict);
    const RewardFn acc = make_reward(o.rewards[0]);
    EXPECT_EQ(acc(RewardInput{.completion = "\\boxed{3}", .answer = "4"}).value, -1.0);
}

TEST(RewardRegistryTest, KeysOfAnotherRewardAreErrors) {
    expect_contains(
        error_of<util::ConfigError>([] { grpo_with({"rewards=[{name: format, mode: boxed}]"}); }),
        {"unknown key 'rewards[0].mode'", "name, weight, variant, prefilled_think"});
    expect_contains(error_of<util::ConfigError>([] { grpo_with({"rewards=[{name: acuracy}]"}); }),
                    {"rewards[0].name", "unknown reward 'acuracy'", "accuracy, format"});
    expect_contains(error_of<util::ConfigError>(
                        [] { grpo_with({"rewards=[{name: format, variant: loose}]"}); }),
                    {"rewards[0].variant", "r1_strict|r1_loose|think"});
}

TEST(RewardRegistryTest, ResearchCodeAddsAReward) {
    register_length_cap();
    const auto o = grpo_with({"rewards=[{name: test_length_cap, cap: 3}]"});
    const RewardFn fn = make_reward(o.rewards[0]);
    EXPECT_EQ(fn(RewardInput{.completion = "abc"}).value, 1.0);
    EXPECT_EQ(fn(RewardInput{.completion = "abcd"}).value, 0.0);
    EXPECT_EQ(
        make_reward(RewardSpec{.name = "test_length_cap"})(RewardInput{.completion = "abcd"}).value,
        1.0);
    expect_contains(error_of<util::ConfigError>(
                        [] { grpo_with({"rewards=[{name: test_length_cap, cap: 0}]"}); }),
                    {"rewards[0].cap"});
}

TEST(RewardRegistryTest, OptionsAreCopiedNotShared) {
    RewardSpec a{.name = "accuracy",
                 .options = AnyOptions("accuracy", AccuracyOptions{.float_rounding = 3})};
    RewardSpec b = a;
    b.options = AnyOptions("accuracy", AccuracyOptions{.float_rounding = 4});
    EXPECT_EQ(a.options.get<AccuracyOptions>().float_rounding, 3);
    EXPECT_THROW((void)a.options.get<FormatOptions>(), util::UnsupportedError);
    const RewardSpec wrong{.name = "format", .options = AnyOptions("accuracy", AccuracyOptions{})};
    EXPECT_THROW(make_reward(wrong), util::ConfigError);
}

}  // namespace
}  // namespace r1::rewards
