// What an incremental (cached) forward hands the model: one layer's preallocated cache buffers and
// where a step's tokens go. The buffers belong to generation::KvCache; a layer writes its new
// tokens' entries at slot `start` and attends over slots [0, start + S). All rows of a batch share
// slot numbers (ragged prompts are left-padded); RoPE positions are per row.
#pragma once

#include "r1/model/rope.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <variant>
#include <vector>

namespace r1::model {

/// MLA (model-spec §2.4): the normalised latent and the rotated shared key, nothing per head.
struct LatentSlots {
    at::Tensor c_kv;  // [B, Tmax, kv_lora_rank], after kv_a_layernorm
    at::Tensor k_pe;  // [B, Tmax, qk_rope_head_dim], RoPE applied (interleaved layout)
    /// [B, Tmax, kv_lora_rank + qk_rope_head_dim] when c_kv and k_pe are its two column blocks
    /// (KvCache's layout), else undefined: the absorbed path's key [c_kv; k_pe] as a view, so a
    /// decode step does not concatenate the whole cache.
    at::Tensor joint;
};

/// Dense GQA: keys (RoPE applied) and values per KV head.
struct KvSlots {
    at::Tensor k;  // [B, nkv, Tmax, head_dim]
    at::Tensor v;  // [B, nkv, Tmax, head_dim]
};

using LayerCache = std::variant<LatentSlots, KvSlots>;

struct CachedStep {
    int64_t start = 0;          // cache slot of the step's first token (same for every row)
    at::Tensor positions;       // [B, S] int64 RoPE position of each new token
    at::Tensor attention_mask;  // [B, start + S] 1/0 over every slot so far (0 = left padding)
    bool absorb = true;         // MLA: attend in latent space (absorbed kv_b_proj), else expand K/V
    /// Optional, for decode loops that keep them across steps: the RoPE table of `positions`
    /// (rope_table_rows()'s shape) and the additive mask causal_mask() would build from
    /// `attention_mask` ([B, 1, S, start + S]; attention_mask is then not read). Undefined: built.
    RopeTable rope;
    at::Tensor mask;
};

}  // namespace r1::model
