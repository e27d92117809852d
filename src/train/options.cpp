#include "r1/train/options.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

namespace r1::train {

void visit(config::Visitor& v, OptimOptions& o) {
    v.field("lr", o.lr, "peak learning rate (AdamW)").range(0.0, 1.0);
    v.field("betas", o.betas, "AdamW [beta1, beta2]").range(0.0, 1.0);
    v.field("eps", o.eps, "AdamW epsilon").range(0.0, 1.0);
    v.field("weight_decay", o.weight_decay, "decoupled weight decay").range(0.0, 10.0);
    v.field("max_grad_norm", o.max_grad_norm, "clip the global gradient norm to this; 0 is off")
        .min(0.0);
    v.field("schedule", o.schedule, "learning-rate schedule after warmup");
    v.field("warmup_steps", o.warmup_steps, "linear warmup from 0 to lr").min(0);
    v.field("min_lr_ratio", o.min_lr_ratio, "decay floor as a share of lr").range(0.0, 1.0);
}

void visit(config::Visitor& v, LogOptions& o) {
    v.field("every", o.every, "steps between metrics.jsonl rows (the last step always writes)")
        .min(1);
}

void visit(config::Visitor& v, CheckpointOptions& o) {
    v.field("every", o.every, "steps between checkpoints; 0 only at the end and on Ctrl-C").min(0);
    v.field("keep", o.keep, "newest checkpoints kept").min(1);
}

void visit(config::Visitor& v, MoeOptions& o) {
    v.field("bias_update_gamma", o.bias_update_gamma,
            "aux-loss-free routing-bias speed after each step; 0 keeps the base model's bias")
        .range(0.0, 1.0);
}

void validate(const OptimOptions& o) {
    if (o.betas.size() != 2) {
        throw util::ConfigError("key 'optim.betas': expected two values [beta1, beta2], got " +
                                std::to_string(o.betas.size()));
    }
}

void check_stage(const std::string& stage, std::string_view expected, std::string_view a_config) {
    if (stage != expected) {
        throw util::ConfigError(
            util::str("key 'stage': this is ", a_config, ", got '", stage, "'"));
    }
}

void check_rows_source(bool has_train_files, const std::string& task) {
    if (!has_train_files && task.empty()) {
        throw util::ConfigError(
            "data: set data.train (JSONL files) or data.task (a built-in task)");
    }
}

void check_held_out_source(bool has_eval_files, double eval_fraction) {
    if (has_eval_files && eval_fraction > 0) {
        throw util::ConfigError("data: data.eval and data.eval_fraction are both set; keep one");
    }
}

void check_micro_batch(int64_t batch_size, int64_t micro_batch_size) {
    if (batch_size % micro_batch_size != 0) {
        throw util::ConfigError(util::str("batch.micro_batch_size (", micro_batch_size,
                                          ") must divide batch.batch_size (", batch_size, ")"));
    }
}

}  // namespace r1::train
