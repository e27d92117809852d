#include "model/support.h"

#include "r1/util/fs.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "support/expect.h"

namespace r1::test {

namespace {

model::ModelOptions patched(nlohmann::json base, const std::string& overrides) {
    base.merge_patch(nlohmann::json::parse(overrides));
    return model::parse_model_options(base, "tiny config");
}

// Tiny tensors: one intra-op thread avoids OpenMP spinning on the shared 2-core machine.
const bool kSingleThread = [] {
    torch::set_num_threads(1);
    return true;
}();

}  // namespace

model::ModelOptions tiny_deepseek(const std::string& overrides) {
    return patched(nlohmann::json::parse(R"({
        "model_type": "deepseek_v3", "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48,
        "moe_intermediate_size": 16, "num_hidden_layers": 2, "first_k_dense_replace": 1,
        "num_nextn_predict_layers": 1, "num_attention_heads": 2, "q_lora_rank": 24, "kv_lora_rank": 16,
        "qk_nope_head_dim": 8, "qk_rope_head_dim": 8, "v_head_dim": 8, "n_routed_experts": 8,
        "n_shared_experts": 1, "num_experts_per_tok": 2, "n_group": 4, "topk_group": 2,
        "routed_scaling_factor": 2.5, "norm_topk_prob": true, "rms_norm_eps": 1e-6,
        "max_position_embeddings": 64, "rope_theta": 10000.0, "initializer_range": 0.2,
        "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16,
                         "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}})"),
                   overrides);
}

model::ModelOptions tiny_qwen2(const std::string& overrides) {
    return patched(nlohmann::json::parse(R"({
        "model_type": "qwen2", "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "rope_theta": 10000.0, "rms_norm_eps": 1e-6, "tie_word_embeddings": true,
        "initializer_range": 0.2})"),
                   overrides);
}

std::string reference_dir(const std::string& name) {
    const char* build = std::getenv("R1_BUILD_DIR");
    const auto dir = std::filesystem::path(build ? build : "build") / "reference" / name;
    if (!std::filesystem::exists(dir)) {
        ADD_FAILURE() << "missing fixture " << dir << ": run the fixture." << name << " ctest";
    }
    return dir.string();
}

std::string fixture_dir(const std::string& name) {
    const char* build = std::getenv("R1_BUILD_DIR");
    const std::filesystem::path dir =
        std::filesystem::path(build ? build : "build") / "tests" / "fixtures" / "model" / name;
    if (!std::filesystem::exists(dir / "io.pt")) {
        ADD_FAILURE() << "missing fixture " << dir
                      << ": run the model_fixtures ctest (tests/reference/make_model_fixtures.py)";
    }
    return dir.string();
}

void expect_logits_match(const at::Tensor& actual,
                         const at::Tensor& expected,
                         const at::Tensor& valid) {
    const auto keep = valid.to(torch::kBool);
    const auto a = actual.index({keep});
    const auto e = expected.index({keep});
    const double scale = e.abs().max().item<double>();
    std::cout << "max |r1 - reference| " << (a - e).abs().max().item<double>() << " (logit scale "
              << scale << ")\n";
    R1_EXPECT_CLOSE(a, e, 1e-4, 1e-4 * scale);
}

double gradient_error(const std::function<at::Tensor()>& loss,
                      const std::vector<at::Tensor>& leaves) {
    double worst = 0.0;
    for (int trial = 0; trial < 2; ++trial) {
        std::vector<at::Tensor> directions;
        for (const auto& leaf : leaves) {
            directions.push_back(torch::randn_like(leaf));
            if (leaf.grad().defined()) {
                leaf.mutable_grad().zero_();
            }
        }
        loss().backward();
        double analytic = 0.0;
        for (size_t i = 0; i < leaves.size(); ++i) {
            if (leaves[i].grad().defined()) {
                analytic += (leaves[i].grad() * directions[i]).sum().item<double>();
            }
        }
        const double eps = 1e-6;
        auto shifted = [&](double step) {
            torch::NoGradGuard no_grad;
            for (size_t i = 0; i < leaves.size(); ++i) {
                leaves[i].add_(directions[i], step);
            }
            const double value = loss().item<double>();
            for (size_t i = 0; i < leaves.size(); ++i) {
                leaves[i].sub_(directions[i], step);
            }
            return value;
        };
        const double numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
        worst = std::max(worst, std::abs(analytic - numeric) / std::max(1e-8, std::abs(numeric)));
    }
    return worst;
}

std::vector<at::Tensor> parameters_of(const torch::nn::Module& module) {
    return module.parameters();
}

}  // namespace r1::test
