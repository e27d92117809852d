// Helpers of the model tests: tiny configs, the Python-made parity fixtures (torch.save dicts read
// with torch::pickle_load) and a float64 finite-difference gradient check.
#pragma once

#include "r1/model/options.h"
#include "r1/model/state.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <functional>
#include <string>
#include <vector>

#include "support/tensor_dict.h"

namespace r1::test {

/// Spec §1.4's tiny DeepSeek-V3 (shrunk: H 32, E 8, G 4, TG 2, K 2), patched with `overrides` JSON.
model::ModelOptions tiny_deepseek(const std::string& overrides = "{}");
/// A tiny Qwen2 (H 32, 4 heads, 2 KV heads), patched with `overrides` JSON.
model::ModelOptions tiny_qwen2(const std::string& overrides = "{}");

/// reference/<name> in the build tree: the output of the r1_add_fixture(<name> ...) script.
std::string reference_dir(const std::string& name);

/// tests/fixtures/model/<name> in the build tree (made by tests/reference/make_model_fixtures.py).
std::string fixture_dir(const std::string& name);

/// Logits at the valid (attention_mask 1) positions agree within 1e-4 relative to the logits'
/// scale; prints the largest difference.
void expect_logits_match(const at::Tensor& actual,
                         const at::Tensor& expected,
                         const at::Tensor& valid);

/// Compares the directional derivative of the scalar `loss()` along random directions of `leaves`
/// (inputs and parameters, float64) with central finite differences; returns the worst relative
/// error.
double gradient_error(const std::function<at::Tensor()>& loss,
                      const std::vector<at::Tensor>& leaves);

/// All parameters of `module` (float64 after module.to(kFloat64)).
std::vector<at::Tensor> parameters_of(const torch::nn::Module& module);

}  // namespace r1::test
