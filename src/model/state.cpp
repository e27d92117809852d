#include "r1/model/state.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <map>
#include <set>

namespace r1::model {

NamedTensors named_tensors(const torch::nn::Module& module) {
    NamedTensors result;
    for (const auto& p : module.named_parameters()) {
        result.emplace_back(p.key(), p.value());
    }
    for (const auto& b : module.named_buffers()) {
        result.emplace_back(b.key(), b.value());
    }
    return result;
}

void load_named_tensors(torch::nn::Module& module,
                        const NamedTensors& tensors,
                        const std::string& source) {
    std::map<std::string, at::Tensor> targets;
    for (auto& [name, tensor] : named_tensors(module)) {
        targets.emplace(name, tensor);
    }
    std::set<std::string> given;
    std::vector<std::string> unexpected;
    for (const auto& [name, tensor] : tensors) {
        given.insert(name);
        if (!targets.contains(name)) {
            unexpected.push_back(name);
        }
    }
    std::vector<std::string> missing;
    for (const auto& [name, tensor] : targets) {
        if (!given.contains(name)) {
            missing.push_back(name);
        }
    }
    if (!missing.empty() || !unexpected.empty()) {
        throw util::FormatError(
            util::str(missing.size(), " tensors missing: [", util::join(missing, ", "), "]; ",
                      unexpected.size(), " unexpected: [", util::join(unexpected, ", "), "]"),
            {source});
    }
    torch::NoGradGuard no_grad;
    for (const auto& [name, tensor] : tensors) {
        auto& target = targets.at(name);
        if (target.sizes() != tensor.sizes()) {
            throw util::FormatError(util::str("tensor '", name, "': shape ", tensor.sizes(),
                                              " but the model expects ", target.sizes()),
                                    {source});
        }
        target.copy_(tensor);  // converts dtype and device
    }
}

}  // namespace r1::model
