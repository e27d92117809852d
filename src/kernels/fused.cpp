#include "r1/kernels/fused.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/ops/sigmoid.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "kernels/parallel_rows.h"
#include "kernels/partial_sums.h"

namespace r1::kernels {

bool fusable(const at::Tensor& t) {
    return t.device().is_cpu() && (t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble);
}

namespace {

using detail::dot;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

using detail::row_grain;

// ---------------------------------------------------------------------------------------------
// RMSNorm. x, y: [R, D] rows; rstd: [R].

template <class T>
void rms_norm_forward(const T* x, const T* w, T* y, T* rstd, int64_t R, int64_t D, double eps) {
    at::parallel_for(0, R, row_grain(D), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const T* xr = x + r * D;
            T* yr = y + r * D;
            const T s = T(1) / std::sqrt(dot(xr, xr, D) / T(D) + T(eps));
            rstd[r] = s;
            for (int64_t d = 0; d < D; ++d) {
                yr[d] = w[d] * (xr[d] * s);
            }
        }
    });
}

// dx = s·(g⊙w − x·s²·mean(g⊙w⊙x)); dw = Σ_rows g⊙x·s, summed per chunk of rows then over chunks
// (one partial row per chunk, so the threads never share a write).
template <class T>
void rms_norm_backward(
    const T* g, const T* x, const T* w, const T* rstd, T* dx, T* dw, int64_t R, int64_t D) {
    const int64_t chunks =
        std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), R / row_grain(D)));
    std::vector<T> partial(chunks * D, T(0));
    at::parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
        std::vector<T> gw(D);
        for (int64_t c = c0; c < c1; ++c) {
            T* pw = partial.data() + c * D;
            for (int64_t r = c * R / chunks; r < (c + 1) * R / chunks; ++r) {
                const T *gr = g + r * D, *xr = x + r * D;
                const T s = rstd[r];
                for (int64_t d = 0; d < D; ++d) {
                    gw[d] = gr[d] * w[d];
                    pw[d] += gr[d] * xr[d] * s;
                }
                const T k = dot(gw.data(), xr, D) / T(D) * s * s;
                T* dxr = dx + r * D;
                for (int64_t d = 0; d < D; ++d) {
                    dxr[d] = s * (gw[d] - xr[d] * k);
                }
            }
        }
    });
    for (int64_t d = 0; d < D; ++d) {
        T sum = 0;
        for (int64_t c = 0; c < chunks; ++c) {
            sum += partial[c * D + d];
        }
        dw[d] = sum;
    }
}

struct RmsNormFunction : torch::autograd::Function<RmsNormFunction> {
    static at::Tensor forward(AutogradContext* ctx,
                              const at::Tensor& x_in,
                              const at::Tensor& w,
                              double eps) {
        const auto x = x_in.contiguous();
        const int64_t D = x.size(-1), R = x.numel() / std::max<int64_t>(D, 1);
        auto y = at::empty_like(x);
        auto rstd = at::empty({R}, x.options());
        const auto wc = w.contiguous();
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fused_rms_norm", [&] {
            rms_norm_forward<scalar_t>(x.const_data_ptr<scalar_t>(), wc.const_data_ptr<scalar_t>(),
                                       y.mutable_data_ptr<scalar_t>(),
                                       rstd.mutable_data_ptr<scalar_t>(), R, D, eps);
        });
        ctx->save_for_backward({x, wc, rstd});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &w = saved[1], &rstd = saved[2];
        const auto g = grads[0].contiguous();
        const int64_t D = x.size(-1), R = rstd.numel();
        auto dx = at::empty_like(x);
        auto dw = at::empty_like(w);
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fused_rms_norm_backward", [&] {
            rms_norm_backward<scalar_t>(
                g.const_data_ptr<scalar_t>(), x.const_data_ptr<scalar_t>(),
                w.const_data_ptr<scalar_t>(), rstd.const_data_ptr<scalar_t>(),
                dx.mutable_data_ptr<scalar_t>(), dw.mutable_data_ptr<scalar_t>(), R, D);
        });
        return {dx, dw, at::Tensor()};
    }
};

// ---------------------------------------------------------------------------------------------
// SwiGLU over R rows of F: gate and up rows (and their grads) sit at their own row strides, so one
// pair of kernels serves two tensors and the packed [R, 2F] output of a fused gate_up GEMM.

struct Strided {  // row r, column f at data[r * stride + f]
    int64_t stride;
};

// y = g·σ(g)·u (times scale[r] when a row scale is given), with σ(g) [R, F] computed beforehand
// by at::sigmoid (vectorised exp; a scalar std::exp here cost more than the ops this replaces) and
// kept for backward.
template <class T>
void swiglu_forward(const T* g,
                    Strided gs,
                    const T* sg,
                    const T* u,
                    Strided us,
                    T* y,
                    int64_t R,
                    int64_t F,
                    const T* scale = nullptr) {
    at::parallel_for(0, R, row_grain(F), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            for (int64_t f = 0; f < F; ++f) {
                y[r * F + f] = g[r * gs.stride + f] * sg[r * F + f] * u[r * us.stride + f];
            }
            if (scale) {
                for (int64_t f = 0; f < F; ++f) {
                    y[r * F + f] *= scale[r];
                }
            }
        }
    });
}

// With o = dy (times scale[r] when scaled): du = o·g·σ(g); dg = o·u·σ(g)·(1 + g·(1 − σ(g))); and
// for a row scale dscale[r] = Σ_f dy·g·σ(g)·u.
template <class T>
struct SwigluGrads {
    T *dg, *du;
    Strided dgs, dus;
    const T* scale = nullptr;
    T* dscale = nullptr;
};

template <class T>
void swiglu_backward(const T* dy,
                     const T* g,
                     Strided gs,
                     const T* sg,
                     const T* u,
                     Strided us,
                     const SwigluGrads<T>& out,
                     int64_t R,
                     int64_t F) {
    at::parallel_for(0, R, row_grain(F), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const T* gr = g + r * gs.stride;
            const T* ur = u + r * us.stride;
            const T* sr = sg + r * F;
            const T* dyr = dy + r * F;
            const T row_scale = out.scale ? out.scale[r] : T(1);
            for (int64_t f = 0; f < F; ++f) {
                const T v = gr[f], s = sr[f], o = out.scale ? dyr[f] * row_scale : dyr[f];
                out.du[r * out.dus.stride + f] = o * v * s;
                out.dg[r * out.dgs.stride + f] = o * ur[f] * s * (1 + v * (1 - s));
            }
            if (out.dscale) {
                out.dscale[r] =
                    detail::sum8<T>(F, [&](int64_t f) { return dyr[f] * gr[f] * sr[f] * ur[f]; });
            }
        }
    });
}

std::vector<int64_t> with_last(at::IntArrayRef sizes, int64_t last) {
    std::vector<int64_t> out(sizes.begin(), sizes.end());
    out.back() = last;
    return out;
}

// Two inputs gate, up [..., F], contiguous.
struct SwigluFunction : torch::autograd::Function<SwigluFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& gate, const at::Tensor& up) {
        auto y = at::empty_like(gate);
        const auto sg = at::sigmoid(gate);
        const int64_t F = gate.size(-1), R = gate.numel() / std::max<int64_t>(F, 1);
        AT_DISPATCH_FLOATING_TYPES(gate.scalar_type(), "fused_swiglu", [&] {
            swiglu_forward<scalar_t>(gate.const_data_ptr<scalar_t>(), {F},
                                     sg.const_data_ptr<scalar_t>(), up.const_data_ptr<scalar_t>(),
                                     {F}, y.mutable_data_ptr<scalar_t>(), R, F);
        });
        ctx->save_for_backward({gate, sg, up});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &gate = saved[0], &sg = saved[1], &up = saved[2];
        const auto dy = grads[0].contiguous();
        auto dgate = at::empty_like(gate), dup = at::empty_like(up);
        const int64_t F = gate.size(-1), R = gate.numel() / std::max<int64_t>(F, 1);
        AT_DISPATCH_FLOATING_TYPES(gate.scalar_type(), "fused_swiglu_backward", [&] {
            swiglu_backward<scalar_t>(
                dy.const_data_ptr<scalar_t>(), gate.const_data_ptr<scalar_t>(), {F},
                sg.const_data_ptr<scalar_t>(), up.const_data_ptr<scalar_t>(), {F},
                {.dg = dgate.mutable_data_ptr<scalar_t>(),
                 .du = dup.mutable_data_ptr<scalar_t>(),
                 .dgs = {F},
                 .dus = {F}},
                R, F);
        });
        return {dgate, dup};
    }
};

// gate_up [..., 2F] (gate columns first), contiguous, and optionally one scale per row (then a
// second input [R]); the grad of gate_up comes back packed too.
at::Tensor swiglu_packed_forward(const at::Tensor& h, const at::Tensor& scale, at::Tensor& sg) {
    const int64_t F = h.size(-1) / 2, R = h.numel() / std::max<int64_t>(2 * F, 1);
    auto y = at::empty(with_last(h.sizes(), F), h.options());
    sg = at::sigmoid(h.narrow(-1, 0, F)).contiguous();  // [..., F]
    AT_DISPATCH_FLOATING_TYPES(h.scalar_type(), "fused_swiglu_packed", [&] {
        const scalar_t* p = h.const_data_ptr<scalar_t>();
        swiglu_forward<scalar_t>(p, {2 * F}, sg.const_data_ptr<scalar_t>(), p + F, {2 * F},
                                 y.mutable_data_ptr<scalar_t>(), R, F,
                                 scale.defined() ? scale.const_data_ptr<scalar_t>() : nullptr);
    });
    return y;
}

// -> {d gate_up, d scale (undefined without a scale)}
tensor_list swiglu_packed_backward(const at::Tensor& dy_in,
                                   const at::Tensor& h,
                                   const at::Tensor& sg,
                                   const at::Tensor& scale) {
    const auto dy = dy_in.contiguous();
    auto dh = at::empty_like(h);
    at::Tensor dscale = scale.defined() ? at::empty_like(scale) : at::Tensor();
    const int64_t F = h.size(-1) / 2, R = h.numel() / std::max<int64_t>(2 * F, 1);
    AT_DISPATCH_FLOATING_TYPES(h.scalar_type(), "fused_swiglu_packed_backward", [&] {
        const scalar_t* p = h.const_data_ptr<scalar_t>();
        scalar_t* d = dh.mutable_data_ptr<scalar_t>();
        swiglu_backward<scalar_t>(
            dy.const_data_ptr<scalar_t>(), p, {2 * F}, sg.const_data_ptr<scalar_t>(), p + F,
            {2 * F},
            {.dg = d,
             .du = d + F,
             .dgs = {2 * F},
             .dus = {2 * F},
             .scale = scale.defined() ? scale.const_data_ptr<scalar_t>() : nullptr,
             .dscale = scale.defined() ? dscale.mutable_data_ptr<scalar_t>() : nullptr},
            R, F);
    });
    return {dh, dscale};
}

struct PackedSwigluFunction : torch::autograd::Function<PackedSwigluFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& h) {
        at::Tensor sg;
        auto y = swiglu_packed_forward(h, {}, sg);
        ctx->save_for_backward({h, sg});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        return {swiglu_packed_backward(grads[0], saved[0], saved[1], {})[0]};
    }
};

struct ScaledPackedSwigluFunction : torch::autograd::Function<ScaledPackedSwigluFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& h, const at::Tensor& scale) {
        at::Tensor sg;
        auto y = swiglu_packed_forward(h, scale, sg);
        ctx->save_for_backward({h, sg, scale});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        return swiglu_packed_backward(grads[0], saved[0], saved[1], saved[2]);
    }
};

// ---------------------------------------------------------------------------------------------
// RoPE: each pair of x's rows rotated by its angle; backward rotates the gradient back (by −θ).
// x is read through its strides (MLA's q_pe and k_pe are views into their projections).

struct RopeShape {
    int64_t B, H, T, half;
    std::array<int64_t, 3> x_stride;    // b, h, t (unit stride along d)
    int64_t table_b, table_t, table_i;  // strides of cos/sin: row (0: broadcast), position, pair
    bool interleaved;
};

template <class T>
void rope_kernel(const T* x, const T* cos, const T* sin, T* y, const RopeShape& sh, T sign) {
    const int64_t d = 2 * sh.half, rows = sh.B * sh.H * sh.T;
    // pair i is (2i, 2i + 1) interleaved, (i, i + d/2) half-split
    const int64_t first = sh.interleaved ? 2 : 1, second = sh.interleaved ? 1 : sh.half;
    at::parallel_for(0, rows, row_grain(d), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t t = row % sh.T, h = row / sh.T % sh.H, b = row / (sh.T * sh.H);
            const T* xr = x + b * sh.x_stride[0] + h * sh.x_stride[1] + t * sh.x_stride[2];
            const int64_t tab = b * sh.table_b + t * sh.table_t;
            T* yr = y + row * d;
            for (int64_t i = 0; i < sh.half; ++i) {
                const T c = cos[tab + i * sh.table_i], s = sign * sin[tab + i * sh.table_i];
                const T a = xr[i * first], e = xr[i * first + second];
                yr[i * first] = a * c - e * s;
                yr[i * first + second] = e * c + a * s;
            }
        }
    });
}

at::Tensor rope_rotate(const at::Tensor& x,
                       const at::Tensor& cos,
                       const at::Tensor& sin,
                       bool interleaved,
                       double sign) {
    RopeShape sh{.B = x.size(0),
                 .H = x.size(1),
                 .T = x.size(2),
                 .half = x.size(3) / 2,
                 .x_stride = {x.stride(0), x.stride(1), x.stride(2)},
                 .table_b = cos.dim() == 4 && cos.size(0) > 1 ? cos.stride(0) : 0,
                 .table_t = cos.stride(-2),
                 .table_i = cos.stride(-1),
                 .interleaved = interleaved};
    auto y = at::empty(x.sizes(), x.options());
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fused_rope", [&] {
        rope_kernel<scalar_t>(x.const_data_ptr<scalar_t>(), cos.const_data_ptr<scalar_t>(),
                              sin.const_data_ptr<scalar_t>(), y.mutable_data_ptr<scalar_t>(), sh,
                              static_cast<scalar_t>(sign));
    });
    return y;
}

struct RopeFunction : torch::autograd::Function<RopeFunction> {
    static at::Tensor forward(AutogradContext* ctx,
                              const at::Tensor& x,
                              const at::Tensor& cos,
                              const at::Tensor& sin,
                              bool interleaved) {
        ctx->save_for_backward({cos, sin});
        ctx->saved_data["interleaved"] = interleaved;
        return rope_rotate(x, cos, sin, interleaved, 1.0);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const bool interleaved = ctx->saved_data["interleaved"].toBool();
        return {rope_rotate(grads[0], saved[0], saved[1], interleaved, -1.0), at::Tensor(),
                at::Tensor(), at::Tensor()};
    }
};

}  // namespace

bool fused_rope_serves(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
    const auto table = [&](const at::Tensor& t) {
        return t.defined() && t.scalar_type() == x.scalar_type() && t.device().is_cpu() &&
               !t.requires_grad() && t.sizes() == cos.sizes() && t.strides() == cos.strides() &&
               (t.dim() == 2 ||
                (t.dim() == 4 && t.size(1) == 1 && (t.size(0) == 1 || t.size(0) == x.size(0))));
    };
    return fusable(x) && x.dim() == 4 && x.size(-1) % 2 == 0 && x.stride(-1) == 1 && table(cos) &&
           table(sin) && cos.size(-2) == x.size(2) && 2 * cos.size(-1) == x.size(-1);
}

at::Tensor fused_rope(const at::Tensor& x,
                      const at::Tensor& cos,
                      const at::Tensor& sin,
                      bool interleaved) {
    TORCH_CHECK(fused_rope_serves(x, cos, sin), "fused_rope: x ", x.sizes(), " (", x.scalar_type(),
                ") and table ", cos.sizes(),
                " do not fit: expected x [B, H, T, d] with unit stride along d, cos/sin [T, d/2] "
                "or [B or 1, 1, T, d/2] of x's dtype");
    if (torch::GradMode::is_enabled() && x.requires_grad()) {
        return RopeFunction::apply(x, cos, sin, interleaved);
    }
    return rope_rotate(x, cos, sin, interleaved, 1.0);
}

at::Tensor fused_rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
    if (!fusable(x) || weight.scalar_type() != x.scalar_type()) {
        const auto variance = x.pow(2).mean(-1, /*keepdim=*/true);
        return weight * (x * at::rsqrt(variance + eps));
    }
    return RmsNormFunction::apply(x, weight, eps);
}

at::Tensor fused_swiglu(const at::Tensor& gate, const at::Tensor& up) {
    if (!fusable(gate) || up.scalar_type() != gate.scalar_type() || gate.sizes() != up.sizes()) {
        return at::silu(gate) * up;
    }
    return SwigluFunction::apply(gate.contiguous(), up.contiguous());
}

at::Tensor fused_swiglu_packed(const at::Tensor& gate_up, const at::Tensor& row_scale) {
    const int64_t F = gate_up.size(-1) / 2;
    const bool scaled = row_scale.defined();
    if (scaled) {
        TORCH_CHECK(row_scale.numel() == gate_up.numel() / std::max<int64_t>(2 * F, 1),
                    "fused_swiglu_packed: ", row_scale.numel(), " row scales for gate_up ",
                    gate_up.sizes());
    }
    if (!fusable(gate_up) || (scaled && row_scale.scalar_type() != gate_up.scalar_type())) {
        const auto y = at::silu(gate_up.narrow(-1, 0, F)) * gate_up.narrow(-1, F, F);
        return scaled ? y * row_scale.reshape(with_last(y.sizes(), 1)) : y;
    }
    if (scaled) {
        return ScaledPackedSwigluFunction::apply(gate_up.contiguous(),
                                                 row_scale.reshape({-1}).contiguous());
    }
    return PackedSwigluFunction::apply(gate_up.contiguous());
}

}  // namespace r1::kernels
