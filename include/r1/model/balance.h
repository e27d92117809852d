// Expert load balancing (model-spec §3.3-3.4): the auxiliary-loss-free bias update and the
// complementary sequence-wise balance loss, plus load statistics for logging.
#pragma once

#include "r1/model/moe.h"

#include <ATen/core/Tensor.h>

namespace r1::model {

/// L_bal = alpha · mean over sequences of Σ_i f_i · P_i with f_i = E/(K·T)·#{t: i ∈ TopK_t} (no
/// gradient, the routing actually taken) and P_i = mean_t s_{i,t}/Σ_j s_{j,t}.
/// scores [B, T, E], indices [B, T, K] -> scalar
at::Tensor sequence_balance_loss(const at::Tensor& scores, const at::Tensor& indices, double alpha);

/// The bias step for one layer: gamma · sign(mean_j load_j − load_i). load [E] -> [E] float32
at::Tensor expert_bias_step(const at::Tensor& load, double gamma);

/// Applies expert_bias_step() to the layer's gate bias with its accumulated load, then resets the
/// load. Call after each optimizer step (the load being the step's whole batch).
void update_expert_bias(MoeImpl& moe, double gamma);

/// max_i load_i / mean_j load_j (1 = perfectly even); 0 when no token was routed.
double max_over_mean_load(const at::Tensor& load);

}  // namespace r1::model
