// describe_safetensors / describe_checkpoint: folded tensor tables, totals, shard layout.
#include "r1/io/safetensors_info.h"

#include "r1/io/safetensors.h"
#include "r1/io/safetensors_index.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::io {
namespace {

using test::expect_contains;

// A DeepSeek-V3-shaped miniature: 1 dense layer, 3 MoE layers of 16 experts (§6.1 names).
NamedTensors tiny_deepseek() {
    NamedTensors out{{"model.embed_tokens.weight", at::zeros({64, 8}, at::kBFloat16)},
                     {"model.norm.weight", at::zeros({8})},
                     {"lm_head.weight", at::zeros({64, 8}, at::kBFloat16)}};
    for (int l = 0; l < 4; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        out.emplace_back(p + "input_layernorm.weight", at::zeros({8}));
        if (l == 0) {
            out.emplace_back(p + "mlp.down_proj.weight", at::zeros({8, 16}, at::kFloat8_e4m3fn));
            continue;
        }
        for (int e = 0; e < 16; ++e) {
            out.emplace_back(p + "mlp.experts." + std::to_string(e) + ".down_proj.weight",
                             at::zeros({8, 4}, at::kFloat8_e4m3fn));
        }
        out.emplace_back(p + "mlp.gate.e_score_correction_bias", at::zeros({16}));
    }
    return out;
}

TEST(SafetensorsInfoTest, FoldsLayerAndExpertIndices) {
    util::TempDir dir;
    write_safetensors(dir.path() / "m.safetensors", tiny_deepseek(), {{"format", "pt"}});
    const std::string text = describe_safetensors(dir.path() / "m.safetensors");
    // 3 + 4 + 1 + 3 * 17 = 59 tensors; 2*512 + 8 + 4*8 + 128 + 3*(16*32 + 16) parameters.
    expect_contains(
        text, {"tensors: 59, parameters: 2,776, data: ", "F8_E4M3: 49 tensors, 1,664 parameters",
               "format: pt",
               "model.layers.{1..3}.mlp.experts.{0..15}.down_proj.weight  F8_E4M3 [8, 4]  x48",
               "model.layers.0.mlp.down_proj.weight", "F8_E4M3 [8, 16]\n",
               "model.layers.{0..3}.input_layernorm.weight", "lm_head.weight"});
    EXPECT_EQ(text.find("experts.0."), std::string::npos) << text;
}

TEST(SafetensorsInfoTest, DescribesShardLayout) {
    util::TempDir dir;
    write_sharded_safetensors(dir.path(), tiny_deepseek(), {.max_shard_size = 2048});
    const std::string text = describe_checkpoint(dir.path());
    expect_contains(text, {"safetensors checkpoint, 3 shards (model.safetensors.index.json)",
                           "model-00001-of-00003.safetensors: ", "index total_size: ",
                           "(matches the shards)", "tensors: 59, parameters: 2,776"});
    EXPECT_THROW(describe_checkpoint(dir.path() / "missing"), util::IoError);
}

TEST(SafetensorsInfoTest, TruncatesHugeTables) {
    NamedTensors many;
    for (int i = 0; i < 300; ++i) {
        many.emplace_back("w" + std::to_string(i) + "x", at::zeros({1}));  // nothing folds
    }
    util::TempDir dir;
    write_safetensors(dir.path() / "m.safetensors", many);
    const std::string text = describe_safetensors(dir.path() / "m.safetensors");
    expect_contains(text, {"... 100 more lines (100 tensors)"});
    EXPECT_LT(std::count(text.begin(), text.end(), '\n'), 210);
}

}  // namespace
}  // namespace r1::io
