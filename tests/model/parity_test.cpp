// Parity with Hugging Face transformers (float32 logits) and with the plain-PyTorch MTP reference,
// on tiny random models made by tests/reference/make_model_fixtures.py.
#include "r1/model/causal_lm.h"
#include "r1/model/options.h"
#include "r1/model/state.h"

#include <gtest/gtest.h>

#include <map>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

struct Fixture {
    ModelOptions options;
    CausalLm model{nullptr};
    std::map<std::string, at::Tensor> io;
};

Fixture load_fixture(const std::string& name) {
    const std::string dir = test::fixture_dir(name);
    Fixture f;
    f.options = load_model_options(dir + "/config.json");
    f.model = CausalLm(f.options);
    load_named_tensors(*f.model, test::load_tensor_dict(dir + "/state.pt"), dir + "/state.pt");
    f.model->eval();
    for (auto& [key, tensor] : test::load_tensor_dict(dir + "/io.pt")) {
        f.io[key] = tensor;
    }
    return f;
}

void expect_parity(const std::string& name) {
    auto f = load_fixture(name);
    torch::NoGradGuard no_grad;
    const auto& mask = f.io.at("attention_mask");
    const auto out = f.model->forward(f.io.at("input_ids"), mask, {.mtp = true});
    test::expect_logits_match(out.logits, f.io.at("logits"), mask);
    const int64_t D = f.options.is_deepseek() ? f.options.num_nextn_predict_layers : 0;
    ASSERT_EQ(static_cast<int64_t>(out.mtp_logits.size()), D);
    for (int64_t k = 1; k <= D; ++k) {
        SCOPED_TRACE("MTP depth " + std::to_string(k));
        test::expect_logits_match(out.mtp_logits[k - 1], f.io.at("mtp_logits_" + std::to_string(k)),
                                  mask.slice(1, k));
    }
}

TEST(CausalLmParityTest, DeepseekGroupLimitedYarnMatchesTransformers) {
    expect_parity("deepseek_group_yarn");
}

TEST(CausalLmParityTest, DeepseekWithoutQLoraMatchesTransformers) {
    expect_parity("deepseek_no_q_lora");
}

TEST(CausalLmParityTest, Qwen2TiedMatchesTransformers) {
    expect_parity("qwen2");
}

TEST(CausalLmParityTest, Llama3ScaledRopeMatchesTransformers) {
    expect_parity("llama3");
}

TEST(CausalLmParityTest, PaddingDoesNotChangeValidLogits) {
    // Right padding: the valid prefix of row 1 gives the same logits alone as in the padded batch.
    auto f = load_fixture("deepseek_group_yarn");
    torch::NoGradGuard no_grad;
    const auto& ids = f.io.at("input_ids");
    const auto& mask = f.io.at("attention_mask");
    const int64_t n = mask[1].sum().item<int64_t>();
    const auto batched = f.model(ids, mask).logits[1].slice(0, 0, n);
    const auto alone = f.model(ids.slice(0, 1, 2).slice(1, 0, n)).logits[0];
    R1_EXPECT_CLOSE(batched, alone, 1e-5, 1e-5);
}

}  // namespace
}  // namespace r1::model
