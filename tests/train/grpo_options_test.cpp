#include "r1/config/dump.h"
#include "r1/config/load.h"
#include "r1/train/grpo/options.h"
#include "r1/train/stage.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::train::grpo {
namespace {

using r1::test::error_of;
using r1::test::expect_contains;
using util::ConfigError;

const std::vector<std::string> kRequired = {"init.checkpoint=base", "data.train=train.jsonl"};

GrpoOptions with(std::vector<std::string> sets) {
    sets.insert(sets.begin(), kRequired.begin(), kRequired.end());
    return config::load<GrpoOptions>(std::nullopt, sets);
}

TEST(GrpoOptionsTest, ShippedConfigLoadsAndRoundTrips) {
    const auto path = std::string(R1_SOURCE_DIR) + "/configs/stages/grpo-arithmetic.yaml";
    GrpoOptions o = config::load<GrpoOptions>(path);
    EXPECT_EQ(o.batch.num_generations, 8);
    EXPECT_EQ(o.rewards.size(), 2u);
    EXPECT_EQ(o.optim.schedule, Schedule::constant);
    EXPECT_EQ(o.data.task, "arithmetic");
    GrpoOptions back = config::read<GrpoOptions>(config::parse_yaml(config::dump(o), "dumped"));
    EXPECT_EQ(config::dump(back), config::dump(o));
}

TEST(GrpoOptionsTest, EnumsUseYamlSpelling) {
    EXPECT_EQ(with({"kl.estimator=k3+"}).kl.estimator, KlEstimator::k3_plus);
    EXPECT_EQ(with({"loss.agg=dr_grpo"}).loss.agg, LossAgg::dr_grpo);
}

TEST(GrpoOptionsTest, MiniBatchMustFitGroupsAndRollout) {
    // B=4, G=4 -> N=16: valid mini-batch sizes are multiples of 4 dividing 16.
    const auto message = error_of<ConfigError>([] {
        with({"batch.prompts_per_step=4", "batch.num_generations=4", "batch.mini_batch_size=6",
              "batch.micro_batch_size=1"});
    });
    expect_contains(message, {"batch.mini_batch_size (6)", "batch.num_generations (4)",
                              "valid values: 4, 8, 16"});
}

TEST(GrpoOptionsTest, GroupOfOneIsRejected) {
    expect_contains(error_of<ConfigError>([] { with({"batch.num_generations=1"}); }),
                    {"key 'batch.num_generations'", "expected a value >= 2"});
}

TEST(GrpoOptionsTest, MicroBatchMustDivideMiniBatch) {
    expect_contains(error_of<ConfigError>([] {
                        with({"batch.prompts_per_step=2", "batch.num_generations=4",
                              "batch.mini_batch_size=8", "batch.micro_batch_size=3"});
                    }),
                    {"batch.micro_batch_size (3) must divide batch.mini_batch_size (8)"});
}

TEST(GrpoOptionsTest, UnknownRewardNameListsKnownOnes) {
    expect_contains(error_of<ConfigError>([] { with({"rewards=[{name: acuracy}]"}); }),
                    {"rewards[0].name", "unknown reward 'acuracy'", "accuracy"});
}

TEST(GrpoOptionsTest, MissingRequiredKeysAreNamed) {
    expect_contains(error_of<ConfigError>([] { config::load<GrpoOptions>(std::nullopt, {}); }),
                    {"missing required key 'init.checkpoint'"});
}

TEST(GrpoOptionsTest, BetasNeedTwoValues) {
    expect_contains(error_of<ConfigError>([] { with({"optim.betas=[0.9]"}); }),
                    {"optim.betas", "two values"});
}

TEST(StageTest, RegistryKnowsEveryStageName) {
    EXPECT_EQ(stage_names(), "pretrain|sft|grpo|rs|rm|distill|eval");
    for (const char* built : {"pretrain", "sft", "grpo", "rm", "distill", "eval"}) {
        EXPECT_TRUE(find_stage(built).resolve && find_stage(built).run) << built;
    }
    EXPECT_FALSE(find_stage("rs").run);
    expect_contains(error_of<ConfigError>([] { find_stage("ppo"); }),
                    {"unknown stage 'ppo'", "grpo"});
}

TEST(StageTest, StageOfReadsTheKey) {
    EXPECT_EQ(stage_of(config::parse_yaml("stage: sft\n", "f")), "sft");
    expect_contains(
        error_of<ConfigError>([] { stage_of(config::parse_yaml("seed: 1\n", "f.yaml")); }),
        {"f.yaml", "missing key 'stage'"});
}

}  // namespace
}  // namespace r1::train::grpo
