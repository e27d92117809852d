// Forward+backward tokens/s of r1's CausalLm against transformers' eager model (same config, same
// machine, same run; bench/reference/model_bench.py). Usage: r1_bench_model [tiny|100m] [iters].
// Last output line: {"config":..., "parameters":..., "r1_tokens_per_s":...,
// "transformers_tokens_per_s":..., "ratio":...}
//
// Measured 2026-12-01 (B 4, S 128, 2 threads) on the 2-core machine shared with two other builds
// (load average 8.8-9.0, so single runs swing several-fold; compare ratios of one run only):
//   tiny  6.6M parameters, 5 iters: r1 325 tok/s, transformers 72 tok/s, ratio 4.5
//   100m  104.9M parameters (32 experts, 6 layers): three runs gave ratios 0.17 (r1 10.9 vs
//         transformers 63.1 tok/s, 2 iters), 2.30 (52.1 vs 22.7, 2 iters), 1.71 (51.3 vs 30.1,
//         3 iters): r1 ~51 tok/s in two runs out of three; rerun on an idle machine to rank.
#include "r1/model/causal_lm.h"
#include "r1/model/options.h"
#include "r1/util/fs.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "model_configs.h"

namespace {

using r1::bench::config_of;

struct R1Run {
    double tokens_per_s = 0.0;
    int64_t parameters = 0;  // total, routed experts included
};

R1Run r1_tokens_per_s(const r1::model::ModelOptions& options, int64_t B, int64_t S, int iters) {
    torch::manual_seed(0);
    r1::model::CausalLm lm(options);
    R1Run run;
    for (const auto& p : lm->parameters()) {
        run.parameters += p.numel();
    }
    lm->train();
    const auto ids = torch::randint(0, options.vocab_size, {B, S});
    auto step = [&] {
        lm->zero_grad(true);
        lm->forward(ids).logits.pow(2).mean().backward();
    };
    step();  // warm-up
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) {
        step();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.tokens_per_s = static_cast<double>(B * S * iters) / seconds;
    return run;
}

double transformers_tokens_per_s(
    const std::string& config_path, int64_t B, int64_t S, int iters, int threads) {
    const std::string command = "python3 " R1_SOURCE_DIR "/bench/reference/model_bench.py " +
                                config_path + " " + std::to_string(B) + " " + std::to_string(S) +
                                " " + std::to_string(iters) + " " + std::to_string(threads) +
                                " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char buffer[4096];
    while (pipe && fgets(buffer, sizeof buffer, pipe)) {
        output = buffer;  // the last line
    }
    if (!pipe || pclose(pipe) != 0) {
        throw std::runtime_error("baseline failed: " + command);
    }
    return nlohmann::json::parse(output).at("tokens_per_s").get<double>();
}

}  // namespace

int main(int argc, char** argv) {
    const std::string name = argc > 1 ? argv[1] : "tiny";
    const int iters = argc > 2 ? std::stoi(argv[2]) : 5;
    const int64_t B = 4, S = 128;
    const int threads = torch::get_num_threads();
    r1::util::TempDir dir;
    const auto config_path = (dir.path() / "config.json").string();
    const auto config = config_of(name);
    r1::util::atomic_write_file(config_path, config.dump());
    const auto options = r1::model::parse_model_options(config, config_path);
    const R1Run ours = r1_tokens_per_s(options, B, S, iters);
    const double theirs = transformers_tokens_per_s(config_path, B, S, iters, threads);
    std::cout << nlohmann::json{{"config", name},
                                {"batch", B},
                                {"seq", S},
                                {"threads", threads},
                                {"parameters", ours.parameters},
                                {"r1_tokens_per_s", ours.tokens_per_s},
                                {"transformers_tokens_per_s", theirs},
                                {"ratio", ours.tokens_per_s / theirs}}
                     .dump()
              << std::endl;
}
