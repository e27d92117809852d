// What a decode step cannot beat: at batch 1 every weight a token touches is read once, and the
// 32000-row head alone is larger than the last-level cache, so the weights stream from DRAM. The
// benches divide the bytes a token touches by the machine's measured read bandwidth.
#pragma once

#include "r1/model/options.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>

/// Weights a token's forward multiplies with (the embedding row aside): the head, attention and,
/// per layer, the dense MLP or the router plus the routed top-k and the shared experts.
inline double active_weights_per_token(const r1::model::ModelOptions& o) {
    const double H = o.hidden_size, nh = o.num_attention_heads, dq = o.qk_head_dim();
    const double dv = o.v_head_dim, rkv = o.kv_lora_rank, dr = o.qk_rope_head_dim;
    const double q = o.q_lora_rank ? H * *o.q_lora_rank + *o.q_lora_rank * nh * dq : H * nh * dq;
    const double attention =
        q + H * (rkv + dr) + rkv * nh * (o.qk_nope_head_dim + dv) + nh * dv * H;
    double weights = H * o.vocab_size;  // the head
    for (int64_t layer = 0; layer < o.num_hidden_layers; ++layer) {
        weights += attention;
        weights += o.is_moe_layer(layer) ? 3.0 * H * o.moe_intermediate_size *
                                                   (o.num_experts_per_tok + o.n_shared_experts) +
                                               H * o.n_routed_experts
                                         : 3.0 * H * o.intermediate_size;
    }
    return weights;
}

/// The machine's read bandwidth in bytes/s over ATen's threads: the best of five sums over a
/// 512 MiB buffer (16 times the last-level cache of the bench machine).
inline double read_bandwidth() {
    const auto buffer = at::ones({int64_t{1} << 27});  // float32: 512 MiB
    double best = 1e30;
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const auto sum = buffer.sum().item<double>();
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (sum > 0) {
            best = std::min(best, s);
        }
    }
    return static_cast<double>(buffer.nbytes()) / best;
}
