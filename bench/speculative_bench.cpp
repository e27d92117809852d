// MTP speculative greedy decoding (generation/speculative.h) against plain greedy decoding of the
// Engine, both one sequence at a time, on a trained model with an MTP layer: the demo's pretrained
// base (configs/stages/pretrain-arithmetic.yaml, mtp_lambda 0.3) on the arithmetic prompts its
// corpus held out (task stream 2, the r1_zero template). Reports the draft acceptance rate, the
// tokens per main-model step and the end-to-end speedup; checks both outputs are the same tokens.
//
//   r1_bench_speculative [model_dir=runs/r1-zero-tiny/base/final] [prompts=64] [max_new=96]
//                        [threads=1]
//
// Last output line: {"acceptance_rate", "tokens_per_main_step", "speedup", "identical", ...}.
// Current figures: docs/bench.md.
#include "r1/data/tasks/task.h"
#include "r1/generation/engine.h"
#include "r1/generation/speculative.h"
#include "r1/model/model_dir.h"
#include "r1/util/allocator.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "load_average.h"

namespace {

using Clock = std::chrono::steady_clock;
using Ids = std::vector<int64_t>;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The pretraining corpus's held-out prompts (pretrain-arithmetic.yaml: corpus.held_out_seed 2,
// the same task options), rendered with its r1_zero template.
std::vector<Ids> held_out_prompts(const r1::tokenizer::Tokenizer& tok, int64_t n) {
    const auto task =
        r1::data::tasks::find_task("arithmetic")
            .make({"min_digits=2", "max_digits=2", "operations=[add]", "steps=compact"});
    std::vector<Ids> prompts;
    for (int64_t i = 0; i < n; ++i) {
        const auto text =
            "User: " + task->generate(2, static_cast<uint64_t>(i)).sample.prompt + "\nAssistant:";
        const auto ids = tok.encode(text);
        prompts.emplace_back(ids.begin(), ids.end());
    }
    return prompts;
}

}  // namespace

int main(int argc, char** argv) {
    r1::util::tune_malloc_for_tensors();  // as the r1 CLI does
    const std::string dir = argc > 1 ? argv[1] : R1_SOURCE_DIR "/runs/r1-zero-tiny/base/final";
    const int64_t n = argc > 2 ? std::stoll(argv[2]) : 64;
    const int64_t max_new = argc > 3 ? std::stoll(argv[3]) : 96;
    const int threads = argc > 4 ? std::stoi(argv[4]) : 1;
    at::set_num_threads(threads);
    auto model_dir = r1::model::load_model_dir(dir);
    const auto eos = r1::model::eos_token_ids(model_dir);
    const auto prompts = held_out_prompts(*model_dir.tokenizer, n);
    const std::string load_start = load_average();

    // plain greedy, one sequence per call (the speculative side decodes one at a time too)
    r1::generation::Engine engine(model_dir.model, std::nullopt, {.max_batch_size = 1});
    r1::generation::GenerateRequest request{.prompts = {prompts[0]}, .eos_token_ids = eos};
    request.sampling = {.temperature = 0.0, .max_completion_length = max_new};
    engine.generate(request);  // warm-up
    std::vector<Ids> plain;
    auto start = Clock::now();
    for (const auto& prompt : prompts) {
        request.prompts = {prompt};
        plain.push_back(engine.generate(request)[0].tokens);
    }
    const double plain_s = seconds_since(start);

    const r1::generation::SpeculativeOptions spec{.max_new_tokens = max_new, .eos_token_ids = eos};
    r1::generation::speculative_greedy(model_dir.model, prompts[0], spec);  // warm-up
    int64_t drafted = 0, accepted = 0, steps = 0, tokens = 0, identical = 0;
    start = Clock::now();
    for (size_t i = 0; i < prompts.size(); ++i) {
        const auto r = r1::generation::speculative_greedy(model_dir.model, prompts[i], spec);
        drafted += r.drafted;
        accepted += r.accepted;
        steps += r.main_steps;
        tokens += static_cast<int64_t>(r.tokens.size());
        identical += r.tokens == plain[i] ? 1 : 0;
    }
    const double spec_s = seconds_since(start);
    std::cout << nlohmann::json{{"model_dir", dir},
                                {"prompts", n},
                                {"max_new_tokens", max_new},
                                {"threads", threads},
                                {"load_average_start", load_start},
                                {"load_average_end", load_average()},
                                {"generated_tokens", tokens},
                                {"acceptance_rate", static_cast<double>(accepted) / drafted},
                                {"tokens_per_main_step", static_cast<double>(tokens) / (steps + n)},
                                {"plain_tokens_per_s", static_cast<double>(tokens) / plain_s},
                                {"speculative_tokens_per_s", static_cast<double>(tokens) / spec_s},
                                {"speedup", plain_s / spec_s},
                                {"identical", identical}}
                     .dump()
              << std::endl;
}
