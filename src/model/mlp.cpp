#include "r1/model/mlp.h"

#include "r1/kernels/fused.h"

namespace r1::model {

MlpImpl::MlpImpl(MlpOptions options_) : options(options_) {
    reset();
}

void MlpImpl::reset() {
    const auto D = options.hidden_size;
    const auto F = options.intermediate_size;
    using torch::nn::LinearOptions;
    gate_proj = register_module("gate_proj", Linear(LinearOptions(D, F).bias(options.bias)));
    up_proj = register_module("up_proj", Linear(LinearOptions(D, F).bias(options.bias)));
    down_proj = register_module("down_proj", Linear(LinearOptions(F, D).bias(options.bias)));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) {
    // x: [..., D] -> [..., F] -> [..., D]
    if (fuse_gate_up()) {
        // Training: one GEMM over the stacked [gate; up] weights (a copy autograd routes back)
        // and a packed SwiGLU whose gradient needs no zero-filled halves.
        const auto gate_up = torch::linear(x, at::cat({gate_proj->weight, up_proj->weight}));
        return down_proj(kernels::fused_swiglu_packed(gate_up));
    }
    const auto gate = gate_proj(x), up = up_proj(x);
    if (kernels::fusable(gate)) {
        return down_proj(kernels::fused_swiglu(gate, up));  // one kernel each way (fused.h)
    }
    return down_proj(torch::silu(gate) * up);
}

bool MlpImpl::fuse_gate_up() const {
    // without grad the weight copy would cost every decode step
    return torch::GradMode::is_enabled() && stackable({&*gate_proj, &*up_proj});
}

}  // namespace r1::model
