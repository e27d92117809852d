#include "r1/train/distill.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

namespace r1::train {

using util::ConfigError;
using util::str;

void visit(config::Visitor& v, TeacherOptions& o) {
    v.field("model", o.model, "the teacher's model directory").required();
    v.field("top_k", o.top_k,
            "> 0: distil the teacher's k most likely tokens only (plus the rest's mass)")
        .min(0);
}

void visit(config::Visitor& v, StudentOptions& o) {
    v.field("checkpoint", o.checkpoint, "the student's model directory to start from");
    v.field("config", o.config, "or a config.json: the student starts from random weights");
}

void visit(config::Visitor& v, DistillLossConfig& o) {
    v.field("beta", o.beta, "0: forward KL(teacher || student); 1: reverse KL; between: JSD(beta)")
        .range(0.0, 1.0);
    v.field("temperature", o.temperature, "divides both models' logits").range(1e-3, 100.0);
    v.field("distill_weight", o.distill_weight,
            "loss = (1 - w) NLL of the data + w divergence; 1: divergence only")
        .range(0.0, 1.0);
    v.field("normalize", o.normalize,
            "token: mean over the step's trained tokens; sequence: mean of per-document means");
    v.field("completion_only", o.completion_only,
            "distil completions and assistant turns only; false: every token");
}

void visit(config::Visitor& v, OnPolicyOptions& o) {
    v.field("fraction", o.fraction,
            "GKD's lambda: share of steps on the student's own samples, scored by the teacher")
        .range(0.0, 1.0);
    v.section("sampling", o.sampling, "how the student samples on those steps");
}

void visit(config::Visitor& v, DistillOptions& o) {
    v.field("stage", o.stage, "must be distill");
    v.field("seed", o.seed, "run seed: data order, student init, on-policy draws").min(0);
    v.field("run_dir", o.run_dir, "where config.yaml, log.txt, metrics and checkpoints go");
    v.field("epochs", o.epochs, "passes over the rows (when max_steps is 0)").min(1);
    v.field("max_steps", o.max_steps, "optimizer steps; 0: epochs over the rows").min(0);
    v.section("teacher", o.teacher, "the model distilled from");
    v.section("student", o.student, "the model trained");
    v.section("data", o.data, "rows (teacher traces or prompts) and held-out rows");
    v.section("batch", o.batch, "batch geometry");
    v.section("loss", o.loss, "divergence, temperature and the NLL mix");
    v.section("on_policy", o.on_policy, "steps on the student's own samples (GKD)");
    v.section("eval", o.eval, "held-out evaluation");
    v.section("optim", o.optim, "optimizer and learning-rate schedule");
    v.section("log", o.log, "logging cadence");
    v.section("checkpoint", o.checkpoint, "checkpoint cadence");
    v.section("moe", o.moe, "expert balancing of a MoE student");
}

void validate(const DistillOptions& o) {
    check_stage(o.stage, "distill", "a distill config");
    if (o.student.checkpoint.empty() == o.student.config.empty()) {
        throw ConfigError("student: set exactly one of student.checkpoint and student.config");
    }
    check_rows_source(!o.data.train.empty(), o.data.task);
    check_held_out_source(!o.data.eval.empty(), o.data.eval_fraction);
    check_micro_batch(o.batch.batch_size, o.batch.micro_batch_size);
    validate(o.optim);
}

}  // namespace r1::train
