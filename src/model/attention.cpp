#include "r1/model/attention.h"

#include "r1/kernels/attention.h"

#include <ATen/ops/scaled_dot_product_attention.h>

#include <cmath>
#include <limits>
#include <optional>

namespace r1::model {

namespace {

/// 0 where `allowed`, the dtype's lowest value elsewhere (bf16/half built in float32, as HF).
at::Tensor additive_mask(const at::Tensor& allowed, at::ScalarType dtype) {
    const double lowest = dtype == torch::kFloat64 ? std::numeric_limits<double>::lowest()
                                                   : std::numeric_limits<float>::lowest();
    auto mask = torch::zeros(allowed.sizes(), torch::TensorOptions().dtype(dtype));
    if (dtype == torch::kBFloat16 || dtype == torch::kHalf) {
        mask = mask.to(torch::kFloat32);
    }
    return mask.masked_fill(allowed.logical_not(), lowest).to(dtype);
}

}  // namespace

at::Tensor causal_mask(int64_t S, const at::Tensor& attention_mask, at::ScalarType dtype) {
    const int64_t T = attention_mask.defined() ? attention_mask.size(-1) : S;
    TORCH_CHECK(T >= S, "attention_mask covers ", T, " keys, fewer than the ", S, " queries");
    auto allowed =
        torch::ones({S, T}, torch::kBool).tril(T - S).view({1, 1, S, T});  // [1, 1, S, T]
    if (attention_mask.defined()) {
        TORCH_CHECK(attention_mask.dim() == 2, "attention_mask ", attention_mask.sizes(),
                    " must be [B, T]");
        allowed = allowed & attention_mask.to(torch::kBool).view({-1, 1, 1, T});  // [B, 1, S, T]
    }
    return additive_mask(allowed, dtype);
}

at::Tensor document_ids(const at::Tensor& position_ids) {
    TORCH_CHECK(position_ids.dim() == 2, "position_ids ", position_ids.sizes(), " must be [B, S]");
    // transformers' find_packed_sequence_indices: a position that does not follow its left
    // neighbour by one opens a new document
    const auto first = position_ids.slice(1, 0, 1) - 1;
    const auto diff = at::diff(position_ids, 1, -1, first);
    return (diff != 1).cumsum(-1);  // [B, S]
}

at::Tensor packed_causal_mask(const at::Tensor& position_ids,
                              const at::Tensor& attention_mask,
                              at::ScalarType dtype) {
    const int64_t S = position_ids.size(1);
    const auto doc = document_ids(position_ids);          // [B, S]
    auto allowed = doc.unsqueeze(2) == doc.unsqueeze(1);  // [B, S, S]
    allowed = allowed & torch::ones({S, S}, torch::kBool).tril().view({1, S, S});
    if (attention_mask.defined()) {
        allowed = allowed & attention_mask.to(torch::kBool).unsqueeze(1);
    }
    return additive_mask(allowed.unsqueeze(1), dtype);  // [B, 1, S, S]
}

at::Tensor attention(const at::Tensor& q,
                     const at::Tensor& k,
                     const at::Tensor& v,
                     const at::Tensor& mask,
                     double scale) {
    // Softmax in float32 like HF's eager attention. On the CPU, MLA's unequal q/v head dims
    // (and float64) would take ATen's math path, since the flash kernel wants one head dim
    // (padding v up to it measured slower at the bench shapes): r1's fused kernel serves them.
    // Backends with fused kernels for the shape use them.
    // The fused kernel reads grouped KV heads as they are; SDPA gets them expanded per query head.
    if (kernels::fused_attention_serves(q, k, v, mask)) {
        return kernels::fused_attention(q, k, v, mask, scale);
    }
    const int64_t groups = q.size(1) / k.size(1);
    const auto expand = [groups](const at::Tensor& t) {
        return groups == 1 ? t : t.repeat_interleave(groups, 1);  // [B, n, T, d]
    };
    const std::optional<at::Tensor> additive = mask.defined() ? std::optional(mask) : std::nullopt;
    return at::scaled_dot_product_attention(q, expand(k), expand(v), additive, /*dropout_p=*/0.0,
                                            /*is_causal=*/false, scale);  // [B, n, S, dv]
}

AttentionImpl::AttentionImpl(const ModelOptions& options_) : options(options_) {
    reset();
}

void AttentionImpl::reset() {
    using torch::nn::LinearOptions;
    const int64_t H = options.hidden_size;
    const int64_t hd = options.dense_head_dim();
    const int64_t nh = options.num_attention_heads;
    const int64_t nkv = options.num_key_value_heads;
    const bool bias = options.attention_bias;
    q_proj = register_module("q_proj", Linear(LinearOptions(H, nh * hd).bias(bias)));
    k_proj = register_module("k_proj", Linear(LinearOptions(H, nkv * hd).bias(bias)));
    v_proj = register_module("v_proj", Linear(LinearOptions(H, nkv * hd).bias(bias)));
    o_proj = register_module("o_proj", Linear(LinearOptions(nh * hd, H).bias(false)));
}

std::array<at::Tensor, 3> AttentionImpl::project(const at::Tensor& x, const RopeTable& rope) {
    const int64_t B = x.size(0);
    const int64_t S = x.size(1);
    const int64_t hd = options.dense_head_dim();
    const auto q = q_proj(x).view({B, S, -1, hd}).transpose(1, 2);  // [B, nh, S, hd]
    const auto k = k_proj(x).view({B, S, -1, hd}).transpose(1, 2);  // [B, nkv, S, hd]
    const auto v = v_proj(x).view({B, S, -1, hd}).transpose(1, 2);  // [B, nkv, S, hd]
    return {apply_rope(q, rope), apply_rope(k, rope), v};
}

at::Tensor AttentionImpl::attend(const at::Tensor& q,
                                 const at::Tensor& k,
                                 const at::Tensor& v,
                                 const at::Tensor& mask) {
    const int64_t B = q.size(0);
    const int64_t S = q.size(2);
    const double scale = 1.0 / std::sqrt(static_cast<double>(options.dense_head_dim()));
    const auto o = attention(q, k, v, mask, scale);        // [B, nh, S, hd]: KV heads serve groups
    return o_proj(o.transpose(1, 2).reshape({B, S, -1}));  // [B, S, H]
}

at::Tensor AttentionImpl::forward(const at::Tensor& x,
                                  const RopeTable& rope,
                                  const at::Tensor& mask) {
    const auto [q, k, v] = project(x, rope);
    return attend(q, k, v, mask);
}

at::Tensor AttentionImpl::forward_cached(const at::Tensor& x,
                                         const RopeTable& rope,
                                         const at::Tensor& mask,
                                         const KvSlots& cache,
                                         int64_t start) {
    const int64_t S = x.size(1), T = start + S;
    TORCH_CHECK(cache.k.size(0) == x.size(0) && T <= cache.k.size(2), "KV cache ", cache.k.sizes(),
                " cannot hold slots [", start, ", ", T, ") of ", x.size(0), " rows");
    const auto [q, k, v] = project(x, rope);
    cache.k.narrow(2, start, S).copy_(k);
    cache.v.narrow(2, start, S).copy_(v);
    return attend(q, cache.k.narrow(2, 0, T), cache.v.narrow(2, 0, T), mask);
}

}  // namespace r1::model
