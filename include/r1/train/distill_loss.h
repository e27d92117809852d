// Logit distillation losses (stages-spec §4): the generalised Jensen-Shannon divergence of GKD
// between student and teacher next-token distributions, equal to TRL's generalized_jsd_loss, and a
// variant for a teacher known only by its top-k log-probabilities. B rows, T positions, V tokens.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <optional>
#include <utility>

namespace r1::train {

/// How the per-element divergences are reduced, as TRL's `reduction` argument.
enum class DistillReduction {
    batchmean,  // sum / kept positions with a mask, sum / B without one (TRL's two rules)
    sum,        // sum over positions and vocabulary
    mean,       // sum / (kept positions * V): the mean over every vocabulary entry
    none,       // the per-element terms: [B, T, V], or [N, V] for the N kept positions of a mask
};

constexpr auto enum_names(DistillReduction) {
    return std::array{std::pair{DistillReduction::batchmean, "batchmean"},
                      std::pair{DistillReduction::sum, "sum"},
                      std::pair{DistillReduction::mean, "mean"},
                      std::pair{DistillReduction::none, "none"}};
}

/// beta follows TRL's GKDTrainer: with student S and teacher P (both at `temperature`),
///   beta == 0: KL(P || S), forward KL (mode-covering; TRL's special case);
///   beta == 1: KL(S || P), reverse KL (mode-seeking; TRL's special case);
///   otherwise: beta * KL(P || M) + (1 - beta) * KL(S || M), M = beta * P + (1 - beta) * S.
/// The mixed form tends to 0, not to a KL, as beta approaches 0 or 1: the end points are switches.
struct DistillLossOptions {
    double beta = 0.5;         // in [0, 1]; TRL's default (GKDConfig.beta)
    double temperature = 1.0;  // > 0; divides the logits before the softmax; no T^2 factor (TRL)
    DistillReduction reduction = DistillReduction::batchmean;
    /// When set: sum / num_items_in_batch, whatever the reduction (TRL's gradient-accumulation
    /// normaliser: the kept positions of the whole accumulated batch, so micro-batches add up).
    std::optional<double> num_items_in_batch;
};

struct DistillLossInput {
    at::Tensor student_logits;  // [B, T, V] carries the gradient
    at::Tensor teacher_logits;  // [B, T, V] a constant (detached), as TRL's teacher under no_grad
    at::Tensor mask;            // [B, T] bool or 0/1, nonzero = in the loss; undefined: all
};

/// A teacher stored as its k most likely tokens per position (offline or served log-probs).
struct TopkDistillLossInput {
    at::Tensor student_logits;   // [B, T, V] carries the gradient
    at::Tensor teacher_logp;     // [B, T, k] top-k of log_softmax(teacher_logits / temperature)
    at::Tensor teacher_indices;  // [B, T, k] int64 vocabulary ids, distinct within a position
    at::Tensor mask;             // [B, T] as DistillLossInput::mask
};

/// TRL's labels convention: positions labelled -100 are left out. labels [B, T] -> bool [B, T].
at::Tensor label_mask(const at::Tensor& labels, int64_t ignore_index = -100);

/// The per-element terms of the divergence between two log-distributions over the last dim, in
/// TRL's form (F.kl_div with log_target): summing over the last dim gives the divergence.
/// student_logp, teacher_logp [..., C] -> [..., C].
at::Tensor generalized_jsd(const at::Tensor& student_logp,
                           const at::Tensor& teacher_logp,
                           double beta);

/// GKD's loss on full teacher logits; equals TRL's GKDTrainer.generalized_jsd_loss
/// (trl.experimental.gkd) with labels = the mask. Scalar unless reduction is none.
at::Tensor distill_loss(const DistillLossInput& in, const DistillLossOptions& options);

/// The same divergence with the teacher known on k tokens only. The teacher's remaining mass
/// (1 - sum of its k probabilities, known since its log-probs are normalised over V) and the
/// student's mass outside those k tokens each form one more outcome, so both are distributions over
/// k + 1 outcomes: the loss is finite for every beta (reverse KL included), still penalises the
/// student for mass the teacher does not give to its tail, never exceeds the full loss (data
/// processing) and equals it when k = V. Temperature divides the student's logits only: the teacher
/// log-probs must come tempered. reduction none gives [B, T, k + 1] or [N, k + 1], the tail last;
/// mean divides by kept positions * V, as the full loss does.
/// Why not renormalise both over the k tokens: the student's mass outside them would go
/// unpunished. Why not sum over the k tokens alone (verl's top-k losses): such sums are no
/// divergences; they can go negative and are not least at S = P.
at::Tensor topk_distill_loss(const TopkDistillLossInput& in, const DistillLossOptions& options);

}  // namespace r1::train
