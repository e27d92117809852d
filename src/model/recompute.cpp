#include "r1/model/recompute.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

namespace r1::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;
using Fn = std::function<std::vector<at::Tensor>(const at::Tensor&)>;

struct FnHolder : torch::CustomClassHolder {
    explicit FnHolder(Fn f) : fn(std::move(f)) {}

    Fn fn;
};

variable_list defined(std::vector<at::Tensor> outputs, const at::Tensor& like) {
    for (auto& t : outputs) {
        if (!t.defined()) {
            t = torch::zeros({}, like.options());
        }
    }
    return outputs;
}

struct Checkpoint : torch::autograd::Function<Checkpoint> {
    static variable_list forward(AutogradContext* ctx, const at::Tensor& x, c10::IValue holder) {
        ctx->saved_data["fn"] = holder;
        ctx->save_for_backward({x});
        torch::NoGradGuard no_grad;  // no graph, no saved activations
        const auto* fn = static_cast<FnHolder*>(holder.toCapsule().get());
        return defined(fn->fn(x), x);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto x = ctx->get_saved_variables()[0].detach().requires_grad_(true);
        const auto* fn = static_cast<FnHolder*>(ctx->saved_data["fn"].toCapsule().get());
        variable_list outputs;
        {
            torch::AutoGradMode enable(true);
            outputs = defined(fn->fn(x), x);
        }
        variable_list used_outputs, used_grads;
        for (size_t i = 0; i < outputs.size(); ++i) {
            if (grads[i].defined() && outputs[i].requires_grad()) {
                used_outputs.push_back(outputs[i]);
                used_grads.push_back(grads[i]);
            }
        }
        if (!used_outputs.empty()) {
            torch::autograd::backward(used_outputs, used_grads);  // parameters accumulate here
        }
        return {x.grad(), at::Tensor()};
    }
};

}  // namespace

std::vector<at::Tensor> checkpointed(Fn fn, const at::Tensor& x) {
    auto holder = c10::IValue::make_capsule(c10::make_intrusive<FnHolder>(std::move(fn)));
    return Checkpoint::apply(x, holder);
}

}  // namespace r1::model
