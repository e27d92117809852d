// InferenceScope: what the engine and speculative decoding need around a generation call.
#pragma once

#include "r1/model/causal_lm.h"
#include "r1/model/moe.h"

#include <c10/core/InferenceMode.h>

#include <utility>
#include <vector>

namespace r1::generation {

// Eval mode and inference mode (no grad, and no autograd or version-counter bookkeeping on any
// op: a decode step dispatches hundreds of small ops) for the scope. Tensors made inside are
// inference tensors, so nothing made here may outlive the scope in a module. Restores every
// module's own training flag (pre-order, so a child's flag wins over its parent's recursive
// train()) and the MoE expert loads: rollout tokens must not count in the trainer's load statistics
// or bias update.
class InferenceScope {
  public:
    explicit InferenceScope(model::CausalLm& model) : model_(model) {
        for (const auto& module : model_->modules()) {
            training_.push_back(module->is_training());
        }
        for (auto& moe : model_->model->moe_layers()) {
            loads_.emplace_back(moe, moe->expert_load());
        }
        model_->eval();
    }

    InferenceScope(const InferenceScope&) = delete;
    InferenceScope& operator=(const InferenceScope&) = delete;

    ~InferenceScope() {
        const auto modules = model_->modules();
        for (size_t i = 0; i < modules.size() && i < training_.size(); ++i) {
            modules[i]->train(training_[i]);
        }
        for (auto& [moe, load] : loads_) {
            moe->restore_expert_load(load);
        }
    }

  private:
    c10::InferenceMode inference_;
    model::CausalLm& model_;
    std::vector<bool> training_;
    std::vector<std::pair<model::Moe, at::Tensor>> loads_;
};

}  // namespace r1::generation
