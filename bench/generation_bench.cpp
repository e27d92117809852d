// Greedy decode tokens/s of r1's Engine (KV cache: MLA latent, absorbed weights) against a naive
// loop that reruns the full forward over the whole sequence for every new token, both in this run
// on the same model. Usage: r1_bench_generation [new_tokens] [prompt_len].
// Last output line: {"config":..., "batch_1": {"r1_tokens_per_s", "naive_tokens_per_s", "ratio"},
// "batch_64": {...}, "r1_not_absorbed_batch_64_tokens_per_s": ...} (cache, MLA K/V re-expanded)
#include "r1/generation/engine.h"
#include "r1/model/causal_lm.h"
#include "r1/model/options.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// bench/model_bench.cpp's "tiny" DeepSeek-V3 (MLA + MoE), without MTP.
r1::model::ModelOptions tiny_deepseek() {
    return r1::model::parse_model_options(nlohmann::json::parse(R"({
        "model_type": "deepseek_v3", "vocab_size": 1024, "hidden_size": 256,
        "intermediate_size": 512,
        "moe_intermediate_size": 128, "num_hidden_layers": 4, "first_k_dense_replace": 1,
        "num_nextn_predict_layers": 0, "num_attention_heads": 4, "q_lora_rank": 128,
        "kv_lora_rank": 128, "qk_nope_head_dim": 32, "qk_rope_head_dim": 16, "v_head_dim": 32,
        "n_routed_experts": 16, "n_shared_experts": 1, "num_experts_per_tok": 4, "n_group": 4,
        "topk_group": 2, "routed_scaling_factor": 2.5, "norm_topk_prob": true,
        "max_position_embeddings": 1024, "rope_theta": 10000.0})"),
                                          "bench config");
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Generated tokens/s of the engine: B prompts, greedy, no EOS (every row runs to new_tokens).
double engine_tokens_per_s(r1::model::CausalLm& lm,
                           const at::Tensor& prompts,
                           int64_t new_tokens,
                           bool absorb) {
    r1::generation::GenerateRequest request;
    for (int64_t b = 0; b < prompts.size(0); ++b) {
        const auto row = prompts[b].contiguous();
        const int64_t* ids = row.data_ptr<int64_t>();
        request.prompts.emplace_back(ids, ids + row.numel());
    }
    request.sampling = {.temperature = 0.0, .max_completion_length = new_tokens};
    r1::generation::Engine engine(lm, std::nullopt, {.max_batch_size = 64, .absorb = absorb});
    engine.generate(request);  // warm-up (and cache allocation)
    const auto start = Clock::now();
    const auto out = engine.generate(request);
    const double seconds = seconds_since(start);
    return static_cast<double>(prompts.size(0) * new_tokens) / seconds;
}

// The baseline: no cache, the full forward of [B, P + t] for every token t.
double naive_tokens_per_s(r1::model::CausalLm& lm, const at::Tensor& prompts, int64_t new_tokens) {
    torch::NoGradGuard no_grad;
    lm->eval();
    const auto start = Clock::now();
    auto seq = prompts;
    for (int64_t t = 0; t < new_tokens; ++t) {
        const auto next = lm->forward(seq).logits.select(1, -1).argmax(-1);  // [B]
        seq = torch::cat({seq, next.unsqueeze(1)}, 1);
    }
    const double seconds = seconds_since(start);
    return static_cast<double>(prompts.size(0) * new_tokens) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
    const int64_t new_tokens = argc > 1 ? std::stoll(argv[1]) : 64;
    const int64_t prompt_len = argc > 2 ? std::stoll(argv[2]) : 32;
    const auto options = tiny_deepseek();
    torch::manual_seed(0);
    r1::model::CausalLm lm(options);
    nlohmann::json result{{"config", "tiny_deepseek_v3"},
                          {"prompt_len", prompt_len},
                          {"new_tokens", new_tokens},
                          {"threads", torch::get_num_threads()}};
    for (const int64_t B : {1, 64}) {
        const auto prompts = torch::randint(0, options.vocab_size, {B, prompt_len});
        const double ours = engine_tokens_per_s(lm, prompts, new_tokens, true);
        const double naive = naive_tokens_per_s(lm, prompts, new_tokens);
        result["batch_" + std::to_string(B)] = {
            {"r1_tokens_per_s", ours}, {"naive_tokens_per_s", naive}, {"ratio", ours / naive}};
        if (B == 64) {
            result["r1_not_absorbed_batch_64_tokens_per_s"] =
                engine_tokens_per_s(lm, prompts, new_tokens, false);
        }
        std::cerr << "batch " << B << ": r1 " << ours << " tok/s, no-cache loop " << naive
                  << " tok/s\n";
    }
    std::cout << result.dump() << std::endl;
}
