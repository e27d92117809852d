// Activation checkpointing: run a function without keeping its activations and recompute it in
// backward (PyTorch's reentrant torch.utils.checkpoint): memory of one layer input instead of all
// its intermediates, for one extra forward.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <vector>

namespace r1::model {

/// fn(x) -> outputs (every output a function of x and of parameters). The returned tensors carry a
/// gradient to x; backward re-runs fn under grad mode and accumulates the parameters' gradients.
/// fn must be deterministic and must capture by value what it needs (it runs again in backward).
/// Undefined outputs come back as zero scalars.
std::vector<at::Tensor> checkpointed(std::function<std::vector<at::Tensor>(const at::Tensor&)> fn,
                                     const at::Tensor& x);

}  // namespace r1::model
