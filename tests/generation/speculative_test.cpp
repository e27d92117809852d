#include "r1/generation/speculative.h"

#include <gtest/gtest.h>

#include <iostream>

#include "generation/support.h"
#include "model/support.h"
#include "support/expect.h"

namespace r1::generation {
namespace {

const std::vector<test::Ids> kPrompts = {{5, 7, 9}, {1, 2, 3, 4, 5, 6}, {11}, {3, 3, 3, 3}};

TEST(SpeculativeTest, GreedyOutputIsPlainGreedy) {
    for (const char* q_lora : {"24", "null"}) {
        SCOPED_TRACE(std::string("q_lora_rank ") + q_lora);
        auto lm =
            test::make_model(test::tiny_deepseek(std::string(R"({"q_lora_rank": )") + q_lora + "}"),
                             torch::kFloat32);
        int64_t drafted = 0, accepted = 0;
        for (const auto& prompt : kPrompts) {
            for (const bool absorb : {true, false}) {
                const auto result =
                    speculative_greedy(lm, prompt, {.max_new_tokens = 12, .absorb = absorb});
                EXPECT_EQ(result.tokens, test::greedy_reference(lm, prompt, 12));
                EXPECT_EQ(result.finish, FinishReason::length);
                EXPECT_EQ(result.main_steps, result.drafted);
                // the prefill yields one token, a main step one more, two when its draft is
                // accepted (the last step may be cut at max_new_tokens)
                const auto n = static_cast<int64_t>(result.tokens.size());
                EXPECT_LE(n, 1 + result.main_steps + result.accepted);
                EXPECT_GE(n, result.main_steps + result.accepted);
                drafted += result.drafted;
                accepted += result.accepted;
            }
        }
        EXPECT_GT(accepted, 0) << "the accepting branch was never taken";
        std::cout << "MTP draft acceptance (random tiny model, q_lora_rank " << q_lora
                  << "): " << accepted << "/" << drafted << "\n";
    }
}

TEST(SpeculativeTest, StopsAtEos) {
    auto lm = test::make_model(test::tiny_deepseek(), torch::kFloat32);
    const auto plain = test::greedy_reference(lm, kPrompts[1], 12);
    const test::Ids eos = {plain[4]};
    const auto result =
        speculative_greedy(lm, kPrompts[1], {.max_new_tokens = 12, .eos_token_ids = eos});
    EXPECT_EQ(result.tokens, test::greedy_reference(lm, kPrompts[1], 12, eos));
    EXPECT_EQ(result.finish, FinishReason::eos);
}

TEST(SpeculativeTest, NeedsAnMtpLayer) {
    auto lm = test::make_model(test::tiny_qwen2(), torch::kFloat32);
    test::expect_contains(test::error_of<util::Error>([&] {
                              speculative_greedy(lm, {1, 2}, {});
                          }),
                          {"MTP layer"});
}

}  // namespace
}  // namespace r1::generation
