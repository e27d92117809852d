#include "r1/model/mlp.h"

namespace r1::model {

MlpImpl::MlpImpl(MlpOptions options_) : options(options_) {
    reset();
}

void MlpImpl::reset() {
    const auto D = options.hidden_size;
    const auto F = options.intermediate_size;
    using torch::nn::LinearOptions;
    gate_proj =
        register_module("gate_proj", Linear(LinearOptions(D, F).bias(options.bias)));
    up_proj = register_module("up_proj", Linear(LinearOptions(D, F).bias(options.bias)));
    down_proj =
        register_module("down_proj", Linear(LinearOptions(F, D).bias(options.bias)));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) {
    // x: [..., D] -> [..., F] -> [..., D]
    return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
}

}  // namespace r1::model
