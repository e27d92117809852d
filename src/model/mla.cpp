#include "r1/model/mla.h"

#include "r1/model/attention.h"

#include <cmath>

namespace r1::model {

MlaImpl::MlaImpl(const ModelOptions& options_) : options(options_) {
    reset();
}

void MlaImpl::reset() {
    using torch::nn::Linear;
    using torch::nn::LinearOptions;
    const int64_t H = options.hidden_size;
    const int64_t nh = options.num_attention_heads;
    const int64_t rkv = options.kv_lora_rank;
    const bool bias = options.attention_bias;
    if (options.q_lora_rank) {
        const int64_t rq = *options.q_lora_rank;
        q_a_proj = register_module("q_a_proj", Linear(LinearOptions(H, rq).bias(bias)));
        // HF builds both latent norms with the default eps 1e-6, not rms_norm_eps
        q_a_layernorm = register_module("q_a_layernorm", RmsNorm(RmsNormOptions{.dim = rq}));
        q_b_proj = register_module(
            "q_b_proj", Linear(LinearOptions(rq, nh * options.qk_head_dim()).bias(false)));
    } else {
        q_proj = register_module("q_proj",
                                 Linear(LinearOptions(H, nh * options.qk_head_dim()).bias(false)));
    }
    kv_a_proj_with_mqa = register_module(
        "kv_a_proj_with_mqa", Linear(LinearOptions(H, rkv + options.qk_rope_head_dim).bias(bias)));
    kv_a_layernorm = register_module("kv_a_layernorm", RmsNorm(RmsNormOptions{.dim = rkv}));
    kv_b_proj = register_module(
        "kv_b_proj",
        Linear(
            LinearOptions(rkv, nh * (options.qk_nope_head_dim + options.v_head_dim)).bias(false)));
    o_proj =
        register_module("o_proj", Linear(LinearOptions(nh * options.v_head_dim, H).bias(bias)));
}

double MlaImpl::softmax_scale() const {
    return 1.0 / std::sqrt(static_cast<double>(options.qk_head_dim())) *
           rope_softmax_mscale(options.rope_scaling);
}

at::Tensor MlaImpl::forward(const at::Tensor& x, const RopeTable& rope, const at::Tensor& mask) {
    const int64_t B = x.size(0), S = x.size(1), nh = options.num_attention_heads;
    const int64_t dn = options.qk_nope_head_dim, dr = options.qk_rope_head_dim,
                  dv = options.v_head_dim;
    const auto q_flat = q_proj ? q_proj(x) : q_b_proj(q_a_layernorm(q_a_proj(x)));  // [B, S, nh·dq]
    const auto q = q_flat.view({B, S, nh, dn + dr}).transpose(1, 2);  // [B, nh, S, dq]
    const auto q_nope = q.slice(-1, 0, dn);
    const auto q_pe = apply_rope(q.slice(-1, dn), rope);  // [B, nh, S, dr]

    const auto kv_a = kv_a_proj_with_mqa(x);                                    // [B, S, rkv + dr]
    const auto c_kv = kv_a_layernorm(kv_a.slice(-1, 0, options.kv_lora_rank));  // [B, S, rkv]
    const auto k_pe =
        apply_rope(kv_a.slice(-1, options.kv_lora_rank).unsqueeze(1), rope);  // [B, 1, S, dr]
    const auto kv =
        kv_b_proj(c_kv).view({B, S, nh, dn + dv}).transpose(1, 2);  // [B, nh, S, dn + dv]
    const auto k_nope = kv.slice(-1, 0, dn);
    const auto v = kv.slice(-1, dn);  // [B, nh, S, dv]

    // the rotary key is one vector per token, broadcast to every head (the "MQA" part)
    const auto qs = torch::cat({q_nope, q_pe}, -1);                         // [B, nh, S, dq]
    const auto ks = torch::cat({k_nope, k_pe.expand({B, nh, S, dr})}, -1);  // [B, nh, S, dq]
    const auto o = attention(qs, ks, v, mask, softmax_scale());             // [B, nh, S, dv]
    return o_proj(o.transpose(1, 2).reshape({B, S, nh * dv}));              // [B, S, H]
}

}  // namespace r1::model
