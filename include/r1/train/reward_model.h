// `r1 train --stage rm`: a reward model trained on preference pairs as TRL's RewardTrainer does
// (stages-spec §3): scalar head read at the last real token, Bradley-Terry loss with margins and
// centring, dropped over-long pairs, held-out accuracy and margin, a HF reward model (docs/rm.md).
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/jsonl_dataset.h"
#include "r1/data/options.h"
#include "r1/train/options.h"
#include "r1/train/sft.h"
#include "r1/train/step_loop.h"

#include <cstdint>
#include <string>
#include <vector>

namespace r1::train {

struct RmDataOptions {
    std::vector<SftFileOptions> train;  // JSONL preference files, mixed by weight
    std::vector<std::string> eval;      // held-out files; empty: eval_fraction of the pairs
    double eval_fraction = 0.0;         // pairs held out by a stable hash of their text
    std::string task;                   // a built-in preference task (sort) instead of files
    std::vector<std::string> task_options;
    int64_t task_seed = 1;     // training pairs: this stream; held-out pairs: task_seed + 1
    int64_t task_size = 1000;  // training pairs drawn from the task
    int64_t eval_size = 0;     // held-out pairs drawn from the task's other stream
    /// How string prompts and conversations are rendered: model (the base's own chat template, as
    /// sft and grpo render), or plain: prompt + response as they are (TRL's string rows). Saved
    /// with the model as chat_template.jinja, for r1 score and GRPO.
    data::PromptFormatOptions prompt{.chat_template = tokenizer::Template::model};
    int64_t max_length = 1024;  // tokens; a pair with a longer side is dropped (TRL) and counted
    data::OnError on_error = data::OnError::fail;
};

struct RmBatchOptions {
    int64_t batch_size = 8;        // pairs per optimizer step
    int64_t micro_batch_size = 8;  // pairs per forward/backward; never changes the math
};

struct RmLossOptions {
    double center_rewards_coefficient = 0.0;  // TRL's; adds coef * mean((r_c + r_r)^2); 0 off
};

struct RmOptions {
    std::string stage = "rm";
    int64_t seed = 42;
    std::string run_dir = "runs/rm";
    int64_t epochs = 1;
    int64_t max_steps = 0;  // 0: epochs over the training pairs
    SftInitOptions init;    // a causal-LM directory (fresh score head) or a reward model
    RmDataOptions data;
    RmBatchOptions batch;
    RmLossOptions loss;
    SftEvalOptions eval;
    OptimOptions optim{.lr = 1e-4, .schedule = Schedule::linear};  // TRL's defaults
    LogOptions log;
    CheckpointOptions checkpoint;
    MoeOptions moe;
};

void visit(config::Visitor& v, RmDataOptions& o);
void visit(config::Visitor& v, RmBatchOptions& o);
void visit(config::Visitor& v, RmLossOptions& o);
void visit(config::Visitor& v, RmOptions& o);
void validate(const RmOptions& o);

/// Trains and writes run_dir/final, a reward-model directory (train/reward_model_dir.h).
LoopResult run_reward_model(const RmOptions& options, const std::string& resolved_yaml);

}  // namespace r1::train
