// Private to model/: the Hugging Face directory I/O that hf.cpp (causal LMs) and hf_classifier.cpp
// (reward models) share: checkpoint keys into a module, the config.json carried over from a source,
// and the atomic write of weights, config and tokenizer files.
#pragma once

#include "r1/model/hf.h"
#include "r1/model/options.h"
#include "r1/model/state.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace r1::model {

/// Which checkpoint keys a load leaves aside and which module tensors the file may lack.
struct KeySelection {
    std::function<bool(const std::string&)> skip;  // file keys not loaded (empty: none)
    std::set<std::string> optional;                // module tensors kept as initialised if absent
};

/// Reads `dir`'s safetensors into `module` by name (options: the module's model options, for
/// DeepSeek's MTP copies and stacked experts); names and shapes are checked before data moves.
void load_checkpoint(torch::nn::Module& module,
                     const ModelOptions& options,
                     const std::filesystem::path& dir,
                     const KeySelection& keys = {});

/// config.json: the source's keys r1 does not model, then r1's own (to_config_json), and dtype.
nlohmann::json pretrained_config(const ModelOptions& model_options,
                                 const std::optional<std::filesystem::path>& source,
                                 at::ScalarType dtype);

/// transformers models no MTP module: a DeepseekV3 directory it saved keeps
/// num_nextn_predict_layers in config.json but has no model.layers.{L}.* tensors. Such a model
/// loads with MTP off; an MTP layer that is there only in part stays a missing-tensor error.
ModelOptions without_absent_mtp(ModelOptions options, const std::filesystem::path& dir);

/// A tensor as save options store it (dtype converted, e_score_correction_bias and FP8 kept).
at::Tensor stored_tensor(const std::string& name, const at::Tensor& t, const SaveOptions& options);

/// Writes safetensors (sharded past options.max_shard_size), config.json and the source's
/// tokenizer files to `dir` atomically.
void write_pretrained(const std::filesystem::path& dir,
                      const NamedTensors& tensors,
                      const nlohmann::json& config,
                      const SaveOptions& options);

}  // namespace r1::model
