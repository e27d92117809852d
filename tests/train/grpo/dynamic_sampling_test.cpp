// Dynamic sampling's pieces on hand-made rollouts: which groups survive (each against a direct
// reading of the table), and gathering kept groups of several rollouts into one.
#include "r1/train/grpo/dynamic_sampling.h"

#include "r1/util/error.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "support/expect.h"

namespace r1::train::grpo {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// A rollout of B = values.size() / G prompts whose rewards are two functions: "accuracy" = values
// and "format" = 1 everywhere; the total is accuracy + 0.5 format. A NaN accuracy is None.
Rollout scored(const std::vector<double>& accuracy, int64_t G, const std::string& tag) {
    Rollout r;
    const auto N = static_cast<int64_t>(accuracy.size());
    r.rewards.per_function = at::empty({N, 2}, at::kDouble);
    r.rewards.total = at::empty({N}, at::kDouble);
    r.rewards.scorable = at::ones({N}, at::kBool);
    r.rewards.results.resize(2);
    for (int64_t i = 0; i < N; ++i) {
        const double a = accuracy[static_cast<size_t>(i)];
        r.rewards.per_function[i][0] = a;
        r.rewards.per_function[i][1] = 1.0;
        r.rewards.total[i] = (std::isnan(a) ? 0.0 : a) + 0.5;
        r.rewards.results[0].push_back(
            {.value = std::isnan(a) ? std::nullopt : std::optional<double>(a),
             .extracted = tag,
             .reason = i == 0 ? "failed: boom" : "ok",
             .failed = i == 0});
        r.rewards.results[1].push_back({1.0, tag, "ok", i == 1 ? 1 : 0});
        r.texts.push_back(tag + std::to_string(i));
        r.truncated.push_back(i % 2 == 1);
        r.completions.push_back({.prompt_index = i / G, .tokens = {i}});
    }
    r.rewards.stats = {{.name = "accuracy", .weight = 1.0}, {.name = "format", .weight = 0.5}};
    for (int64_t b = 0; b < N / G; ++b) {
        r.samples.push_back({.prompt = tag + "prompt" + std::to_string(b), .answer = "1"});
        r.prompt_ids.push_back({b});
    }
    r.generated_groups = N / G;
    r.generate_seconds = 2.0;
    r.reward_seconds = 0.5;
    return r;
}

TEST(DynamicSamplingTest, KeepsGroupsWhoseMetricVaries) {
    // groups of 3: flat 1s, mixed, flat 0s, one scorable value (flat), two scorable that differ
    const auto r = scored({1, 1, 1, 0, 1, 0, 0, 0, 0, kNan, kNan, 1, kNan, 0, 1}, 3, "a");
    EXPECT_EQ(informative_groups(r, {.metric = "accuracy"}, 3), (std::vector<int64_t>{1, 4}));
    // the total adds a constant 0.5: the same groups; NaN accuracies make the total 0.5 there
    EXPECT_EQ(informative_groups(r, {.metric = "reward"}, 3), (std::vector<int64_t>{1, 3, 4}));
    EXPECT_TRUE(informative_groups(r, {.metric = "format"}, 3).empty());
    // population std of {0, 1, 0} is sqrt(2)/3 = 0.471: a tol above it drops the group
    EXPECT_EQ(informative_groups(r, {.metric = "accuracy", .tol = 0.48}, 3),
              (std::vector<int64_t>{4}));
}

TEST(DynamicSamplingTest, UnknownMetricNamesTheValidOnes) {
    try {
        metric_column({"accuracy", "format"}, "acuracy");
        FAIL() << "no error";
    } catch (const util::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("dynamic_sampling.metric: 'acuracy'"),
                  std::string::npos);
        EXPECT_NE(std::string(e.what()).find("'reward', 'accuracy', 'format'"), std::string::npos);
    }
    EXPECT_EQ(metric_column({"accuracy", "format"}, "format"), 1);
    EXPECT_EQ(metric_column({"accuracy"}, "reward"), -1);
}

TEST(DynamicSamplingTest, GatherGroupsRenumbersAndRecomputes) {
    GrpoOptions o;
    o.batch.num_generations = 2;
    const auto a = scored({1, 0, 1, 1, 0, 1}, 2, "a");
    const auto b = scored({0, 0, 1, 0}, 2, "b");
    const auto out = gather_groups({{&a, 2}, {&b, 1}, {&a, 0}}, o);
    ASSERT_EQ(out.samples.size(), 3u);
    EXPECT_EQ(out.samples[0].prompt, "aprompt2");
    EXPECT_EQ(out.samples[1].prompt, "bprompt1");
    EXPECT_EQ(out.prompt_ids[1], (std::vector<int64_t>{1}));
    const std::vector<std::string> texts{"a4", "a5", "b2", "b3", "a0", "a1"};
    EXPECT_EQ(out.texts, texts);
    for (size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(out.completions[i].prompt_index, static_cast<int64_t>(i / 2));
        EXPECT_EQ(out.truncated[i], i % 2 == 1);
    }
    R1_EXPECT_CLOSE(out.rewards.total, at::tensor({0.5, 1.5, 1.5, 0.5, 1.5, 0.5}, at::kDouble), 0.0,
                    0.0);
    // stats over the gathered rows only: accuracy {0,1,1,0,1,0}; "failed:" rows a0 and b0 -> a0
    // only
    EXPECT_DOUBLE_EQ(out.rewards.stats[0].mean, 0.5);
    EXPECT_DOUBLE_EQ(out.rewards.stats[0].std, 0.5);
    EXPECT_EQ(out.rewards.stats[0].failures, 1);
    EXPECT_EQ(out.rewards.stats[0].first_error, "boom");
    EXPECT_EQ(out.rewards.stats[1].timeouts, 1);  // row a1
    // group advantages of {0.5, 1.5}: (r - mean) / (Bessel std + eps), std = sqrt(0.5)
    const double adv = 0.5 / (std::sqrt(0.5) + o.advantage.eps);
    R1_EXPECT_CLOSE(out.advantages, at::tensor({-adv, adv, adv, -adv, adv, -adv}, at::kFloat), 1e-6,
                    0.0);
    EXPECT_DOUBLE_EQ(out.generate_seconds, 4.0);  // each source once
    EXPECT_EQ(out.generated_groups, 5);
    EXPECT_EQ(out.generation_batches, 2);
}

}  // namespace
}  // namespace r1::train::grpo
