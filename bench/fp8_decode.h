// Decode tokens/s of the ~100M DeepSeek-V3 (bench_configs.h "100m", random weights from seed 0)
// through the generation Engine, greedy, the same prompts for every precision: float32, bf16
// (weights cast) and fp8 (E4M3 projections + 128x128 scales; embeddings, router and lm_head float).
// Timing is the engine's own decode_seconds (prefill excluded); best of `repeats` runs.
#pragma once

#include "r1/generation/engine.h"
#include "r1/model/causal_lm.h"
#include "r1/model/linear.h"
#include "r1/model/options.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_configs.h"

namespace r1::bench {

struct DecodeRow {
    std::string precision;
    int64_t batch = 0;
    double tokens_per_s = 0.0;
};

inline double decode_tokens_per_s(model::CausalLm& lm,
                                  int64_t batch,
                                  int64_t new_tokens,
                                  int repeats) {
    std::vector<std::vector<int64_t>> prompts;
    for (int64_t b = 0; b < batch; ++b) {  // 16-token prompts, different per row, fixed per run
        std::vector<int64_t> p;
        for (int64_t t = 0; t < 16; ++t) {
            p.push_back((b * 131 + t * 17 + 5) % lm->options.vocab_size);
        }
        prompts.push_back(p);
    }
    generation::Engine engine(lm, std::nullopt, {.max_batch_size = batch});
    generation::GenerateRequest request{.prompts = prompts, .sampling = {.temperature = 0.0}};
    request.sampling.max_completion_length = new_tokens;
    double best = 0.0;
    for (int r = 0; r < repeats; ++r) {
        engine.generate(request);
        const auto& s = engine.last_stats();
        // decode steps: every generated token after the one prefill sampled
        const double decoded = static_cast<double>(s.generated_tokens - batch);
        best = std::max(best, decoded / s.decode_seconds);
    }
    return best;
}

/// One row per (precision, batch); the model is rebuilt per precision from the same seed.
inline std::vector<DecodeRow> run_decode(const std::vector<int64_t>& batches,
                                         int64_t new_tokens,
                                         int repeats) {
    const auto config = bench_config("100m");
    const auto options = model::parse_model_options(config, "bench 100m config");
    std::vector<DecodeRow> rows;
    // fp8 first, bf16 last: on CPUs without AVX-512 BF16 LibTorch's bf16 GEMM is a slow fallback
    for (const auto precision :
         {model::Precision::fp8, model::Precision::float32, model::Precision::bf16}) {
        torch::manual_seed(0);
        model::CausalLm lm(options);
        lm->eval();
        model::to_inference_precision(*lm, precision);
        std::string name;
        for (const auto& [value, text] : enum_names(model::Precision{})) {
            name = value == precision ? text : name;
        }
        for (const int64_t batch : batches) {
            rows.push_back({name, batch, decode_tokens_per_s(lm, batch, new_tokens, repeats)});
            std::printf("decode 100m batch %-3ld %-8s %8.1f tok/s\n", static_cast<long>(batch),
                        name.c_str(), rows.back().tokens_per_s);
            std::fflush(stdout);
        }
    }
    return rows;
}

/// JSON keys: decode_b<B>_<precision>_tokens_per_s and decode_b<B>_fp8_vs_{bf16,fp32}.
inline void add_decode_json(nlohmann::json& out, const std::vector<DecodeRow>& rows) {
    auto find = [&](const std::string& precision, int64_t batch) {
        for (const auto& r : rows) {
            if (r.precision == precision && r.batch == batch) {
                return r.tokens_per_s;
            }
        }
        return 0.0;
    };
    for (const auto& r : rows) {
        const std::string b = "decode_b" + std::to_string(r.batch) + "_";
        out[b + r.precision + "_tokens_per_s"] = r.tokens_per_s;
        if (r.precision == "fp8") {
            out[b + "fp8_vs_bf16"] = r.tokens_per_s / find("bf16", r.batch);
            out[b + "fp8_vs_fp32"] = r.tokens_per_s / find("float32", r.batch);
        }
    }
}

}  // namespace r1::bench
