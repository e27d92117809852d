// The moves between tokens and the routed experts' slots (a token's K choices, sorted by
// expert) for the training path. ATen's index_select and index_add are slow on the CPU for these
// row moves; here both directions are row copies and sums, parallel over rows, and a
// token's K slots are added in ascending expert order (as the sorted path's index_add adds them
// and decode_experts does), with no scatter.
#pragma once

#include <ATen/core/Tensor.h>

namespace r1::kernels {

/// The slots of N tokens × K choices once sorted by expert.
struct TokenSlots {
    at::Tensor token;  // [N·K] int64: the token of each sorted slot
    at::Tensor slots;  // [N, K] int64: where each token's slots sit, ascending
};

/// From order [N·K] (the flat choice n·K + k at each sorted position, a permutation).
TokenSlots token_slots(const at::Tensor& order, int64_t K);

/// x [N, H] -> [N·K, H], row s = x[token[s]]; its gradient sums each token's slots.
at::Tensor gather_slots(const at::Tensor& x, const TokenSlots& slots);

/// ys [N·K, H] -> [N, H], row n = Σ_k ys[slots[n, k]]; its gradient copies each token's gradient
/// to its slots.
at::Tensor combine_slots(const at::Tensor& ys, const TokenSlots& slots);

}  // namespace r1::kernels
