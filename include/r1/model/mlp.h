// Mlp: SwiGLU feed-forward down(silu(gate(x)) ⊙ up(x)); used dense, as the shared experts and as
// one routed expert (model-spec §3.1).
#pragma once

#include "r1/model/linear.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/options/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace r1::model {

struct MlpOptions {
    int64_t hidden_size = 0;        // D
    int64_t intermediate_size = 0;  // F
    bool bias = false;              // Llama's mlp_bias
};

class MlpImpl : public torch::nn::Cloneable<MlpImpl> {
  public:
    explicit MlpImpl(MlpOptions options);
    void reset() override;                    // registers gate_proj, up_proj, down_proj
    at::Tensor forward(const at::Tensor& x);  // [..., D] -> [..., D]
    /// Whether forward() runs gate_proj and up_proj as one GEMM (with grad, dense, bias-free).
    bool fuse_gate_up() const;

    MlpOptions options;
    Linear gate_proj{nullptr};  // names = HF checkpoint keys
    Linear up_proj{nullptr};
    Linear down_proj{nullptr};
};

TORCH_MODULE(Mlp);

}  // namespace r1::model
