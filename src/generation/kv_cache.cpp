#include "r1/generation/kv_cache.h"

#include <c10/core/ScalarType.h>

namespace r1::generation {
namespace {

// Applies fn(buffer, slot_dim) to each tensor of a layer's cache.
template <typename Fn>
void for_each_buffer(const model::LayerCache& cache, Fn&& fn) {
    if (const auto* latent = std::get_if<model::LatentSlots>(&cache)) {
        if (latent->joint.defined()) {  // c_kv and k_pe are its column blocks
            fn(latent->joint, 1);
        } else {
            fn(latent->c_kv, 1);
            fn(latent->k_pe, 1);
        }
    } else {
        const auto& kv = std::get<model::KvSlots>(cache);
        fn(kv.k, 2);
        fn(kv.v, 2);
    }
}

model::LayerCache narrowed(const model::LayerCache& cache, int64_t batch, int64_t len) {
    if (const auto* latent = std::get_if<model::LatentSlots>(&cache)) {
        return model::LatentSlots{.c_kv = latent->c_kv.narrow(0, 0, batch).narrow(1, 0, len),
                                  .k_pe = latent->k_pe.narrow(0, 0, batch).narrow(1, 0, len),
                                  .joint = latent->joint.narrow(0, 0, batch).narrow(1, 0, len)};
    }
    const auto& kv = std::get<model::KvSlots>(cache);
    return model::KvSlots{.k = kv.k.narrow(0, 0, batch).narrow(2, 0, len),
                          .v = kv.v.narrow(0, 0, batch).narrow(2, 0, len)};
}

}  // namespace

int64_t cache_elements_per_token(const model::ModelOptions& options) {
    if (options.is_deepseek()) {
        return options.kv_lora_rank + options.qk_rope_head_dim;
    }
    return 2 * options.num_key_value_heads * options.dense_head_dim();
}

int64_t cache_bytes_per_token(const model::ModelOptions& options, at::ScalarType dtype) {
    return cache_elements_per_token(options) * options.num_hidden_layers *
           static_cast<int64_t>(c10::elementSize(dtype));
}

KvCache::KvCache(const model::ModelOptions& options, at::ScalarType dtype)
    : options_(options), dtype_(dtype) {}

void KvCache::reserve(int64_t batch, int64_t max_len) {
    TORCH_CHECK(batch > 0 && max_len > 0, "KvCache::reserve(", batch, ", ", max_len, ")");
    if (batch > capacity_batch_ || max_len > capacity_len_) {
        allocate(std::max(batch, capacity_batch_), std::max(max_len, capacity_len_));
    }
    batch_ = batch;
    max_len_ = max_len;
    make_views();
}

void KvCache::allocate(int64_t batch, int64_t max_len) {
    const auto opts = at::TensorOptions().dtype(dtype_);
    buffers_.clear();
    for (int64_t i = 0; i < options_.num_hidden_layers; ++i) {
        if (options_.is_deepseek()) {
            // one buffer per layer, [c_kv; k_pe] per slot: the absorbed key without a copy
            const int64_t rkv = options_.kv_lora_rank;
            const auto joint = at::zeros({batch, max_len, rkv + options_.qk_rope_head_dim}, opts);
            buffers_.emplace_back(
                model::LatentSlots{.c_kv = joint.narrow(2, 0, rkv),
                                   .k_pe = joint.narrow(2, rkv, options_.qk_rope_head_dim),
                                   .joint = joint});
        } else {
            const int64_t nkv = options_.num_key_value_heads, hd = options_.dense_head_dim();
            buffers_.emplace_back(model::KvSlots{.k = at::zeros({batch, nkv, max_len, hd}, opts),
                                                 .v = at::zeros({batch, nkv, max_len, hd}, opts)});
        }
    }
    capacity_batch_ = batch;
    capacity_len_ = max_len;
}

void KvCache::make_views() {
    views_.clear();
    for (const auto& buffer : buffers_) {
        views_.push_back(narrowed(buffer, batch_, max_len_));
    }
}

void KvCache::compact(const at::Tensor& keep, int64_t length) {
    TORCH_CHECK(keep.size(0) <= batch_, "KvCache::compact: ", keep.size(0), " rows of ", batch_);
    gather(keep, length);
}

void KvCache::gather(const at::Tensor& rows, int64_t length) {
    const int64_t n = rows.size(0);
    TORCH_CHECK(n <= capacity_batch_ && length <= max_len_, "KvCache::gather: ", n,
                " rows of a capacity of ", capacity_batch_, ", ", length, " slots of ", max_len_);
    TORCH_CHECK(n == 0 || (rows.min().item<int64_t>() >= 0 && rows.max().item<int64_t>() < batch_),
                "KvCache::gather: rows outside the ", batch_, " active ones");
    for (const auto& buffer : buffers_) {
        for_each_buffer(buffer, [&](const at::Tensor& full, int64_t slot_dim) {
            const auto used = full.narrow(slot_dim, 0, length);
            const auto kept = used.narrow(0, 0, batch_).index_select(0, rows);  // a copy first:
            used.narrow(0, 0, n).copy_(kept);  // rows may move onto each other
        });
    }
    batch_ = n;
    make_views();
}

int64_t KvCache::allocated_bytes() const {
    int64_t bytes = 0;
    for (const auto& buffer : buffers_) {
        for_each_buffer(buffer, [&](const at::Tensor& t, int64_t) { bytes += t.nbytes(); });
    }
    return bytes;
}

}  // namespace r1::generation
