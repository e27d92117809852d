// Options every training stage shares: optimizer and schedule, logging cadence, checkpoints.
#pragma once

#include "r1/config/visitor.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace r1::train {

enum class Schedule { constant, cosine, linear };

constexpr auto enum_names(Schedule) {
    return std::array{std::pair{Schedule::constant, "constant"},
                      std::pair{Schedule::cosine, "cosine"}, std::pair{Schedule::linear, "linear"}};
}

struct OptimOptions {
    double lr = 1e-6;
    std::vector<double> betas = {0.9, 0.99};  // AdamW (beta1, beta2)
    double eps = 1e-8;
    double weight_decay = 0.0;
    double max_grad_norm = 1.0;  // 0: no clipping
    Schedule schedule = Schedule::constant;
    int64_t warmup_steps = 0;
    double min_lr_ratio = 0.0;  // floor of cosine/linear decay, as a share of lr
};

/// The console level is the CLI's --log-level; log.txt gets every level.
struct LogOptions {
    int64_t every = 1;  // steps between metrics.jsonl rows (the last step always writes one)
};

/// DeepSeek-V3's auxiliary-loss-free balancing (model-spec §3.3) in a post-training stage. Off by
/// default: V3 trained its last 500B pretraining tokens with gamma = 0, so the released bias is the
/// frozen one; and in RL a bias moved outside the gradient changes the policy between the rollout
/// and the update, which the importance ratios do not account for.
struct MoeOptions {
    double bias_update_gamma = 0.0;
};

struct CheckpointOptions {
    int64_t every = 100;  // steps between checkpoints; 0: only at the end and on Ctrl-C
    int64_t keep = 3;     // newest checkpoints kept; older ones are removed
};

void visit(config::Visitor& v, OptimOptions& o);
void visit(config::Visitor& v, LogOptions& o);
void visit(config::Visitor& v, CheckpointOptions& o);
void visit(config::Visitor& v, MoeOptions& o);
void validate(const OptimOptions& o);

// -- checks the fine-tuning stages' validate() share (sft, rm, distill) --------------------------

/// `stage` must be `expected`; `a_config` names it in the error ("an sft config").
void check_stage(const std::string& stage, std::string_view expected, std::string_view a_config);
/// Training rows come from files or a built-in task.
void check_rows_source(bool has_train_files, const std::string& task);
/// Held-out rows come from files or a share of the training rows, not both.
void check_held_out_source(bool has_eval_files, double eval_fraction);
/// micro_batch_size divides batch_size.
void check_micro_batch(int64_t batch_size, int64_t micro_batch_size);

}  // namespace r1::train
