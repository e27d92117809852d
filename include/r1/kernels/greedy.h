// Greedy picks on the host. A greedy step needs each row's argmax and its log-probability
// under the row's softmax; as tensor ops that is argmax, log_softmax (a [B, V] output) and gather,
// three passes over the logits and an 8 MB tensor per step at batch 64 and 32k tokens. Here it is
// two passes over each row and no [B, V] output. Float32 on the CPU.
#pragma once

#include <ATen/core/Tensor.h>

namespace r1::kernels {

struct GreedyPick {
    at::Tensor tokens;  // [B] int64: the first maximum of each row, as at::argmax picks
    at::Tensor logp;    // [B] float32: log_softmax(row)[token]
};

/// Whether greedy_pick() takes these logits: float32 CPU [B, V], contiguous, V ≥ 1.
bool greedy_pick_serves(const at::Tensor& logits);

/// argmax(logits, -1) and log_softmax(logits, -1) at it. A row holding NaN picks its first NaN
/// (at::argmax's choice) with a NaN log-probability.
GreedyPick greedy_pick(const at::Tensor& logits);

}  // namespace r1::kernels
