// KvCache: the preallocated per-layer cache buffers of a decoding batch, reused across generate()
// calls. MLA layers keep only the normalised latent c_kv and the rotated shared key k_pe per token
// (model-spec §2.4), side by side in one [B, Tmax, rkv + dr] buffer per layer (LatentSlots::joint,
// the absorbed key as a view); dense GQA layers keep K and V per KV head. Finished rows are
// compacted away in place, so the model always sees the active rows as the first rows of each
// buffer.
#pragma once

#include "r1/model/cache.h"
#include "r1/model/options.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace r1::generation {

/// Cached elements per token per layer: kv_lora_rank + qk_rope_head_dim for MLA,
/// 2 · num_key_value_heads · head_dim for dense attention.
int64_t cache_elements_per_token(const model::ModelOptions& options);

/// Bytes per token over all main layers in `dtype` (model-spec §2.5's table).
int64_t cache_bytes_per_token(const model::ModelOptions& options, at::ScalarType dtype);

class KvCache {
  public:
    KvCache(const model::ModelOptions& options, at::ScalarType dtype);

    /// Makes `batch` rows of `max_len` slots active. Reuses the buffers when they are large
    /// enough, else reallocates them (contents are not kept).
    void reserve(int64_t batch, int64_t max_len);
    /// Keeps the active rows `keep` ([n] int64, ascending), moved to the front; only slots
    /// [0, length) are copied (the rest are rewritten before they are read).
    void compact(const at::Tensor& keep, int64_t length);
    /// Makes the active rows copies of `rows` ([n] int64 indices into the active rows, repeats
    /// allowed, n up to the reserved batch), slots [0, length): one prompt's prefill serves all
    /// of its samples.
    void gather(const at::Tensor& rows, int64_t length);

    /// Per layer, views of the active rows ([batch, max_len, ...]) for model::forward_cached.
    const std::vector<model::LayerCache>& layers() const { return views_; }

    int64_t batch() const { return batch_; }

    int64_t max_len() const { return max_len_; }

    at::ScalarType dtype() const { return dtype_; }

    /// Bytes held by the buffers (capacity, not just the active rows).
    int64_t allocated_bytes() const;

  private:
    void allocate(int64_t batch, int64_t max_len);
    void make_views();

    model::ModelOptions options_;
    at::ScalarType dtype_;
    std::vector<model::LayerCache> buffers_;  // full capacity
    std::vector<model::LayerCache> views_;    // narrowed to the active rows
    int64_t capacity_batch_ = 0;
    int64_t capacity_len_ = 0;
    int64_t batch_ = 0;
    int64_t max_len_ = 0;
};

}  // namespace r1::generation
