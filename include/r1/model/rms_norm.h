// RmsNorm: w ⊙ x · rsqrt(mean(x²) + eps) with Hugging Face's numerics (model-spec §0): normalise in
// float32, cast back to the input dtype, then multiply by the weight.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace r1::model {

struct RmsNormOptions {
    int64_t dim = 0;  // D
    double eps = 1e-6;
};

class RmsNormImpl : public torch::nn::Cloneable<RmsNormImpl> {
  public:
    explicit RmsNormImpl(RmsNormOptions options);
    void reset() override;                    // registers weight [D] (ones)
    at::Tensor forward(const at::Tensor& x);  // [..., D] -> [..., D]
    void pretty_print(std::ostream& out) const override;

    RmsNormOptions options;
    at::Tensor weight;
};

TORCH_MODULE(RmsNorm);

}  // namespace r1::model
