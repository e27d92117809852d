// Everything a resumed run needs, in one checkpoint directory: the weights (model.safetensors),
// the optimizer's moments (optimizer.pt) and state.json (step, data cursor, stage counters). The
// rollout and shuffling streams derive from (seed, step), so no RNG state needs saving beyond it.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <nlohmann/json.hpp>

#include <filesystem>

namespace r1::train {

/// Writes the three files into `dir` (a directory the Checkpointer hands out).
void save_train_state(const std::filesystem::path& dir,
                      const torch::nn::Module& model,
                      torch::optim::Optimizer& optimizer,
                      const nlohmann::json& state);

/// Restores model and optimizer from `dir`; returns state.json. FormatError naming the file when
/// something does not match the model.
nlohmann::json load_train_state(const std::filesystem::path& dir,
                                torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer);

}  // namespace r1::train
