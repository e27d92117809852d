// ModelOptions from config.json: both RoPE forms, defaults, and errors that name file and key.
#include "r1/model/options.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

TEST(ModelOptionsTest, ReadsDeepseekKeys) {
    const auto o = test::tiny_deepseek(R"({"q_lora_rank": null})");
    EXPECT_FALSE(o.q_lora_rank);
    EXPECT_EQ(o.n_routed_experts, 8);
    EXPECT_EQ(o.qk_head_dim(), 16);
    EXPECT_TRUE(o.is_moe_layer(1));
    EXPECT_FALSE(o.is_moe_layer(0));
    ASSERT_TRUE(o.rope_scaling);
    EXPECT_EQ(o.rope_scaling->rope_type, "yarn");
    EXPECT_EQ(o.rope_scaling->original_max_position_embeddings, 16);
}

TEST(ModelOptionsTest, RopeParametersEqualsRopeScaling) {
    // transformers v5 folds rope_theta and rope_scaling into rope_parameters (model-spec §1.1)
    const auto v4 = test::tiny_deepseek(R"({"rope_theta": 50000.0})");
    const auto v5 =
        test::tiny_deepseek(R"({"rope_scaling": null, "rope_theta": null, "rope_parameters":
        {"rope_type": "yarn", "rope_theta": 50000.0, "factor": 4.0, "original_max_position_embeddings": 16,
         "beta_fast": 32.0, "beta_slow": 1.0, "mscale": 1.0, "mscale_all_dim": 1.0}})");
    EXPECT_EQ(v5.rope_theta, 50000.0);
    EXPECT_EQ(v4.rope_theta, v5.rope_theta);
    ASSERT_TRUE(v5.rope_scaling);
    EXPECT_EQ(v5.rope_scaling->factor, v4.rope_scaling->factor);
    EXPECT_EQ(v5.rope_scaling->mscale_all_dim, 1.0);
    EXPECT_FALSE(
        test::tiny_qwen2(R"({"rope_parameters": {"rope_type": "default", "rope_theta": 1e6}})")
            .rope_scaling);
}

// Every field r1 reads survives to_config_json -> parse_model_options (what save_pretrained
// writes).
void expect_round_trip(const ModelOptions& o) {
    const auto back = parse_model_options(to_config_json(o), "written");
    EXPECT_EQ(to_config_json(back).dump(), to_config_json(o).dump());
    EXPECT_EQ(back.model_type, o.model_type);
    EXPECT_EQ(back.q_lora_rank, o.q_lora_rank);
    EXPECT_EQ(back.n_group, o.n_group);
    EXPECT_EQ(back.rope_theta, o.rope_theta);
    EXPECT_EQ(back.rope_scaling.has_value(), o.rope_scaling.has_value());
    EXPECT_EQ(back.attention_bias, o.attention_bias);
    EXPECT_EQ(back.tie_word_embeddings, o.tie_word_embeddings);
}

TEST(ModelOptionsTest, ConfigJsonRoundTrips) {
    expect_round_trip(test::tiny_deepseek());
    expect_round_trip(test::tiny_deepseek(R"({"q_lora_rank": null, "rope_scaling": null})"));
    expect_round_trip(test::tiny_qwen2());
    expect_round_trip(test::tiny_qwen2(R"({"model_type": "llama", "rope_scaling": {"rope_type":
        "llama3", "factor": 8.0, "original_max_position_embeddings": 16}})"));
    const auto json = to_config_json(test::tiny_deepseek(R"({"q_lora_rank": null})"));
    EXPECT_TRUE(json.at("q_lora_rank").is_null());
    EXPECT_EQ(json.at("architectures")[0], "DeepseekV3ForCausalLM");
    EXPECT_EQ(json.at("rope_parameters").at("rope_type"), "yarn");
    EXPECT_FALSE(to_config_json(test::tiny_qwen2()).contains("attention_bias"));
}

TEST(ModelOptionsTest, Qwen2HasAttentionBiasLlamaNot) {
    EXPECT_TRUE(test::tiny_qwen2().attention_bias);
    EXPECT_FALSE(test::tiny_qwen2(R"({"model_type": "llama"})").attention_bias);
    EXPECT_EQ(test::tiny_qwen2().dense_head_dim(), 8);
}

TEST(ModelOptionsTest, ErrorsNameFileAndKey) {
    test::expect_contains(
        test::error_of<util::ConfigError>([] { test::tiny_qwen2(R"({"hidden_size": "big"})"); }),
        {"tiny config", "key 'hidden_size'", "expected an integer", "\"big\""});
    test::expect_contains(
        test::error_of<util::ConfigError>([] { test::tiny_qwen2(R"({"vocab_size": null})"); }),
        {"missing key 'vocab_size'"});
    test::expect_contains(test::error_of<util::ConfigError>(
                              [] { test::tiny_qwen2(R"({"rope_scaling": {"type": "yarn"}})"); }),
                          {"missing key 'rope_scaling.factor'"});
    test::expect_contains(
        test::error_of<util::ConfigError>([] { test::tiny_qwen2(R"({"model_type": "gpt2"})"); }),
        {"model_type", "gpt2", "deepseek_v3, qwen2 or llama"});
}

TEST(ModelOptionsTest, ValidatesRoutingConstraints) {
    test::expect_contains(
        test::error_of<util::ConfigError>([] { test::tiny_deepseek(R"({"n_group": 3})"); }),
        {"n_routed_experts (8)", "n_group (3)"});
    test::expect_contains(
        test::error_of<util::ConfigError>(
            [] { test::tiny_deepseek(R"({"num_experts_per_tok": 5})"); }),
        {"num_experts_per_tok (5)", "topk_group * n_routed_experts / n_group (4)"});
    test::expect_contains(
        test::error_of<util::ConfigError>([] { test::tiny_deepseek(R"({"n_group": 8})"); }),
        {"must be >= 2"});
    test::expect_contains(test::error_of<util::ConfigError>(
                              [] { test::tiny_qwen2(R"({"num_key_value_heads": 3})"); }),
                          {"num_attention_heads (4)", "num_key_value_heads (3)"});
}

TEST(ModelOptionsTest, LoadNamesTheFile) {
    util::TempDir dir;
    const auto path = (dir.path() / "config.json").string();
    util::atomic_write_file(path, "{\"model_type\": ");
    test::expect_contains(test::error_of<util::FormatError>([&] { load_model_options(path); }),
                          {path, "invalid JSON"});
    util::atomic_write_file(path, R"({"model_type": "qwen2"})");
    test::expect_contains(test::error_of<util::ConfigError>([&] { load_model_options(path); }),
                          {path, "missing key 'vocab_size'"});
}

}  // namespace
}  // namespace r1::model
