// DeepSeekMoE (model-spec §3): the Gate (sigmoid affinities, bias used for selection only,
// group-limited top-k, norm_topk_prob, routed_scaling_factor) and Moe (shared + routed experts).
// The routed experts' sum runs on r1's kernels where they serve it (kernels/moe.h), else as
// DeepSeek's loop over the experts, each on the tokens routed to it.
#pragma once

#include "r1/kernels/moe.h"
#include "r1/model/mlp.h"
#include "r1/model/options.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace r1::model {

/// The routing of N tokens.
struct Routing {
    at::Tensor scores;   // [N, E] float32 affinities s (unbiased)
    at::Tensor indices;  // [N, K] int64 selected experts
    at::Tensor weights;  // [N, K] float32 gating weights (from s, normalised, scaled)
};

/// Group-limited top-k over selection scores c [N, E]: view as [N, G, E/G], score a group by the
/// sum of its top-2, keep the TG best groups, mask the rest with -inf (DeepSeek's reference and
/// current HF; HF 4.x used 0.0, model-spec §8.3), take the top K. -> [N, K] int64 (unordered).
at::Tensor group_limited_topk(const at::Tensor& choice,
                              int64_t n_group,
                              int64_t topk_group,
                              int64_t k);

class GateImpl : public torch::nn::Cloneable<GateImpl> {
  public:
    explicit GateImpl(const ModelOptions& options);
    void reset() override;  // registers weight [E, H], buffer e_score_correction_bias [E]
    Routing forward(const at::Tensor& x);  // x [N, H] -> routing of the N tokens

    ModelOptions options;
    at::Tensor weight;                   // float32 always (HF keeps the router in fp32)
    at::Tensor e_score_correction_bias;  // float32, no gradient; moved by update_expert_bias()
};

TORCH_MODULE(Gate);

struct MoeOutput {
    at::Tensor hidden;    // [B, S, H]
    at::Tensor aux_loss;  // scalar sequence-wise balance loss, or undefined (alpha 0 / eval)
};

class MoeImpl : public torch::nn::Cloneable<MoeImpl> {
  public:
    explicit MoeImpl(const ModelOptions& options);
    /// Registers gate, experts.{0..E-1} (each an Mlp of width mI) and shared_experts (width
    /// n_shared_experts·mI) when n_shared_experts > 0.
    void reset() override;
    /// A deep copy whose experts are packed again when this one's are (Cloneable's copy gives
    /// each expert weight storage of its own): the GRPO reference policy, a clone, then runs the
    /// same kernels as the policy, with the same bits.
    std::shared_ptr<torch::nn::Module> clone(
        const std::optional<torch::Device>& device = std::nullopt) const override;
    MoeOutput forward(const at::Tensor& x);  // x [B, S, H]
    /// Σ_k w[n,k]·Expert_{idx[n,k]}(x_n): kernels::routed_experts() on the stacked expert
    /// weights when it serves x, else routed_loop(). Adds the routing to expert_load().
    /// x [N, H] -> [N, H]
    at::Tensor routed(const at::Tensor& x, const Routing& routing);

    /// Tokens routed to each expert since the last reset_expert_load(): [E] int64 (for logging
    /// and the bias update).
    const at::Tensor& expert_load() const { return load_; }

    void reset_expert_load();

    void restore_expert_load(const at::Tensor& load) { load_ = load; }

    /// Adds a routing's per-expert token counts to expert_load() (routed() calls it). -> counts [E]
    at::Tensor record_load(const Routing& routing);

    ModelOptions options;
    double balance_loss_alpha = 0.0;  // sequence-wise balance loss weight (training only)
    Gate gate{nullptr};
    torch::nn::ModuleList experts{nullptr};
    Mlp shared_experts{nullptr};

    /// The experts' weights as [E, 2I, H] (gate rows, then up rows) and [E, H, I], differentiable
    /// into each expert's parameters: the packed buffers themselves while packed(), else copies.
    std::pair<at::Tensor, at::Tensor> stacked_expert_weights() const;
    /// Moves the experts' weights into two contiguous buffers in stacked layout (reset() does,
    /// so a fresh or loaded-in-place model trains without stacking copies).
    void pack_experts();
    /// Whether every expert weight still lives in the packed buffers (a dtype or device change,
    /// an FP8 mode or a clone replaces them: stacked_expert_weights() then copies).
    bool packed() const;

  private:
    /// The stacked expert weights for the kernels: the packed buffers without grad (nullopt
    /// unless packed in x's dtype with dense experts: nothing is copied for inference),
    /// stacked_expert_weights() with grad when groupable(x).
    std::optional<kernels::ExpertWeights> kernel_weights(const at::Tensor& x) const;
    /// DeepSeek's loop over the experts (model.py's MoE.forward): each active expert on its
    /// tokens, sorted by expert; without grad and with E ≤ 2K, each expert on every token times
    /// its zero-or-routed weight (no sort, no host sync). counts: tokens per expert [E].
    at::Tensor routed_loop(const at::Tensor& x, const Routing& routing, const at::Tensor& counts);
    /// Whether the experts can stack for x: dense bias-free experts in x's dtype, which
    /// at::_grouped_mm supports too (not float64, whose tests take the loop).
    bool groupable(const at::Tensor& x) const;
    /// Whether every expert linear is dense and bias-free, in one dtype (model::stackable).
    bool dense_experts() const;
    at::Tensor packed_gate_up_;  // [E, 2I, H]
    at::Tensor packed_down_;     // [E, H, I]
    at::Tensor load_;  // [E] int64, replaced (never modified in place) so clones do not share it
};

TORCH_MODULE(Moe);

}  // namespace r1::model
