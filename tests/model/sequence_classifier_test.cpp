// The reward model's module and HF directories: checkpoint names, the last-real-token reading, a
// transformers Qwen2ForSequenceClassification scoring as in transformers (make_rm_fixture.py), a
// start from a causal LM (lm_head and MTP left aside), and the round trip of r1's saves.
#include "r1/model/sequence_classifier.h"

#include "r1/io/safetensors.h"
#include "r1/model/hf.h"
#include "r1/model/hf_classifier.h"
#include "r1/model/state.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <set>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

namespace fs = std::filesystem;

std::set<std::string> names_of(const torch::nn::Module& m) {
    std::set<std::string> out;
    for (const auto& [name, t] : named_tensors(m)) {
        out.insert(name);
    }
    return out;
}

TEST(SequenceClassifierTest, ParameterNamesAreTransformersCheckpointKeys) {
    torch::manual_seed(0);
    SequenceClassifier rm(test::tiny_deepseek(R"({"num_nextn_predict_layers": 1})"), 0);
    const auto names = names_of(*rm);
    EXPECT_TRUE(names.contains("score.weight"));
    EXPECT_TRUE(names.contains("model.embed_tokens.weight"));
    EXPECT_TRUE(names.contains("model.norm.weight"));
    EXPECT_EQ(rm->score->weight.sizes(), (at::IntArrayRef{1, rm->options.hidden_size}));
    EXPECT_EQ(rm->options.num_nextn_predict_layers, 0);  // no MTP layer in a classifier
    const auto L = rm->options.num_hidden_layers;
    for (const auto& name : names) {
        EXPECT_FALSE(name.starts_with("lm_head")) << name;
        EXPECT_FALSE(name.starts_with("model.layers." + std::to_string(L) + ".")) << name;
    }
}

TEST(SequenceClassifierTest, ReadsTheLastRealTokenWithRightOrLeftPadding) {
    const auto ids = at::tensor({5, 6, 0, 0,   // right padding: position 1
                                 0, 0, 5, 6,   // left padding: position 3
                                 5, 6, 7, 8,   // no padding: the last position
                                 5, 6, 9, 9,   // EOS 9 = pad appended (TRL): the token before it
                                 0, 0, 0, 0},  // padding only: 0, as transformers
                                at::kLong)
                         .view({5, 4});
    const auto by_pad = last_token_index(ids, {}, 0);
    EXPECT_EQ(std::vector<int64_t>(by_pad.data_ptr<int64_t>(), by_pad.data_ptr<int64_t>() + 5),
              (std::vector<int64_t>{1, 3, 3, 3, 0}));  // pad 0: the row 5 6 9 9 ends at 3
    const auto with_eos_pad = last_token_index(ids.slice(0, 3, 4), {}, 9);
    EXPECT_EQ(with_eos_pad.item<int64_t>(), 1);
    // a mask narrows the reading further (padding with an id that is not the pad token)
    const auto mask = at::tensor({1, 1, 1, 0}, at::kLong).view({1, 4});
    EXPECT_EQ(last_token_index(ids.slice(0, 2, 3), mask, -1).item<int64_t>(), 2);
}

TEST(SequenceClassifierTest, RightPaddedBatchScoresEachRowAsAlone) {
    torch::manual_seed(1);
    SequenceClassifier rm(test::tiny_qwen2(), 0);
    rm->to(at::kDouble);
    torch::NoGradGuard no_grad;
    const auto ids = at::tensor({3, 4, 5, 6, 7, 8, 9, 0, 0, 0}, at::kLong).view({2, 5});
    const auto mask = (ids != 0).to(at::kLong);
    const auto batch = rm->forward(ids, mask);
    ASSERT_EQ(batch.sizes(), (at::IntArrayRef{2}));
    R1_EXPECT_CLOSE(batch[0], rm->forward(ids.slice(0, 0, 1))[0], 1e-12, 1e-12);
    R1_EXPECT_CLOSE(batch[1], rm->forward(ids.slice(0, 1, 2).slice(1, 0, 2))[0], 1e-12, 1e-12);
}

TEST(HfClassifierTest, TransformersQwen2RewardModelScoresAsInTransformers) {
    const fs::path dir = test::reference_dir("rm");
    ASSERT_TRUE(is_classifier_dir(dir / "qwen2_rm"));
    auto rm = load_classifier(dir / "qwen2_rm");
    EXPECT_EQ(rm->pad_token_id, 0);  // config.json's pad_token_id
    const auto expected = nlohmann::json::parse(util::read_file(dir / "rm_scores.json"));
    const auto rows = [&](const char* key, at::ScalarType dtype) {
        std::vector<at::Tensor> out;
        for (const auto& row : expected.at(key)) {
            out.push_back(at::tensor(row.get<std::vector<double>>(), at::kDouble).to(dtype));
        }
        return at::stack(out);
    };
    torch::NoGradGuard no_grad;
    const auto rewards =
        rm->forward(rows("input_ids", at::kLong), rows("attention_mask", at::kLong));
    const auto want = at::tensor(expected.at("rewards").get<std::vector<double>>(), at::kFloat);
    std::cout << "max |r1 - transformers| " << (rewards - want).abs().max().item<double>()
              << " over rewards up to " << want.abs().max().item<double>() << "\n";
    R1_EXPECT_CLOSE(rewards, want, 1e-4, 1e-5);
}

TEST(HfClassifierTest, StartsFromACausalLmWithoutItsHeadOrMtpLayers) {
    util::TempDir tmp;
    torch::manual_seed(2);
    CausalLm lm(test::tiny_deepseek(R"({"num_nextn_predict_layers": 1})"));
    save_pretrained(*lm, tmp.path() / "lm");
    auto config = nlohmann::json::parse(util::read_file(tmp.path() / "lm" / "config.json"));
    config["eos_token_id"] = 7;  // a key r1 carries over but does not model
    util::atomic_write_file(tmp.path() / "lm" / "config.json", config.dump());
    EXPECT_FALSE(is_classifier_dir(tmp.path() / "lm"));
    torch::manual_seed(3);
    auto rm = load_classifier(tmp.path() / "lm");
    EXPECT_EQ(rm->pad_token_id, 7);  // no pad_token_id in config.json: the EOS, as TRL
    const auto lm_tensors = named_tensors(*lm);
    for (const auto& [name, t] : named_tensors(*rm)) {
        if (name != "score.weight") {
            const auto it = std::find_if(lm_tensors.begin(), lm_tensors.end(),
                                         [&](const auto& p) { return p.first == name; });
            ASSERT_NE(it, lm_tensors.end()) << name;
            EXPECT_TRUE(at::equal(it->second, t)) << name;
        }
    }
    // the new head comes from the seeded global generator: the same seed gives the same head
    torch::manual_seed(3);
    EXPECT_TRUE(at::equal(load_classifier(tmp.path() / "lm")->score->weight, rm->score->weight));
    const double std = rm->score->weight.std().item<double>();
    EXPECT_GT(std, 0.3 * rm->options.initializer_range);
    EXPECT_LT(std, 3.0 * rm->options.initializer_range);
}

TEST(HfClassifierTest, SavesADirectoryThatLoadsBackWithTheSameScores) {
    util::TempDir tmp;
    torch::manual_seed(4);
    SequenceClassifier rm(test::tiny_qwen2(), 5);
    save_classifier(*rm, tmp.path() / "rm");
    const auto config = nlohmann::json::parse(util::read_file(tmp.path() / "rm" / "config.json"));
    EXPECT_EQ(config.at("architectures"),
              nlohmann::json::array({"Qwen2ForSequenceClassification"}));
    EXPECT_EQ(config.at("id2label"), (nlohmann::json{{"0", "LABEL_0"}}));
    EXPECT_EQ(config.at("label2id"), (nlohmann::json{{"LABEL_0", 0}}));
    EXPECT_EQ(config.at("pad_token_id"), 5);
    auto back = load_classifier(tmp.path() / "rm");
    EXPECT_EQ(back->pad_token_id, 5);
    const auto ids = at::tensor({1, 2, 3, 5, 4, 3, 2, 1}, at::kLong).view({2, 4});
    torch::NoGradGuard no_grad;
    rm->eval();
    R1_EXPECT_CLOSE(back->forward(ids), rm->forward(ids), 0, 0);
}

TEST(HfClassifierTest, AScoreHeadOfTheWrongShapeNamesTheTensor) {
    util::TempDir tmp;
    torch::manual_seed(5);
    SequenceClassifier rm(test::tiny_qwen2(), 0);
    save_classifier(*rm, tmp.path() / "rm");
    const fs::path file = tmp.path() / "rm" / "model.safetensors";
    NamedTensors tensors;
    {
        const io::SafetensorsFile f(file);
        for (const auto& name : f.names()) {  // a two-label head: not a reward model
            tensors.emplace_back(name, name == "score.weight"
                                           ? at::zeros({2, rm->options.hidden_size})
                                           : f.tensor(name).clone());
        }
    }
    io::write_safetensors(file, tensors);
    test::expect_contains(
        test::error_of<util::FormatError>([&] { load_classifier(tmp.path() / "rm"); }),
        {"model.safetensors", "tensor 'score.weight'", "[2, 32]"});
}

}  // namespace
}  // namespace r1::model
