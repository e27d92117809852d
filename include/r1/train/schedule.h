// Learning rate at each optimizer step: linear warmup from 0, then constant, cosine or linear decay
// to min_lr_ratio * lr at the last step (the shapes of transformers' get_*_schedule_with_warmup).
#pragma once

#include "r1/train/options.h"

#include <cstdint>

namespace r1::train {

/// lr for 0-based optimizer `step` of `total_steps`.
double learning_rate(const OptimOptions& optim, int64_t step, int64_t total_steps);

}  // namespace r1::train
