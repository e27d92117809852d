// `r1 train --stage sft`: supervised fine-tuning (R1's cold start and its second SFT round, and
// sequence-level distillation on teacher traces). Rows in TRL's three shapes (data/sample.h) from
// JSONL files mixed by weight or from a built-in task; the loss on completions or assistant turns,
// normalised over the whole optimizer step; optional best-fit-decreasing packing with attention
// kept inside each document; a held-out split scored every N steps (docs/sft.md).
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/jsonl_dataset.h"
#include "r1/data/options.h"
#include "r1/model/precision.h"
#include "r1/train/options.h"
#include "r1/train/sft_data.h"
#include "r1/train/step_loop.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace r1::train {

/// One JSONL file of a mixture. weight w takes each row floor(w) times, plus a seeded share
/// w - floor(w) of the rows once more (open-instruct's dataset_mixer): 0.5 is half the file.
struct SftFileOptions {
    std::string path;
    double weight = 1.0;
};

struct SftDataOptions {
    std::vector<SftFileOptions> train;  // files mixed by weight
    std::vector<std::string> eval;      // held-out files; empty: eval_fraction of the rows
    double eval_fraction = 0.0;         // rows held out by a stable hash of their text
    std::string task;                   // a built-in task instead of files: prompt + worked steps
    std::vector<std::string> task_options;
    int64_t task_seed = 1;
    int64_t task_size = 1000;  // rows drawn from the task's stream
    /// how string prompts and conversations are rendered: by default the model's own template
    data::PromptFormatOptions prompt{.chat_template = tokenizer::Template::model};
    int64_t max_length = 1024;  // tokens per document; longer ones are cut and counted
    Packing packing = Packing::none;
    data::OnError on_error = data::OnError::fail;
};

struct SftBatchOptions {
    int64_t batch_size = 8;        // rows per optimizer step (packed rows when packing)
    int64_t micro_batch_size = 8;  // rows per forward/backward; never changes the math
};

struct SftLossOptions {
    LossNorm normalize = LossNorm::token;  // token mean over the step, or mean of sequence means
    bool completion_only = true;           // false: prompts and system turns are trained too
    double neftune_alpha = 0.0;            // NEFTune embedding noise; 0: off
};

struct SftEvalOptions {
    int64_t every = 0;  // steps between held-out evaluations (and after the last); 0: never
};

struct SftInitOptions {
    std::string checkpoint;  // model directory to fine-tune
};

struct SftOptions {
    std::string stage = "sft";
    int64_t seed = 42;
    std::string run_dir = "runs/sft";
    int64_t epochs = 1;
    int64_t max_steps = 0;  // 0: epochs over the training rows
    model::Precision precision = model::Precision::float32;
    SftInitOptions init;
    SftDataOptions data;
    SftBatchOptions batch;
    SftLossOptions loss;
    SftEvalOptions eval;
    OptimOptions optim{.lr = 1e-4, .schedule = Schedule::cosine, .min_lr_ratio = 0.1};
    LogOptions log;
    CheckpointOptions checkpoint;
    MoeOptions moe;
};

void visit(config::Visitor& v, SftFileOptions& o);
void visit(config::Visitor& v, SftDataOptions& o);
void visit(config::Visitor& v, SftBatchOptions& o);
void visit(config::Visitor& v, SftLossOptions& o);
void visit(config::Visitor& v, SftEvalOptions& o);
void visit(config::Visitor& v, SftInitOptions& o);
void visit(config::Visitor& v, SftOptions& o);
void validate(const SftOptions& o);

LoopResult run_sft(const SftOptions& options, const std::string& resolved_yaml);

}  // namespace r1::train
