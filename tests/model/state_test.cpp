// Loading by name: the parameter names are the HF checkpoint keys; mismatches list both sides.
#include "r1/model/state.h"

#include "r1/model/causal_lm.h"
#include "r1/util/error.h"

#include <gtest/gtest.h>

#include <set>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

TEST(StateTest, NamesAreCheckpointKeys) {
    CausalLm lm(test::tiny_deepseek());
    std::set<std::string> names;
    for (const auto& [name, tensor] : named_tensors(*lm)) {
        names.insert(name);
    }
    for (const char* key :
         {"model.embed_tokens.weight", "model.layers.0.mlp.gate_proj.weight",
          "model.layers.0.self_attn.q_a_layernorm.weight",
          "model.layers.1.mlp.experts.7.down_proj.weight",
          "model.layers.1.mlp.gate.e_score_correction_bias",
          "model.layers.1.mlp.shared_experts.up_proj.weight", "model.layers.2.eh_proj.weight",
          "model.layers.2.enorm.weight", "model.layers.2.shared_head.norm.weight",
          "model.layers.2.mlp.gate.weight", "model.norm.weight", "lm_head.weight"}) {
        EXPECT_TRUE(names.contains(key)) << key;
    }
    CausalLm tied(test::tiny_qwen2());
    for (const auto& [name, tensor] : named_tensors(*tied)) {
        EXPECT_NE(name, "lm_head.weight");
    }
}

TEST(StateTest, MismatchListsMissingAndUnexpected) {
    CausalLm lm(test::tiny_qwen2());
    auto tensors = named_tensors(*lm);
    tensors.erase(tensors.begin());  // model.embed_tokens.weight
    tensors.emplace_back("model.layers.9.bogus", torch::zeros({1}));
    const auto message = test::error_of<util::FormatError>(
        [&] { load_named_tensors(*lm, tensors, "dir/model.safetensors"); });
    test::expect_contains(
        message, {"dir/model.safetensors", "1 tensors missing: [model.embed_tokens.weight]",
                  "1 unexpected: [model.layers.9.bogus]"});
}

TEST(StateTest, ShapeMismatchNamesTheTensor) {
    CausalLm lm(test::tiny_qwen2());
    auto tensors = named_tensors(*lm);
    tensors[0].second = torch::zeros({3, 3});
    const auto message =
        test::error_of<util::FormatError>([&] { load_named_tensors(*lm, tensors, "f"); });
    test::expect_contains(message, {"tensor 'model.embed_tokens.weight'", "[3, 3]", "[64, 32]"});
}

TEST(StateTest, CloneIsDeepAndEqual) {
    // The frozen GRPO reference policy is policy->clone(): same outputs, independent weights.
    torch::manual_seed(0);
    CausalLm lm(test::tiny_deepseek());
    auto copy = std::dynamic_pointer_cast<CausalLmImpl>(lm->clone());
    const auto ids = torch::randint(0, 64, {2, 5});
    torch::NoGradGuard no_grad;
    R1_EXPECT_CLOSE(copy->forward(ids, {}, {.mtp = true}).mtp_logits[0],
                    lm->forward(ids, {}, {.mtp = true}).mtp_logits[0], 0.0, 0.0);
    copy->model->norm->weight.add_(1.0);
    EXPECT_FALSE(torch::equal(copy->model->norm->weight, lm->model->norm->weight));
}

}  // namespace
}  // namespace r1::model
