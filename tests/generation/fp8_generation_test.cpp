// The generation engine on a model whose projections are FP8 (precision fp8): the naive cached
// decode equals full forwards of the same FP8 model; the absorbed decode (kv_b_proj dequantised,
// as DeepSeek's absorb mode does, so c_kv is not act-quantised there) and the float model's greedy
// completions are partly followed (random weights: flat logits).
#include "r1/generation/engine.h"
#include "r1/model/causal_lm.h"
#include "r1/model/linear.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

#include <iostream>
#include <vector>

#include "generation/support.h"
#include "model/support.h"

namespace r1::generation {
namespace {

// Spec §1.4's FP8 test size: every GEMM's K a multiple of 128.
model::ModelOptions fp8_sized() {
    return test::tiny_deepseek(R"({"hidden_size": 256, "intermediate_size": 512,
        "moe_intermediate_size": 128, "q_lora_rank": 128, "kv_lora_rank": 128,
        "num_attention_heads": 4, "qk_nope_head_dim": 32, "qk_rope_head_dim": 16,
        "v_head_dim": 32, "vocab_size": 128, "initializer_range": 0.02})");
}

std::vector<test::Ids> prompts() {
    std::vector<test::Ids> out;
    for (int64_t i = 0; i < 8; ++i) {
        out.push_back({3 + i, 17 + 2 * i, 40 + 5 * i, 90 - i});
    }
    return out;
}

TEST(Fp8GenerationTest, NaiveCachedDecodeEqualsFullForwardsOfTheSameFp8Model) {
    auto lm = test::make_model(fp8_sized(), torch::kFloat32);
    model::set_linear_mode(*lm, model::LinearMode::fp8);
    Engine engine(lm, std::nullopt, {.absorb = false});
    GenerateRequest request{.prompts = prompts(), .sampling = {.temperature = 0.0}};
    request.sampling.max_completion_length = 6;
    const auto out = engine.generate(request);
    for (size_t i = 0; i < out.size(); ++i) {  // cached + absorbed vs full forwards, both FP8
        EXPECT_EQ(out[i].tokens, test::greedy_reference(lm, request.prompts[i], 6)) << i;
    }
}

TEST(Fp8GenerationTest, GreedyTokensMostlyFollowTheFloatModel) {
    auto lm = test::make_model(fp8_sized(), torch::kFloat32);
    const auto fp8 = std::dynamic_pointer_cast<model::CausalLmImpl>(lm->clone());
    model::set_linear_mode(*fp8, model::LinearMode::fp8);
    GenerateRequest request{.prompts = prompts(), .sampling = {.temperature = 0.0}};
    request.sampling.max_completion_length = 8;
    const auto ref = Engine(lm, std::nullopt).generate(request);
    const auto got = Engine(model::CausalLm(fp8), std::nullopt).generate(request);  // absorbed
    int64_t same = 0, total = 0, first_same = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        first_same += got[i].tokens[0] == ref[i].tokens[0] ? 1 : 0;
        for (size_t t = 0; t < ref[i].tokens.size() && t < got[i].tokens.size(); ++t) {
            same += got[i].tokens[t] == ref[i].tokens[t] ? 1 : 0;
            ++total;
        }
    }
    std::cout << "fp8 greedy: first tokens equal " << first_same << "/" << ref.size()
              << ", positions equal " << same << "/" << total << "\n";
    // Random weights give flat logits: the top two of 128 differ by ~0.4 of their rms, and the
    // FP8 logits carry ~11% rms error (LinearTest.ModelInFp8KeepsItsLogitsClose), so about one
    // argmax in six flips, and a flip changes the rest of that completion. Measured here: first
    // tokens 4/8, positions 33/64. The trained model's figures are in docs/fp8.md (r1 eval).
    EXPECT_GE(first_same * 8, static_cast<int64_t>(ref.size()) * 3);
    EXPECT_GE(same * 10, total * 4);
}

}  // namespace
}  // namespace r1::generation
