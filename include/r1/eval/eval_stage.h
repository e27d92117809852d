// `r1 eval` and the pipeline's eval stage: a model directory scored on held-out prompts (a JSONL
// file or a built-in task's held-out stream) with pass@1 over k samples and maj@k, per task kind.
// Writes run_dir/eval.json and run_dir/eval_samples.jsonl; prints the table.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/options.h"
#include "r1/eval/evaluate.h"
#include "r1/generation/options.h"
#include "r1/model/precision.h"
#include "r1/rewards/options.h"

#include <cstdint>
#include <string>
#include <vector>

namespace r1::eval {

struct EvalOptions {
    std::string stage = "eval";
    int64_t seed = 42;
    std::string run_dir = "runs/eval";
    std::string model;  // model directory (config.json, model.safetensors, tokenizer.json)
    model::Precision precision = model::Precision::float32;  // of the model's projections
    data::PromptDataOptions data;  // its held-out split: data.eval, or data.task's eval stream
    generation::SamplingOptions sampling{.stop = {"</answer>"}};
    int64_t num_samples = 4;  // k
    std::vector<rewards::RewardSpec> verifier = {{.name = "accuracy", .weight = 1.0}};
};

void visit(config::Visitor& v, EvalOptions& o);
void validate(const EvalOptions& o);

EvalResult run_eval(const EvalOptions& options, const std::string& resolved_yaml);

}  // namespace r1::eval
