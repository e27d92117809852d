// Options every training stage shares: optimizer and schedule, logging cadence, checkpoints.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "r1/config/visitor.h"
#include "r1/util/log.h"

namespace r1::train {

enum class Schedule { constant, cosine, linear };

constexpr auto enum_names(Schedule) {
    return std::array{std::pair{Schedule::constant, "constant"}, std::pair{Schedule::cosine, "cosine"},
                      std::pair{Schedule::linear, "linear"}};
}

struct OptimOptions {
    double lr = 1e-6;
    std::vector<double> betas = {0.9, 0.99};  // AdamW (beta1, beta2)
    double eps = 1e-8;
    double weight_decay = 0.0;
    double max_grad_norm = 1.0;  // 0: no clipping
    Schedule schedule = Schedule::constant;
    int64_t warmup_steps = 0;
    double min_lr_ratio = 0.0;   // floor of cosine/linear decay, as a share of lr
};

struct LogOptions {
    log::Level level = log::Level::info;   // console level
    int64_t every = 1;                     // steps between metrics lines
    int64_t completions_every = 10;        // steps between completions.jsonl dumps
    int64_t num_completions_to_print = 2;  // shown on the console at each dump
    int64_t eval_every = 50;               // steps between in-run evaluations; 0: never
    int64_t eval_samples = 4;              // samples per eval prompt
};

struct CheckpointOptions {
    int64_t every = 100;  // steps between checkpoints; 0: only at the end and on Ctrl-C
    int64_t keep = 3;     // newest checkpoints kept; older ones are removed
};

void visit(config::Visitor& v, OptimOptions& o);
void visit(config::Visitor& v, LogOptions& o);
void visit(config::Visitor& v, CheckpointOptions& o);
void validate(const OptimOptions& o);

}  // namespace r1::train
