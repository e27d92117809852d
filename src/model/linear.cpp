#include "r1/model/linear.h"

#include "r1/fp8/gemm.h"
#include "r1/fp8/linear_fn.h"
#include "r1/fp8/quantize.h"
#include "r1/kernels/decode_gemm.h"

#include <torch/csrc/autograd/grad_mode.h>
#include <torch/nn/init.h>

#include <cmath>
#include <string>

namespace r1::model {

LinearImpl::LinearImpl(const torch::nn::LinearOptions& options_) : options(options_) {
    reset();
}

void LinearImpl::reset() {
    const int64_t out = options.out_features(), in = options.in_features();
    if (mode_ == LinearMode::fp8) {
        // zeroed storage of the checkpoint's shapes: filled by a loader or by clone()
        weight = register_buffer("weight", torch::zeros({out, in}, at::kFloat8_e4m3fn));
        weight_scale_inv = register_buffer(
            "weight_scale_inv", torch::ones({fp8::num_blocks(out), fp8::num_blocks(in)}));
    } else {
        weight = register_parameter("weight", torch::empty({out, in}));
    }
    // same order of registration and of random draws as torch::nn::Linear, so seeded models and
    // the tests pinned on them do not change
    bias = options.bias() ? register_parameter("bias", torch::empty(out))
                          : register_parameter("bias", {}, /*requires_grad=*/false);
    if (mode_ == LinearMode::fp8) {
        return;
    }
    torch::NoGradGuard no_grad;
    torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    if (bias.defined()) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(in));
        torch::nn::init::uniform_(bias, -bound, bound);
    }
}

at::Tensor LinearImpl::forward(const at::Tensor& x) {
    switch (mode_) {
        case LinearMode::dense:
            // decode: a few rows without grad stream the weight instead of packing it
            return kernels::decode_linear_serves(x, weight, bias)
                       ? kernels::decode_linear(x, weight, bias)
                       : torch::linear(x, weight, bias);
        case LinearMode::fp8_train:
            return fp8::linear_train(x, weight, bias);
        case LinearMode::fp8:
            break;
    }
    at::Tensor y = fp8::linear(x, {.data = weight, .scale = weight_scale_inv});  // float32
    if (bias.defined()) {
        y = y + bias.to(at::kFloat);
    }
    return y.to(x.scalar_type());
}

void LinearImpl::set_mode(LinearMode mode) {
    TORCH_CHECK(mode_ != LinearMode::fp8 || mode == LinearMode::fp8,
                "Linear::set_mode: an fp8 layer has no float weight to go back to; reload it");
    if (mode == LinearMode::fp8 && mode_ != LinearMode::fp8) {
        torch::NoGradGuard no_grad;
        const fp8::Quantized q = fp8::quantize_blocks(weight);
        parameters_.erase("weight");  // the float parameter is replaced by the checkpoint's two
        weight = register_buffer("weight", q.data);
        weight_scale_inv = register_buffer("weight_scale_inv", q.scale);
    }
    mode_ = mode;
}

at::Tensor LinearImpl::dense_weight() const {
    if (mode_ != LinearMode::fp8) {
        return weight;
    }
    return fp8::dequantize_blocks({.data = weight, .scale = weight_scale_inv});
}

void LinearImpl::pretty_print(std::ostream& stream) const {
    const char* mode = mode_ == LinearMode::dense ? ""
                       : mode_ == LinearMode::fp8 ? ", fp8"
                                                  : ", fp8_train";
    stream << "r1::model::Linear(in_features=" << options.in_features()
           << ", out_features=" << options.out_features() << ", bias=" << std::boolalpha
           << options.bias() << mode << ")";
}

int64_t set_linear_mode(torch::nn::Module& module, LinearMode mode) {
    int64_t count = 0;
    for (const auto& child : module.modules(/*include_self=*/true)) {
        if (auto* linear = child->as<LinearImpl>()) {
            linear->set_mode(mode);
            ++count;
        }
    }
    return count;
}

void to_inference_precision(torch::nn::Module& module, Precision precision) {
    switch (precision) {
        case Precision::float32:
            return;
        case Precision::fp8:
            set_linear_mode(module, LinearMode::fp8);
            return;
        case Precision::bf16:
            break;
    }
    torch::NoGradGuard no_grad;
    auto to_bf16 = [](const std::string& name, const at::Tensor& t) {
        // the selection bias stays float32, as DeepSeek's files and transformers keep it
        if (t.is_floating_point() && t.scalar_type() != at::kFloat8_e4m3fn &&
            !name.ends_with("e_score_correction_bias")) {
            t.set_data(t.to(at::kBFloat16));
        }
    };
    for (const auto& p : module.named_parameters()) {
        to_bf16(p.key(), p.value());
    }
    for (const auto& b : module.named_buffers()) {
        to_bf16(b.key(), b.value());
    }
}

bool stackable(const std::vector<const LinearImpl*>& linears) {
    for (const auto* linear : linears) {
        if (linear->mode() != LinearMode::dense || linear->bias.defined() ||
            linear->weight.scalar_type() != linears.front()->weight.scalar_type()) {
            return false;
        }
    }
    return true;
}

}  // namespace r1::model
