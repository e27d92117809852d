// The rm stage's YAML keys (train/reward_model.h): the only list of them, with their docs.
#include "r1/train/reward_model.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

namespace r1::train {

using util::ConfigError;
using util::str;

void visit(config::Visitor& v, RmDataOptions& o) {
    v.list("train", o.train,
           "preference files ({prompt, chosen, rejected[, margin]} or conversations), mixed by "
           "weight");
    v.field("eval", o.eval, "held-out JSONL files; empty: hold out eval_fraction of the pairs");
    v.field("eval_fraction", o.eval_fraction, "share of pairs held out (stable hash of each pair)")
        .range(0.0, 1.0);
    v.field("task", o.task, "a built-in task's preference pairs (sort) instead of or with files");
    v.field("task_options", o.task_options, "the task's options as key=value strings");
    v.field("task_seed", o.task_seed, "the task's training stream; task_seed + 1 is held out")
        .min(0);
    v.field("task_size", o.task_size, "training pairs drawn from the task").min(1);
    v.field("eval_size", o.eval_size, "held-out pairs drawn from the task's stream task_seed + 1")
        .min(0);
    v.section("prompt", o.prompt,
              "how prompts and conversations are rendered (saved as chat_template.jinja)");
    v.field("max_length", o.max_length,
            "tokens per side; a pair with a longer side is dropped (as TRL) and counted")
        .min(2);
    v.field("on_error", o.on_error, "a malformed JSONL line: fail, or skip and count it");
}

void visit(config::Visitor& v, RmBatchOptions& o) {
    v.field("batch_size", o.batch_size, "pairs per optimizer step").min(1);
    v.field("micro_batch_size", o.micro_batch_size,
            "pairs per forward/backward (both sides in one forward)")
        .min(1);
}

void visit(config::Visitor& v, RmLossOptions& o) {
    v.field(
         "center_rewards_coefficient", o.center_rewards_coefficient,
         "adds coef * mean((r_chosen + r_rejected)^2), keeping rewards near 0; TRL suggests 0.01")
        .range(0.0, 100.0);
}

void visit(config::Visitor& v, RmOptions& o) {
    v.field("stage", o.stage, "must be rm");
    v.field("seed", o.seed, "run seed: data order, mixing shares, held-out split, score head init")
        .min(0);
    v.field("run_dir", o.run_dir, "where config.yaml, log.txt, metrics and checkpoints go");
    v.field("epochs", o.epochs, "passes over the training pairs (when max_steps is 0)").min(1);
    v.field("max_steps", o.max_steps, "optimizer steps; 0: epochs over the training pairs").min(0);
    v.section("init", o.init, "the starting model: a causal LM (new score head) or a reward model");
    v.section("data", o.data, "training and held-out preference pairs");
    v.section("batch", o.batch, "batch geometry, in pairs");
    v.section("loss", o.loss, "the pairwise loss (a row's \"margin\" is subtracted when present)");
    v.section("eval", o.eval, "held-out accuracy and margin");
    v.section("optim", o.optim, "optimizer and learning-rate schedule");
    v.section("log", o.log, "logging cadence");
    v.section("checkpoint", o.checkpoint, "checkpoint cadence");
    v.section("moe", o.moe, "expert balancing while training the reward model");
}

void validate(const RmOptions& o) {
    check_stage(o.stage, "rm", "an rm config");
    check_rows_source(!o.data.train.empty(), o.data.task);
    check_held_out_source(!o.data.eval.empty(), o.data.eval_fraction);
    if (o.data.eval_size > 0 && o.data.task.empty()) {
        throw ConfigError("data.eval_size draws held-out pairs from data.task, which is not set");
    }
    check_micro_batch(o.batch.batch_size, o.batch.micro_batch_size);
    validate(o.optim);
}

}  // namespace r1::train
