#include "r1/train/optimizer.h"

#include <torch/nn/utils/clip_grad.h>

namespace r1::train {

std::unique_ptr<torch::optim::AdamW> make_adamw(std::vector<at::Tensor> parameters,
                                                const OptimOptions& options) {
    auto adamw = torch::optim::AdamWOptions(options.lr)
                     .betas({options.betas.at(0), options.betas.at(1)})
                     .eps(options.eps)
                     .weight_decay(options.weight_decay);
    return std::make_unique<torch::optim::AdamW>(std::move(parameters), adamw);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
    for (auto& group : optimizer.param_groups()) {
        group.options().set_lr(lr);
    }
}

double clip_gradients(const std::vector<at::Tensor>& parameters, double max_norm) {
    if (max_norm > 0) {
        return torch::nn::utils::clip_grad_norm_(parameters, max_norm);
    }
    // the norm alone, for metrics
    return torch::nn::utils::clip_grad_norm_(parameters, std::numeric_limits<double>::infinity());
}

}  // namespace r1::train
