// Next-token cross-entropy with a weight per target token, so that a loss normalised over a whole
// optimizer step (TRL's fix for gradient accumulation: trl#2604) is a plain sum over its
// micro-batches. SFT, distillation's NLL term and the evaluation loss use it.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace r1::train {

struct TokenLoss {
    at::Tensor loss;      // Σ weight · CE over the targets (differentiable)
    double nll_sum = 0;   // Σ CE over targets with weight > 0 (for an unweighted mean)
    int64_t correct = 0;  // targets whose logit is the argmax (token accuracy)
    int64_t count = 0;    // targets with weight > 0
};

/// What a step or an evaluation adds up over its micro-batches.
struct LossTally {
    double loss = 0;      // Σ of the micro-batches' weighted losses (the step's loss)
    double nll = 0;       // Σ CE over the trained targets
    int64_t correct = 0;  // of which the argmax was right
    int64_t count = 0;    // trained targets
    int64_t tokens = 0;   // every real token seen (prompts too): throughput

    void add(const TokenLoss& t, int64_t batch_tokens);

    double accuracy() const { return count > 0 ? static_cast<double>(correct) / count : 0.0; }

    double mean_nll() const { return count > 0 ? nll / static_cast<double>(count) : 0.0; }
};

/// logits [b, S, V] predict ids [b, S] shifted by one: the target at position t is ids[:, t],
/// scored from logits[:, t - 1] with weights[:, t] ([b, S], float; 0 leaves it out).
TokenLoss next_token_loss(const at::Tensor& logits,
                          const at::Tensor& ids,
                          const at::Tensor& weights);

}  // namespace r1::train
