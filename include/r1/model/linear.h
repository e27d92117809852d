// Linear: y = x·Wᵀ + b for every projection DeepSeek quantises (attention, dense MLP, experts),
// with the weight in one of three modes (model-spec §5, docs/fp8.md):
//   dense      a float parameter and torch::linear (torch::nn::Linear's parameters and init);
//   fp8_train  the same float32 master parameter, but Fprop, Dgrad and Wgrad run on E4M3 operands
//              (fp8/linear_fn.h): FP8 training;
//   fp8        the checkpoint's own tensors: `weight` E4M3 bytes [out, in] and `weight_scale_inv`
//              [ceil(out/128), ceil(in/128)] as buffers; forward = act_quant + fp8::gemm
//              (inference).
// In fp8 mode named_tensors() are exactly a DeepSeek FP8 checkpoint's keys, so loading copies
// bytes.
#pragma once

#include "r1/model/precision.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/module.h>
#include <torch/nn/options/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <ostream>
#include <vector>

namespace r1::model {

enum class LinearMode {
    dense,      ///< float weight parameter
    fp8_train,  ///< float32 master weight, the three GEMMs on FP8-quantised operands
    fp8,        ///< E4M3 weight + 128x128 weight_scale_inv buffers (no gradient)
};

class LinearImpl : public torch::nn::Cloneable<LinearImpl> {
  public:
    explicit LinearImpl(const torch::nn::LinearOptions& options);
    /// Registers weight (a parameter, or in fp8 mode an E4M3 buffer plus weight_scale_inv) and
    /// bias (a parameter, undefined without bias), initialised as torch::nn::Linear does.
    void reset() override;
    at::Tensor forward(const at::Tensor& x);  // [..., in] -> [..., out], x's dtype
    void pretty_print(std::ostream& stream) const override;

    LinearMode mode() const { return mode_; }

    /// Switches in place. dense/fp8_train → fp8 quantises the weight per 128x128 block (amax/448)
    /// and replaces the parameter by the two buffers; dense ↔ fp8_train keeps the parameter.
    /// fp8 → another mode throws: the float weight is gone (reload the model instead).
    void set_mode(LinearMode mode);
    /// The weight as float32 [out, in] (dequantised in fp8 mode), for MLA's absorbed decode.
    at::Tensor dense_weight() const;

    torch::nn::LinearOptions options;
    at::Tensor weight;            // [out, in]: float parameter, or float8_e4m3fn buffer (fp8)
    at::Tensor weight_scale_inv;  // [ceil(out/128), ceil(in/128)] float32, fp8 mode only
    at::Tensor bias;              // [out] or undefined

  private:
    LinearMode mode_ = LinearMode::dense;
};

TORCH_MODULE(Linear);

/// Puts every model::Linear under `module` in `mode` (Linear::set_mode). -> how many there were.
/// In DeepSeek models these are every attention projection, the dense MLPs and the shared and
/// routed experts (MTP layers' included); embed_tokens, norms, the router gate, lm_head and MTP's
/// eh_proj are other modules and stay in float, as in DeepSeek's FP8 files (model-spec §5.3).
int64_t set_linear_mode(torch::nn::Module& module, LinearMode mode);

/// An inference model (float32, as load_pretrained builds it) in `precision`, in place: fp8
/// quantises the projections per 128x128 block; bf16 casts every floating tensor but
/// e_score_correction_bias (kept float32 as in DeepSeek's files) to bfloat16.
void to_inference_precision(torch::nn::Module& module, Precision precision);

/// Whether these linears can run as one GEMM over their stacked weights: all dense (no FP8
/// mode), bias-free, with weights of one dtype.
bool stackable(const std::vector<const LinearImpl*>& linears);

}  // namespace r1::model
