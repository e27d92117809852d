// `r1 train --stage grpo`: the GRPO loop of grpo-spec §3.6 over the pieces of this folder. Each
// step: B prompts -> G completions each from the engine (which holds the policy itself: no weight
// copy) -> rewards -> advantages -> mu passes of mini-batch optimizer steps over micro-batches ->
// metrics.jsonl, completions.jsonl, checkpoints. A run directory with a checkpoint resumes from it.
#pragma once

#include "r1/train/grpo/options.h"

#include <nlohmann/json.hpp>

#include <string>

namespace r1::train::grpo {

struct GrpoResult {
    int64_t steps = 0;         // steps done when the run ended
    bool interrupted = false;  // stopped by Ctrl-C after saving
    std::string final_model;   // run_dir/final (empty when interrupted)
    nlohmann::json last_metrics;
};

/// Runs GRPO; `resolved_yaml` goes to run_dir/config.yaml.
GrpoResult run_grpo(const GrpoOptions& options, const std::string& resolved_yaml);

}  // namespace r1::train::grpo
