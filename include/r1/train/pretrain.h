// `r1 train --stage pretrain`: next-token pretraining of a small model from random weights on the
// built-in corpus (data/corpus.h), with DeepSeek-V3's training extras: the MTP loss (lambda), the
// sequence-wise balance loss (alpha) and the auxiliary-loss-free bias update (gamma). Writes
// run_dir/final as a model directory (config.json, model.safetensors, tokenizer.json) that the
// other stages start from.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/corpus.h"
#include "r1/data/options.h"
#include "r1/model/precision.h"
#include "r1/train/options.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace r1::train {

struct PretrainModelOptions {
    std::string config;  // config.json of the architecture; the weights start random
    std::vector<std::string> special_tokens = {"<|endoftext|>"};  // byte-level tokenizer's extras
    double mtp_lambda = 0.3;          // weight of the MTP loss (model-spec §4.2)
    double balance_alpha = 1e-4;      // sequence-wise balance loss (model-spec §3.4)
    double bias_update_gamma = 1e-3;  // aux-loss-free bias speed (model-spec §3.3); 0: off
};

struct PretrainOptions {
    std::string stage = "pretrain";
    int64_t seed = 42;
    std::string run_dir = "runs/pretrain";
    int64_t max_steps = 300;
    int64_t batch_size = 64;   // documents per optimizer step
    int64_t max_length = 256;  // tokens per document at most (longer ones are cut)
    /// float32; bf16 (CPU autocast, float32 masters); fp8 (DeepSeek-V3's FP8 GEMMs, docs/fp8.md)
    model::Precision precision = model::Precision::float32;
    PretrainModelOptions model;
    data::CorpusOptions corpus;
    data::PromptFormatOptions prompt;  // documents open with the prompt as later stages render it
    OptimOptions optim{.lr = 3e-3,
                       .betas = {0.9, 0.99},
                       .schedule = Schedule::cosine,
                       .warmup_steps = 20,
                       .min_lr_ratio = 0.1};
    LogOptions log;
    CheckpointOptions checkpoint;
};

void visit(config::Visitor& v, PretrainModelOptions& o);
void visit(config::Visitor& v, PretrainOptions& o);
void validate(const PretrainOptions& o);

struct PretrainResult {
    int64_t steps = 0;
    bool interrupted = false;
    std::string final_model;  // run_dir/final
    double final_loss = 0;
};

PretrainResult run_pretrain(const PretrainOptions& options, const std::string& resolved_yaml);

}  // namespace r1::train
