#include "support/tensor_dict.h"

#include "r1/util/fs.h"

#include <torch/serialize.h>

#include <gtest/gtest.h>

namespace r1::test {

std::vector<std::pair<std::string, at::Tensor>> load_tensor_dict(const std::string& path) {
    const std::string bytes = util::read_file(path);
    const auto value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    std::vector<std::pair<std::string, at::Tensor>> result;
    for (const auto& entry : value.toGenericDict()) {
        if (entry.value().isTensor()) {  // fixtures may carry strings too (reference versions)
            result.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
        }
    }
    return result;
}

at::Tensor find_tensor(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::string& name) {
    for (const auto& [key, tensor] : tensors) {
        if (key == name) {
            return tensor;
        }
    }
    ADD_FAILURE() << "fixture has no tensor '" << name << "'";
    return {};
}

}  // namespace r1::test
