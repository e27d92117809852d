// Decode tokens/s of r1's Engine against transformers' generate() (bench/reference/
// generation_bench.py: DeepseekV3ForCausalLM, float32, eager, its DynamicCache) on the same weights
// (r1 saves its seeded model as an HF dir), the same prompts and number of new tokens, greedy, EOS
// off on both sides, same thread count, same run. Also: r1 against a no-cache loop (the full
// forward over the whole sequence per token), ATen ops dispatched per decode step, the KV-cache
// bytes per token (MLA vs MHA with the same heads and head dims, and model-spec §2.5's V3 row),
// and a GRPO-shaped rollout of the demo model (128 sampled rows, 96 tokens).
//
//   r1_bench_generation [configs=demo,tiny,100m] [new_tokens=64] [prompt_len=32] [threads=1]
//                       [rounds=3]
//
// The two sides alternate for `rounds` rounds; the figures are the rounds' medians. Last output
// line: {"threads", "load_average", "<config>": {"batch_<B>": {"r1_tokens_per_s",
// "transformers_tokens_per_s", "ratios", "ratio", "no_cache_ratio", "ops_per_step", ...,
// "memory_floor" (batch 1)}, "kv_cache": ...}}. Current figures: docs/bench.md.
#include "r1/generation/engine.h"
#include "r1/generation/kv_cache.h"
#include "r1/model/causal_lm.h"
#include "r1/model/hf.h"
#include "r1/model/options.h"
#include "r1/util/allocator.h"
#include "r1/util/fs.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_configs.h"
#include "load_average.h"
#include "median.h"
#include "memory_floor.h"
#include "op_counter.h"
#include "python_baseline.h"

namespace {

using r1::generation::Engine;
using r1::generation::GenerateRequest;
using Clock = std::chrono::steady_clock;
using Rows = std::vector<std::vector<int64_t>>;

double seconds_of(const std::function<void()>& fn) {
    const auto start = Clock::now();
    fn();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

GenerateRequest greedy_request(const Rows& prompts, int64_t new_tokens) {
    GenerateRequest request{.prompts = prompts};  // no eos_token_ids: every row runs to the end
    request.sampling = {
        .temperature = 0.0, .max_prompt_length = 4096, .max_completion_length = new_tokens};
    return request;
}

struct EngineRun {
    double tokens_per_s = 0.0;
    Rows tokens;
};

// One warm-up call (cache allocation), then the timed one.
EngineRun engine_run(Engine& engine, const GenerateRequest& request) {
    engine.generate(request);
    std::vector<r1::generation::Completion> out;
    const double s = seconds_of([&] { out = engine.generate(request); });
    EngineRun run;
    int64_t generated = 0;
    for (auto& c : out) {
        generated += static_cast<int64_t>(c.tokens.size());
        run.tokens.push_back(std::move(c.tokens));
    }
    run.tokens_per_s = static_cast<double>(generated) / s;
    return run;
}

// ATen ops per decode step: the ops of a request of 2n tokens minus those of n tokens, over n.
// With R1_BENCH_OPS set, the most called ops of the longer request go to stderr.
double ops_per_step(Engine& engine, GenerateRequest request) {
    auto ops = [&](int64_t tokens) {
        request.sampling.max_completion_length = tokens;
        OpCounter counter;
        engine.generate(request);
        if (std::getenv("R1_BENCH_OPS") != nullptr && tokens > 16) {
            for (const auto& [name, count] : counter.top(40)) {
                std::cerr << "  " << name << " " << count << "\n";
            }
        }
        return counter.total();
    };
    const int64_t n = 16;
    return static_cast<double>(ops(2 * n) - ops(n)) / static_cast<double>(n);
}

// The baseline: no cache, the full forward of [B, P + t] for every token t.
double no_cache_tokens_per_s(r1::model::CausalLm& lm, const at::Tensor& prompts, int64_t n) {
    torch::NoGradGuard no_grad;
    lm->eval();
    const double s = seconds_of([&] {
        auto seq = prompts;
        for (int64_t t = 0; t < n; ++t) {
            const auto next = lm->forward(seq).logits.select(1, -1).argmax(-1);  // [B]
            seq = torch::cat({seq, next.unsqueeze(1)}, 1);
        }
    });
    return static_cast<double>(prompts.size(0) * n) / s;
}

Rows rows_of(const at::Tensor& t) {
    Rows rows;
    for (int64_t b = 0; b < t.size(0); ++b) {
        const auto row = t[b].contiguous();
        rows.emplace_back(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel());
    }
    return rows;
}

// Positions where r1 and transformers chose the same token before their first disagreement,
// over all positions (float32 on both sides: near-ties may break differently).
double agreement(const Rows& ours, const Rows& theirs) {
    int64_t same = 0, total = 0;
    for (size_t b = 0; b < ours.size(); ++b) {
        size_t t = 0;
        while (t < ours[b].size() && t < theirs[b].size() && ours[b][t] == theirs[b][t]) {
            ++t;
        }
        same += static_cast<int64_t>(t);
        total += static_cast<int64_t>(ours[b].size());
    }
    return static_cast<double>(same) / static_cast<double>(total);
}

// Batch 1's bound: the tokens/s of a decoder that read each active float32 weight once per token
// at the measured DRAM bandwidth and did nothing else (prefill aside), and that over transformers.
nlohmann::json memory_floor(const r1::model::ModelOptions& o, double r1_tokens_per_s, double hf) {
    const double bytes = 4.0 * active_weights_per_token(o), bandwidth = read_bandwidth();
    const double floor_tokens_per_s = bandwidth / bytes;
    return {{"weight_bytes_per_token", bytes},
            {"read_gb_per_s", bandwidth / 1e9},
            {"floor_tokens_per_s", floor_tokens_per_s},
            {"floor_ratio", floor_tokens_per_s / hf},
            {"r1_share_of_floor", r1_tokens_per_s / floor_tokens_per_s}};
}

struct Setup {
    r1::model::CausalLm lm;
    std::string hf_dir;  // the same weights as transformers loads them
    std::string work;    // a temp dir for prompt files
    int64_t new_tokens;
    int threads;
    int rounds;
};

// r1's engine against transformers' generate(), alternating round by round (the reported
// figures are the rounds' medians); then, once, r1 without absorption and the no-cache loop.
nlohmann::json bench_batch(Setup& setup, int64_t B, int64_t P) {
    const auto& o = setup.lm->options;
    const auto prompts = torch::randint(0, o.vocab_size, {B, P}, torch::kInt64);
    const auto request = greedy_request(rows_of(prompts), setup.new_tokens);
    const auto prompts_path = setup.work + "/prompts.json";
    r1::util::atomic_write_file(prompts_path, nlohmann::json(request.prompts).dump());
    Engine engine(setup.lm, std::nullopt, {.max_batch_size = B});
    std::vector<double> ours, theirs, ratios, agreements;
    for (int round = 0; round < setup.rounds; ++round) {
        const auto run = engine_run(engine, request);
        const auto hf = run_python_baseline(
            "generation_bench.py", {setup.hf_dir, prompts_path, std::to_string(setup.new_tokens),
                                    std::to_string(setup.threads)});
        ours.push_back(run.tokens_per_s);
        theirs.push_back(hf.at("tokens_per_s").get<double>());
        ratios.push_back(ours.back() / theirs.back());
        agreements.push_back(agreement(run.tokens, hf.at("tokens").get<Rows>()));
        std::cerr << "  batch " << B << " round " << round + 1 << "/" << setup.rounds << ": r1 "
                  << ours.back() << " tok/s, transformers " << theirs.back() << ", ratio "
                  << ratios.back() << std::endl;
    }
    const double ours_median = median(ours), theirs_median = median(theirs);
    nlohmann::json r{{"r1_tokens_per_s", ours_median},
                     {"transformers_tokens_per_s", theirs_median},
                     {"ratios", ratios},
                     {"ratio", median(ratios)},
                     {"token_agreement", *std::min_element(agreements.begin(), agreements.end())},
                     {"ops_per_step_absorbed", ops_per_step(engine, request)}};
    Engine naive(setup.lm, std::nullopt, {.max_batch_size = B, .absorb = false});
    r["r1_naive_tokens_per_s"] = engine_run(naive, request).tokens_per_s;
    r["ops_per_step_naive"] = ops_per_step(naive, request);
    const double no_cache = no_cache_tokens_per_s(setup.lm, prompts, setup.new_tokens);
    r["no_cache_tokens_per_s"] = no_cache;
    r["no_cache_ratio"] = ours_median / no_cache;
    if (B == 1) {
        r["memory_floor"] = memory_floor(o, ours_median, theirs_median);
    }
    return r;
}

// A GRPO rollout's shape: 16 prompts x 8 samples at temperature 1, at most 96 tokens, ending at
// the demo's EOS (id 256, so rows finish at different steps and the batch is compacted).
nlohmann::json bench_rollout(Setup& setup, int64_t P) {
    const auto& o = setup.lm->options;
    auto request = greedy_request(rows_of(torch::randint(0, o.vocab_size, {16, P})), 96);
    request.num_samples = 8;
    request.sampling.temperature = 1.0;
    request.eos_token_ids = {o.vocab_size - 1};
    Engine engine(setup.lm, std::nullopt, {.max_batch_size = 128});
    const auto run = engine_run(engine, request);
    int64_t generated = 0;
    for (const auto& tokens : run.tokens) {
        generated += static_cast<int64_t>(tokens.size());
    }
    return {{"rows", 128},
            {"max_new_tokens", 96},
            {"generated_tokens", generated},
            {"r1_tokens_per_s", run.tokens_per_s},
            {"seconds", static_cast<double>(generated) / run.tokens_per_s},
            {"ops_per_step", ops_per_step(engine, request)}};
}

// Bytes per token over all layers: MLA's latent cache against MHA with the same heads and head
// dims (K of qk_head_dim and V of v_head_dim per head: what the naive path materialises).
nlohmann::json kv_cache_bytes(const r1::model::ModelOptions& o, at::ScalarType dtype) {
    const int64_t mla = r1::generation::cache_bytes_per_token(o, dtype);
    const int64_t mha = o.num_attention_heads * (o.qk_head_dim() + o.v_head_dim) *
                        o.num_hidden_layers * static_cast<int64_t>(c10::elementSize(dtype));
    return {
        {"mla_bytes", mla}, {"mha_bytes", mha}, {"mha_over_mla", static_cast<double>(mha) / mla}};
}

// model-spec §2.5: DeepSeek-V3 in bf16 (61 layers, 128 heads, c_kv 512 + k_pe 64): 70,272 bytes
// per token against 4.77 MiB for MHA of the same heads and head dims (71.1x).
nlohmann::json paper_kv_cache_bytes() {
    r1::model::ModelOptions v3;
    v3.model_type = "deepseek_v3";
    v3.num_hidden_layers = 61;
    v3.num_attention_heads = 128;
    v3.kv_lora_rank = 512;
    v3.qk_rope_head_dim = 64;
    v3.qk_nope_head_dim = 128;
    v3.v_head_dim = 128;
    return kv_cache_bytes(v3, torch::kBFloat16);
}

nlohmann::json bench_config_run(
    const std::string& name, int64_t new_tokens, int64_t P, int threads, int rounds) {
    const auto config = bench_config(name);
    r1::util::TempDir dir;
    const auto options = r1::model::parse_model_options(config, name);
    torch::manual_seed(0);
    Setup setup{.lm = r1::model::CausalLm(options),
                .hf_dir = (dir.path() / "hf").string(),
                .work = dir.path().string(),
                .new_tokens = new_tokens,
                .threads = threads,
                .rounds = rounds};
    setup.lm->eval();
    r1::model::save_pretrained(*setup.lm, setup.hf_dir);
    int64_t parameters = 0;
    for (const auto& p : setup.lm->parameters()) {
        parameters += p.numel();
    }
    nlohmann::json r{{"parameters", parameters},
                     {"kv_cache", kv_cache_bytes(options, torch::kFloat32)}};
    for (const int64_t B : {1, 64}) {
        r["batch_" + std::to_string(B)] = bench_batch(setup, B, P);
        std::cerr << name << " batch " << B << ": " << r["batch_" + std::to_string(B)].dump()
                  << "\n";
    }
    if (name == "demo") {
        r["grpo_rollout"] = bench_rollout(setup, P);
    }
    return r;
}

std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        out.push_back(item);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    r1::util::tune_malloc_for_tensors();  // as the r1 CLI does
    const auto configs = split(argc > 1 ? argv[1] : "demo,tiny,100m");
    const int64_t new_tokens = argc > 2 ? std::stoll(argv[2]) : 64;
    const int64_t prompt_len = argc > 3 ? std::stoll(argv[3]) : 32;
    const int threads = argc > 4 ? std::stoi(argv[4]) : 1;
    const int rounds = argc > 5 ? std::stoi(argv[5]) : 3;
    at::set_num_threads(threads);
    nlohmann::json result{{"prompt_len", prompt_len},
                          {"new_tokens", new_tokens},
                          {"threads", threads},
                          {"load_average_start", load_average()},
                          {"paper_v3_kv_cache_bf16", paper_kv_cache_bytes()}};
    for (const auto& name : configs) {
        result[name] = bench_config_run(name, new_tokens, prompt_len, threads, rounds);
    }
    result["load_average_end"] = load_average();
    std::cout << result.dump() << std::endl;
}
