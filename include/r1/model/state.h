// Loading a module's parameters and buffers from named tensors (a state dict, a safetensors file):
// every key must be a named parameter/buffer and vice versa; shapes must match; dtypes convert.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

namespace r1::model {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// Copies `tensors` into `module`'s parameters and buffers by name. Throws util::FormatError naming
/// `source` and listing both the missing and the unexpected keys, or the tensor whose shape
/// differs.
void load_named_tensors(torch::nn::Module& module,
                        const NamedTensors& tensors,
                        const std::string& source);

/// The module's parameters and buffers by name (what a checkpoint of it holds).
NamedTensors named_tensors(const torch::nn::Module& module);

}  // namespace r1::model
