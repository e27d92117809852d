// completion_logprobs against a brute-force reading of the full forward pass: for each row and
// completion token, log_softmax(logits / T) at the position before it, over the whole vocabulary.
#include "r1/train/grpo/logprob.h"

#include <ATen/ATen.h>
#include <torch/nn/utils.h>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/support.h"

namespace r1::train::grpo {
namespace {

TEST(GrpoLogprobTest, EqualsFullForwardAtEachCompletionToken) {
    torch::manual_seed(0);
    model::CausalLm lm(test::tiny_deepseek());
    lm->to(at::kDouble);
    const std::vector<std::vector<int64_t>> prompts{{5, 6, 7}, {8}, {9, 10}};
    const std::vector<std::vector<int64_t>> completions{{11, 12}, {13, 14, 15, 16}, {17}};
    const auto batch = make_sequence_batch(prompts, completions, 0);
    const double T = 0.7;
    const auto got = completion_logprobs(lm, batch, {.temperature = T, .entropy = true});
    for (size_t i = 0; i < prompts.size(); ++i) {
        std::vector<int64_t> ids = prompts[i];
        ids.insert(ids.end(), completions[i].begin(), completions[i].end());
        const auto logits = lm->forward(at::tensor(ids).unsqueeze(0)).logits[0];  // unpadded row
        for (size_t j = 0; j < completions[i].size(); ++j) {
            const auto z = logits[static_cast<int64_t>(prompts[i].size() + j - 1)] / T;
            const auto logp = at::log_softmax(z, -1);
            const auto r = static_cast<int64_t>(i), c = static_cast<int64_t>(j);
            EXPECT_NEAR(got.logp[r][c].item<double>(), logp[completions[i][j]].item<double>(),
                        2e-5);
            EXPECT_NEAR(got.entropy[r][c].item<double>(), -(logp.exp() * logp).sum().item<double>(),
                        2e-5);
        }
        for (int64_t c = static_cast<int64_t>(completions[i].size()); c < got.logp.size(1); ++c) {
            EXPECT_EQ(got.logp[static_cast<int64_t>(i)][c].item<double>(), 0.0);  // padding
        }
    }
}

}  // namespace
}  // namespace r1::train::grpo
