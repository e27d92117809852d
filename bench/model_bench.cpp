// Forward+backward tokens/s of r1's CausalLm against transformers' eager model (same config, same
// machine, same run; bench/reference/model_bench.py). Usage: r1_bench_model [tiny|100m] [iters]
// [rounds]. Last output line: {"config":..., "parameters":..., "r1_tokens_per_s":...,
// "transformers_tokens_per_s":..., "ratios": [per round], "ratio": median, "fp32_peak_gflops",
// "step_gflop", "r1_share_of_peak", "transformers_share_of_peak", "ceiling_ratio"}
//
// It also prints the ceiling: the tokens/s of a float32 implementation that ran every GEMM FLOP of
// the step at the machine's measured GEMM rate (best 2048³ at::mm) and nothing else. Current
// figures: docs/bench.md.
#include "r1/model/causal_lm.h"
#include "r1/model/options.h"
#include "r1/util/allocator.h"
#include "r1/util/fs.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "bench_configs.h"
#include "median.h"
#include "memory_floor.h"
#include "python_baseline.h"

namespace {

/// Forward+backward of one model, timed round after round (the same model every round).
class R1Bench {
  public:
    R1Bench(const r1::model::ModelOptions& options, int64_t B, int64_t S)
        : lm_(seeded(options)), ids_(torch::randint(0, options.vocab_size, {B, S})) {
        lm_->train();
        step();  // warm-up
    }

    int64_t parameters() const {
        int64_t n = 0;
        for (const auto& p : lm_->parameters()) {
            n += p.numel();
        }
        return n;
    }

    double tokens_per_s(int iters) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iters; ++i) {
            step();
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return static_cast<double>(ids_.numel() * iters) / seconds;
    }

  private:
    static r1::model::CausalLm seeded(const r1::model::ModelOptions& options) {
        torch::manual_seed(0);
        return r1::model::CausalLm(options);
    }

    void step() {
        lm_->zero_grad(true);
        lm_->forward(ids_).logits.pow(2).mean().backward();
    }

    r1::model::CausalLm lm_;
    at::Tensor ids_;
};

/// GEMM FLOPs of one forward+backward of B·S tokens (DeepSeek configs): 6 per active weight per
/// token (forward 2, backward 4) plus the attention scores and values over all S keys.
double step_flops(const r1::model::ModelOptions& o, int64_t B, int64_t S) {
    const double nh = o.num_attention_heads, dq = o.qk_head_dim(), dv = o.v_head_dim;
    const double tokens = static_cast<double>(B * S);
    const double scores = o.num_hidden_layers * 2.0 * B * nh * S * S * (dq + dv);
    return 6.0 * active_weights_per_token(o) * tokens + 3.0 * scores;
}

/// The machine's float32 GEMM rate (FLOP/s): best of ten 2048³ matmuls (main() takes the better
/// of a reading before and one after the rounds: this machine's speed drifts within minutes).
double fp32_peak_flops() {
    const auto a = torch::randn({2048, 2048}), b = torch::randn({2048, 2048});
    double best = 1e30;
    for (int i = 0; i < 10; ++i) {
        const auto start = std::chrono::steady_clock::now();
        at::mm(a, b);
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return 2.0 * 2048 * 2048 * 2048 / best;
}

double transformers_tokens_per_s(
    const std::string& config_path, int64_t B, int64_t S, int iters, int threads) {
    return run_python_baseline("model_bench.py", {config_path, std::to_string(B), std::to_string(S),
                                                  std::to_string(iters), std::to_string(threads)})
        .at("tokens_per_s")
        .get<double>();
}

}  // namespace

// Rounds alternate r1 and transformers so that a change of load on a shared machine hits both
// sides; the ratio reported is the median of the rounds' ratios.
int main(int argc, char** argv) {
    r1::util::tune_malloc_for_tensors();  // as the r1 CLI does
    const std::string name = argc > 1 ? argv[1] : "tiny";
    const int iters = argc > 2 ? std::stoi(argv[2]) : 5;
    const int rounds = argc > 3 ? std::stoi(argv[3]) : 3;
    const int64_t B = 4, S = 128;
    const int threads = torch::get_num_threads();
    r1::util::TempDir dir;
    const auto config_path = (dir.path() / "config.json").string();
    const auto config = bench_config(name);
    r1::util::atomic_write_file(config_path, config.dump());
    const auto options = r1::model::parse_model_options(config, config_path);
    const double peak_before = fp32_peak_flops();
    R1Bench ours(options, B, S);
    std::vector<double> r1_runs, hf_runs, ratios;
    for (int round = 0; round < rounds; ++round) {
        r1_runs.push_back(ours.tokens_per_s(iters));
        hf_runs.push_back(transformers_tokens_per_s(config_path, B, S, iters, threads));
        ratios.push_back(r1_runs.back() / hf_runs.back());
        std::cout << "round " << round << ": r1 " << r1_runs.back() << " tok/s, transformers "
                  << hf_runs.back() << " tok/s, ratio " << ratios.back() << std::endl;
    }
    // The ceiling of any float32 implementation: every GEMM FLOP at the peak rate, nothing else.
    const double peak = std::max(peak_before, fp32_peak_flops()), flops = step_flops(options, B, S);
    const double ceiling_tokens_per_s = static_cast<double>(B * S) / (flops / peak);
    std::cout << "fp32 peak " << peak / 1e9 << " GFLOP/s; " << flops / 1e9
              << " GFLOP per step; ceiling " << ceiling_tokens_per_s
              << " tok/s = " << ceiling_tokens_per_s / median(hf_runs) << "x transformers"
              << std::endl;
    std::cout << nlohmann::json{{"config", name},
                                {"fp32_peak_gflops", peak / 1e9},
                                {"step_gflop", flops / 1e9},
                                {"r1_share_of_peak", median(r1_runs) / ceiling_tokens_per_s},
                                {"transformers_share_of_peak",
                                 median(hf_runs) / ceiling_tokens_per_s},
                                {"ceiling_ratio", ceiling_tokens_per_s / median(hf_runs)},
                                {"batch", B},
                                {"seq", S},
                                {"threads", threads},
                                {"rounds", rounds},
                                {"parameters", ours.parameters()},
                                {"r1_tokens_per_s", median(r1_runs)},
                                {"transformers_tokens_per_s", median(hf_runs)},
                                {"ratios", ratios},
                                {"ratio", median(ratios)}}
                     .dump()
              << std::endl;
}
