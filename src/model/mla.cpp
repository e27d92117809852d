#include "r1/model/mla.h"

#include "r1/kernels/attention.h"
#include "r1/kernels/fused.h"
#include "r1/model/attention.h"

#include <cmath>

namespace r1::model {
namespace {

// MQA over the latent cache: one shared head with key [c_kv; k_pe] and value c_kv (FlashMLA's
// view) for all nh query heads. qs [B, nh, S, rkv + dr] -> [B, nh, S, rkv]
at::Tensor latent_attention(const at::Tensor& qs,
                            const at::Tensor& c_kv,
                            const at::Tensor& key,
                            const at::Tensor& mask,
                            double scale) {
    const int64_t B = qs.size(0), nh = qs.size(1), S = qs.size(2), T = key.size(1);
    const auto k = key.unsqueeze(1), v = c_kv.unsqueeze(1);  // one KV head for all: [B, 1, T, .]
    if (kernels::fused_attention_serves(qs, k, v, mask)) {   // reads the cache slices in place
        return kernels::fused_attention(qs, k, v, mask, scale);
    }
    // the heads fold into the rows of one bmm per sequence: the cache is never expanded per head
    auto scores =
        at::bmm(qs.view({B, nh * S, -1}), key.transpose(1, 2)).view({B, nh, S, T}) * scale;
    if (mask.defined()) {
        scores = scores + mask;  // [B, 1, S, T] over the heads
    }
    const auto acc = c10::promoteTypes(qs.scalar_type(), at::kFloat);  // float32 softmax (HF)
    const auto probs = acc == qs.scalar_type() ? at::softmax(scores, -1)
                                               : at::softmax(scores, -1, acc).to(qs.scalar_type());
    return at::bmm(probs.view({B, nh * S, T}), c_kv).view({B, nh, S, -1});
}

}  // namespace

MlaImpl::MlaImpl(const ModelOptions& options_) : options(options_) {
    reset();
}

void MlaImpl::reset() {
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

MlaImpl::Projected MlaImpl::project(const at::Tensor& x, const RopeTable& rope) {
    const int64_t B = x.size(0), S = x.size(1), nh = options.num_attention_heads;
    const int64_t dn = options.qk_nope_head_dim, dr = options.qk_rope_head_dim;
    const int64_t rkv = options.kv_lora_rank;
    at::Tensor q_flat, c_kv, k_pe;  // [B, S, nh·dq], [B, S, rkv], [B, S, dr]
    if (fuse_down_projections()) {
        // Training: q_a_proj and kv_a_proj_with_mqa read the same x, so one GEMM over their
        // stacked weights (a small copy that autograd routes back) serves both.
        const auto w = at::cat({q_a_proj->weight, kv_a_proj_with_mqa->weight});
        const auto parts =
            torch::linear(x, w).split_with_sizes({*options.q_lora_rank, rkv, dr}, -1);
        q_flat = q_b_proj(q_a_layernorm(parts[0]));
        c_kv = parts[1];
        k_pe = parts[2];
    } else {
        q_flat = q_proj ? q_proj(x) : q_b_proj(q_a_layernorm(q_a_proj(x)));
        const auto kv_a = kv_a_proj_with_mqa(x).split_with_sizes({rkv, dr}, -1);
        c_kv = kv_a[0];
        k_pe = kv_a[1];
    }
    // split, not two slices: its backward is one cat instead of two zero-filled full-size grads
    const auto q = q_flat.view({B, S, nh, dn + dr}).transpose(1, 2).split_with_sizes({dn, dr}, -1);
    return {.q_nope = q[0],
            .q_pe = apply_rope(q[1], rope),
            .c_kv = kv_a_layernorm(c_kv),
            .k_pe = apply_rope(k_pe.unsqueeze(1), rope)};
}

bool MlaImpl::fuse_down_projections() const {
    // without grad the weight copy would cost every decode step
    return q_a_proj && torch::GradMode::is_enabled() &&
           stackable({&*q_a_proj, &*kv_a_proj_with_mqa});
}

at::Tensor MlaImpl::attend_expanded(const Projected& p,
                                    const at::Tensor& c_kv,
                                    const at::Tensor& k_pe,
                                    const at::Tensor& mask) {
    const int64_t B = c_kv.size(0), T = c_kv.size(1), nh = options.num_attention_heads;
    const int64_t dn = options.qk_nope_head_dim, dr = options.qk_rope_head_dim,
                  dv = options.v_head_dim;
    const auto kv = kv_b_proj(c_kv)
                        .view({B, T, nh, dn + dv})
                        .transpose(1, 2)
                        .split_with_sizes({dn, dv}, -1);  // [B, nh, T, dn], [B, nh, T, dv]
    const auto& k_nope = kv[0];
    const auto& v = kv[1];
    // the rotary key is one vector per token, broadcast to every head (the "MQA" part)
    const auto qs = torch::cat({p.q_nope, p.q_pe}, -1);                     // [B, nh, S, dq]
    const auto ks = torch::cat({k_nope, k_pe.expand({B, nh, T, dr})}, -1);  // [B, nh, T, dq]
    return attention(qs, ks, v, mask, softmax_scale());                     // [B, nh, S, dv]
}

at::Tensor MlaImpl::attend_absorbed(const Projected& p,
                                    const at::Tensor& c_kv,
                                    const at::Tensor& key,
                                    const at::Tensor& mask) {
    const int64_t B = c_kv.size(0), S = p.q_nope.size(2);
    const int64_t nh = options.num_attention_heads, dn = options.qk_nope_head_dim;
    const int64_t rkv = options.kv_lora_rank, dv = options.v_head_dim;
    // kv_b_proj.weight [nh·(dn + dv), rkv] holds, per head, W_UK (dn rows) then W_UV (dv rows)
    const auto w = kv_b_proj->dense_weight().view({nh, -1, rkv});
    const auto w_uk = w.slice(1, 0, dn);  // [nh, dn, rkv]
    const auto w_uv = w.slice(1, dn);     // [nh, dv, rkv]
    // Heads first, so one bmm per weight serves all B·S queries (a broadcasting matmul would copy
    // the weight once per row).
    const auto q_nope = p.q_nope.transpose(0, 1).reshape({nh, B * S, dn});
    const auto q_lat = at::bmm(q_nope, w_uk).view({nh, B, S, rkv}).transpose(0, 1);  // W_UK into q
    const auto qs = at::cat({q_lat, p.q_pe}, -1);  // [B, nh, S, rkv + dr]
    const auto o_lat = latent_attention(qs, c_kv, key, mask, softmax_scale());  // [B, nh, S, rkv]
    const auto o_heads = o_lat.transpose(0, 1).reshape({nh, B * S, rkv});
    const auto o = at::bmm(o_heads, w_uv.transpose(1, 2));  // [nh, B·S, dv]: out through W_UV
    return o.view({nh, B, S, dv}).transpose(0, 1);          // [B, nh, S, dv]
}

at::Tensor MlaImpl::forward(const at::Tensor& x, const RopeTable& rope, const at::Tensor& mask) {
    const int64_t B = x.size(0), S = x.size(1);
    const auto p = project(x, rope);
    const auto o = attend_expanded(p, p.c_kv, p.k_pe, mask);  // [B, nh, S, dv]
    return o_proj(o.transpose(1, 2).reshape({B, S, -1}));     // [B, S, H]
}

at::Tensor MlaImpl::forward_cached(const at::Tensor& x,
                                   const RopeTable& rope,
                                   const at::Tensor& mask,
                                   const LatentSlots& cache,
                                   int64_t start,
                                   bool absorb) {
    const int64_t B = x.size(0), S = x.size(1), T = start + S;
    TORCH_CHECK(cache.c_kv.size(0) == B && T <= cache.c_kv.size(1), "MLA cache ",
                cache.c_kv.sizes(), " cannot hold slots [", start, ", ", T, ") of ", B, " rows");
    const auto p = project(x, rope);
    cache.c_kv.narrow(1, start, S).copy_(p.c_kv);
    cache.k_pe.narrow(1, start, S).copy_(p.k_pe.squeeze(1));
    const auto c_kv = cache.c_kv.narrow(1, 0, T);  // [B, T, rkv]
    const auto k_pe = cache.k_pe.narrow(1, 0, T);  // [B, T, dr]
    if (!absorb) {
        const auto o = attend_expanded(p, c_kv, k_pe.unsqueeze(1), mask);  // [B, nh, S, dv]
        return o_proj(o.transpose(1, 2).reshape({B, S, -1}));              // [B, S, H]
    }
    const auto key = cache.joint.defined() ? cache.joint.narrow(1, 0, T)
                                           : at::cat({c_kv, k_pe}, -1);  // [B, T, rkv + dr]
    const auto o = attend_absorbed(p, c_kv, key, mask);                  // [B, nh, S, dv]
    return o_proj(o.transpose(1, 2).reshape({B, S, -1}));                // [B, S, H]
}

}  // namespace r1::model
