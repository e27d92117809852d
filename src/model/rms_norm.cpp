#include "r1/model/rms_norm.h"

#include "r1/kernels/fused.h"

namespace r1::model {

RmsNormImpl::RmsNormImpl(RmsNormOptions options_) : options(options_) {
    reset();
}

void RmsNormImpl::reset() {
    weight = register_parameter("weight", torch::ones({options.dim}));
}

at::Tensor RmsNormImpl::forward(const at::Tensor& x) {
    // x: [..., D]; statistics in float32 for bf16/fp16 activations (HF DeepseekV3RMSNorm); float64
    // stays float64 (HF would downcast it, which only blurs gradient checks).
    // (The casts are skipped when they would not change the dtype: two dispatches per norm, four
    // norms per layer, at every decode step.)
    if (kernels::fusable(x) && weight.scalar_type() == x.scalar_type()) {
        return kernels::fused_rms_norm(x, weight, options.eps);  // one kernel each way (fused.h)
    }
    const auto compute = c10::promoteTypes(x.scalar_type(), torch::kFloat32);
    const auto x32 = x.scalar_type() == compute ? x : x.to(compute);
    const auto variance = x32.pow(2).mean(-1, /*keepdim=*/true);  // [..., 1]
    const auto normed32 = x32 * torch::rsqrt(variance + options.eps);
    const auto normed = compute == x.scalar_type() ? normed32 : normed32.to(x.scalar_type());
    return weight * normed;  // [..., D]
}

void RmsNormImpl::pretty_print(std::ostream& out) const {
    out << "r1::model::RmsNorm(" << options.dim << ", eps=" << options.eps << ")";
}

}  // namespace r1::model
