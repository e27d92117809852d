// Rotary position embedding: inverse frequencies (plain, YaRN, Llama 3), the cos/sin table and its
// application in DeepSeek's interleaved layout or Qwen/Llama's half-split layout (model-spec
// §2.2-2.3).
#pragma once

#include "r1/model/options.h"

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace r1::model {

enum class RopeLayout {
    interleaved,  // pairs (2i, 2i+1): DeepSeek weights (HF rope_interleave=True gives equal
                  // attention)
    half_split,   // pairs (i, i + d/2): HF rotate_half, Qwen2/Llama
};

/// inv_freq [d/2] (float32) for rotary width `dim`, base `theta` and optional scaling; bit-equal to
/// HF's ROPE_INIT_FUNCTIONS (default, yarn, llama3).
at::Tensor rope_inv_freq(int64_t dim, double theta, const std::optional<RopeScaling>& scaling);

/// Multiplier HF applies to cos/sin: YaRN's attention_factor (given, or mscale ratio, or
/// 0.1·ln(factor)+1); 1 otherwise.
double rope_attention_factor(const std::optional<RopeScaling>& scaling);

/// Multiplier on the softmax scale: YaRN's m² with m = 0.1·mscale_all_dim·ln(factor)+1 when
/// mscale_all_dim is set (HF yarn_apply_mscale); 1 otherwise.
double rope_softmax_mscale(const std::optional<RopeScaling>& scaling);

/// cos and sin per position and pair, attention factor applied: [T, d/2] each, in `dtype` (or
/// [B, 1, T, d/2] for per-row positions, see rope_table_rows()).
struct RopeTable {
    at::Tensor cos;
    at::Tensor sin;
    RopeLayout layout = RopeLayout::half_split;
    /// Optional, interleaved layout only: cos + i·sin (complex, cos's shape), so that decode
    /// loops gather one table per step for every layer; cos and sin may then be undefined.
    /// apply_rope() reads its parts in the fused kernel (float32/float64 on the CPU) and rotates
    /// through it in one complex multiply elsewhere.
    at::Tensor cis;
};

/// `table` with cis = cos + i·sin filled in (interleaved layout, float32 or float64 tables; the
/// others are returned as is).
RopeTable with_cis(RopeTable table);

/// The table for `positions` [T] (int64) of the rotary part of `options`' attention.
RopeTable rope_table(const ModelOptions& options,
                     const at::Tensor& positions,
                     at::ScalarType dtype);

/// The table for per-row positions [B, T] (ragged, left-padded batches), shaped [B, 1, T, d/2] so
/// it broadcasts over the head dimension of [B, n, T, d].
RopeTable rope_table_rows(const ModelOptions& options,
                          const at::Tensor& positions,
                          at::ScalarType dtype);

/// Rotates the last dim of x [..., T, d] by the table (T rows); layout kept.
at::Tensor apply_rope(const at::Tensor& x, const RopeTable& table);

}  // namespace r1::model
