// What every stage's optimizer step uses: AdamW from OptimOptions, setting the learning rate (the
// schedule is train/schedule.h), global-norm gradient clipping (the norm before clipping is what
// metrics log).
#pragma once

#include "r1/train/options.h"

#include <ATen/core/Tensor.h>
#include <torch/optim/adamw.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace r1::train {

std::unique_ptr<torch::optim::AdamW> make_adamw(std::vector<at::Tensor> parameters,
                                                const OptimOptions& options);

/// Sets the lr of every parameter group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

/// Clips the parameters' gradients to `max_norm` (0: no clipping); returns their global L2 norm
/// before clipping.
double clip_gradients(const std::vector<at::Tensor>& parameters, double max_norm);

}  // namespace r1::train
