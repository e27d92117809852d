#include "r1/train/sft.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

namespace r1::train {

using util::ConfigError;
using util::str;

void visit(config::Visitor& v, SftFileOptions& o) {
    v.field("path", o.path, "a JSONL file of the stage's rows (docs/sft.md, docs/rm.md)")
        .required();
    v.field("weight", o.weight,
            "rows taken per epoch: each row floor(w) times, plus a seeded share w - floor(w)")
        .range(0.0, 1000.0);
}

void visit(config::Visitor& v, SftDataOptions& o) {
    v.list("train", o.train, "training files, mixed by weight");
    v.field("eval", o.eval, "held-out JSONL files; empty: hold out eval_fraction of the rows");
    v.field("eval_fraction", o.eval_fraction, "share of rows held out (stable hash of each row)")
        .range(0.0, 1.0);
    v.field("task", o.task,
            "a built-in task's rows (prompt + worked steps) instead of or with files");
    v.field("task_options", o.task_options, "the task's options as key=value strings");
    v.field("task_seed", o.task_seed, "the task's stream").min(0);
    v.field("task_size", o.task_size, "rows drawn from the task").min(1);
    v.section("prompt", o.prompt, "how string prompts and conversations are rendered");
    v.field("max_length", o.max_length, "tokens per document; longer ones are cut and counted")
        .min(2);
    v.field("packing", o.packing,
            "none: a document per row, padded; bfd: best-fit-decreasing rows of max_length tokens");
    v.field("on_error", o.on_error, "a malformed JSONL line: fail, or skip and count it");
}

void visit(config::Visitor& v, SftBatchOptions& o) {
    v.field("batch_size", o.batch_size, "rows per optimizer step (packed rows when packing)")
        .min(1);
    v.field("micro_batch_size", o.micro_batch_size, "rows per forward/backward").min(1);
}

void visit(config::Visitor& v, SftLossOptions& o) {
    v.field("normalize", o.normalize,
            "token: mean over the step's trained tokens; sequence: mean of per-document means");
    v.field("completion_only", o.completion_only,
            "train completions and assistant turns only; false trains every token");
    v.field("neftune_alpha", o.neftune_alpha, "NEFTune embedding-noise alpha; 0 is off")
        .range(0.0, 100.0);
}

void visit(config::Visitor& v, SftEvalOptions& o) {
    v.field("every", o.every, "steps between held-out evaluations (and after the last); 0 never")
        .min(0);
}

void visit(config::Visitor& v, SftInitOptions& o) {
    v.field("checkpoint", o.checkpoint, "model directory (Hugging Face layout) to fine-tune")
        .required();
}

void visit(config::Visitor& v, SftOptions& o) {
    v.field("stage", o.stage, "must be sft");
    v.field("seed", o.seed, "run seed: data order, mixing shares, held-out split, NEFTune").min(0);
    v.field("run_dir", o.run_dir, "where config.yaml, log.txt, metrics and checkpoints go");
    v.field("epochs", o.epochs, "passes over the training rows (when max_steps is 0)").min(1);
    v.field("max_steps", o.max_steps, "optimizer steps; 0: epochs over the training rows").min(0);
    v.field("precision", o.precision, "GEMM precision: float32, bf16 (autocast) or fp8");
    v.section("init", o.init, "the starting model");
    v.section("data", o.data, "training and held-out rows");
    v.section("batch", o.batch, "batch geometry");
    v.section("loss", o.loss, "what is trained and how it is averaged");
    v.section("eval", o.eval, "held-out evaluation");
    v.section("optim", o.optim, "optimizer and learning-rate schedule");
    v.section("log", o.log, "logging cadence");
    v.section("checkpoint", o.checkpoint, "checkpoint cadence");
    v.section("moe", o.moe, "expert balancing during fine-tuning");
}

void validate(const SftOptions& o) {
    check_stage(o.stage, "sft", "an sft config");
    check_rows_source(!o.data.train.empty(), o.data.task);
    check_held_out_source(!o.data.eval.empty(), o.data.eval_fraction);
    check_micro_batch(o.batch.batch_size, o.batch.micro_batch_size);
    validate(o.optim);
}

}  // namespace r1::train
