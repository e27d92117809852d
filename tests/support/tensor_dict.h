// Reads the parity fixtures that the Python references write with torch.save: a {name: tensor}
// dict, in file order, through torch::pickle_load.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace r1::test {

std::vector<std::pair<std::string, at::Tensor>> load_tensor_dict(const std::string& path);

/// The tensor called `name` in such a list; a test failure (and an empty tensor) if absent.
at::Tensor find_tensor(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::string& name);

}  // namespace r1::test
