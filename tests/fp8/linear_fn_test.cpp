// FP8 training linear (fp8/linear_fn.h) against float64 autograd: (1) of the dequantised FP8
// operands, which it must equal up to float32 accumulation, GEMM by GEMM (Fprop, Dgrad, Wgrad);
// (2) of the unquantised operands, within the bound E4M3's 3-bit mantissa implies.
#include "r1/fp8/linear_fn.h"

#include "r1/fp8/quantize.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <gtest/gtest.h>

#include <cmath>

#include "support/expect.h"

namespace r1::fp8 {
namespace {

at::Tensor f64(const at::Tensor& t) {
    return t.to(at::kDouble);
}

/// Along the last dim (1x128 tiles) and dequantised: what the FP8 GEMMs actually multiply.
at::Tensor tiles64(const at::Tensor& x) {
    return f64(dequantize_tiles(quantize_tiles(x)));
}

/// Elementwise bound on |A·Bᵀ - A'·B'ᵀ| from the operands' rounding: E4M3 keeps 3 mantissa bits
/// (relative error ≤ 2^-4 for normals) and spaces subnormals 2^-9 apart (absolute error ≤ 2^-10·s).
at::Tensor product_bound(const at::Tensor& a,
                         const at::Tensor& ea,
                         const at::Tensor& b,
                         const at::Tensor& eb) {
    return at::matmul(ea, b.abs().t()) + at::matmul(a.abs(), eb.t()) + at::matmul(ea, eb.t());
}

/// The E4M3 rounding bound of each element of x under 1x128 tiles (along the last dim).
at::Tensor tile_error_bound(const at::Tensor& x) {
    const Quantized q = quantize_tiles(x);
    const at::Tensor s = q.scale.repeat_interleave(kBlockSize, -1).narrow(-1, 0, x.size(-1));
    return at::maximum(f64(x).abs() * std::ldexp(1.0, -4), f64(s) * std::ldexp(1.0, -10));
}

at::Tensor block_error_bound(const at::Tensor& w) {
    const Quantized q = quantize_blocks(w);
    const at::Tensor s = q.scale.repeat_interleave(kBlockSize, 0)
                             .repeat_interleave(kBlockSize, 1)
                             .narrow(0, 0, w.size(0))
                             .narrow(1, 0, w.size(1));
    return at::maximum(f64(w).abs() * std::ldexp(1.0, -4), f64(s) * std::ldexp(1.0, -10));
}

/// |actual - expected| ≤ rtol · scale elementwise, reporting the worst ratio.
void expect_within(const at::Tensor& actual,
                   const at::Tensor& expected,
                   const at::Tensor& scale,
                   double rtol,
                   const char* what) {
    const at::Tensor ratio = (f64(actual) - expected).abs() / (rtol * scale + 1e-300);
    EXPECT_LE(ratio.max().item<double>(), 1.0) << what << ": worst |error| / bound";
}

struct Case {
    at::Tensor x, w, b, dy;  // x [2, M/2, K], w [N, K], b [N], dy [2, M/2, N]
};

// M = 2·150 tokens, K = 300, N = 200: partial tiles and blocks along every dim.
Case make_case() {
    at::manual_seed(0);
    return {at::randn({2, 150, 300}) * at::exp(at::randn({2, 150, 1})),
            at::randn({200, 300}) * 0.05, at::randn({200}), at::randn({2, 150, 200}) * 1e-3};
}

struct Grads {
    at::Tensor y, dx, dw, db;
};

Grads fp8_grads(const Case& c) {
    const at::Tensor x = c.x.clone().requires_grad_(true);
    const at::Tensor w = c.w.clone().requires_grad_(true);
    const at::Tensor b = c.b.clone().requires_grad_(true);
    const at::Tensor y = linear_train(x, w, b);
    y.backward(c.dy);
    return {y.detach(), x.grad(), w.grad(), b.grad()};
}

TEST(Fp8LinearTrainTest, EachGemmEqualsFloat64OfItsDequantisedOperands) {
    const Case c = make_case();
    const Grads g = fp8_grads(c);
    const int64_t K = c.w.size(1), N = c.w.size(0);
    const at::Tensor x2 = c.x.reshape({-1, K}), dy2 = c.dy.reshape({-1, N});
    const at::Tensor wq = f64(dequantize_blocks(quantize_blocks(c.w)));
    // Fprop: X_q·W_qᵀ + b; float64 autograd of the dequantised operands, with the quantised
    // output gradient as grad_output, gives the reference Dgrad and Wgrad too
    const at::Tensor xq = tiles64(x2).requires_grad_(true);  // along K
    const at::Tensor w_for_x = wq.clone().requires_grad_(true);
    const at::Tensor y = at::matmul(xq, w_for_x.t()) + f64(c.b);
    const at::Tensor dyq = tiles64(dy2);  // along N
    const auto dx = torch::autograd::grad({y}, {xq}, {dyq})[0];
    const at::Tensor xm = f64(dequantize_tiles(quantize_tiles(x2.t()))).t();  // along M
    const at::Tensor w_for_w = f64(c.w).requires_grad_(true);
    const at::Tensor y_w = at::matmul(xm, w_for_w.t());
    const at::Tensor dym = f64(dequantize_tiles(quantize_tiles(dy2.t()))).t();  // along M
    const auto dw = torch::autograd::grad({y_w}, {w_for_w}, {dym})[0];
    // float32 accumulation over ≤ 300 terms: 1e-5 of Σ|a||b| is ~80x float32's worst case
    constexpr double kRtol = 1e-5;
    expect_within(g.y.reshape({-1, N}), y.detach(),
                  at::matmul(xq.detach().abs(), wq.abs().t()) + f64(c.b).abs(), kRtol, "Fprop");
    expect_within(g.dx.reshape({-1, K}), dx, at::matmul(dyq.abs(), wq.abs()), kRtol, "Dgrad");
    expect_within(g.dw, dw, at::matmul(dym.abs().t(), xm.abs()), kRtol, "Wgrad");
    R1_EXPECT_CLOSE(f64(g.db), f64(dy2).sum(0), 1e-5, 1e-9);  // bias gradient in float32
    EXPECT_EQ(g.dx.sizes(), c.x.sizes());
    EXPECT_EQ(g.dx.scalar_type(), at::kFloat);
}

TEST(Fp8LinearTrainTest, GradientsAreWithinTheE4m3BoundOfExactFloat64Gradients) {
    const Case c = make_case();
    const Grads g = fp8_grads(c);
    const int64_t K = c.w.size(1), N = c.w.size(0);
    const at::Tensor x2 = c.x.reshape({-1, K}), dy2 = c.dy.reshape({-1, N});
    // exact: y = x·wᵀ + b, dX = dY·W, dW = dYᵀ·X in float64 on the unquantised tensors
    const at::Tensor wt = f64(c.w).t().contiguous();
    const at::Tensor ex = tile_error_bound(x2), ew = block_error_bound(c.w);
    const at::Tensor edy_n = tile_error_bound(dy2);          // dY along N (Dgrad)
    const at::Tensor edy_m = tile_error_bound(dy2.t()).t();  // dY along M (Wgrad)
    const at::Tensor ex_m = tile_error_bound(x2.t()).t();    // X along M (Wgrad)
    const double slack = 1.0 + 1e-4;  // float32 accumulation on top of the rounding bound
    expect_within(g.y.reshape({-1, N}), at::matmul(f64(x2), wt) + f64(c.b),
                  product_bound(f64(x2), ex, f64(c.w), ew), slack, "Fprop vs exact");
    expect_within(g.dx.reshape({-1, K}), at::matmul(f64(dy2), f64(c.w)),
                  product_bound(f64(dy2), edy_n, wt, ew.t()), slack, "Dgrad vs exact");
    expect_within(g.dw, at::matmul(f64(dy2).t(), f64(x2)),
                  product_bound(f64(dy2).t(), edy_m.t(), f64(x2).t(), ex_m.t()), slack,
                  "Wgrad vs exact");
    // and the bound is not vacuous: the relative error of dW is a few percent, not 100%
    const at::Tensor exact_dw = at::matmul(f64(dy2).t(), f64(x2));
    const double rel = ((f64(g.dw) - exact_dw).norm() / exact_dw.norm()).item<double>();
    EXPECT_LT(rel, 0.05);
    EXPECT_GT(rel, 1e-4);  // FP8 rounding is really there
}

TEST(Fp8LinearTrainTest, WithoutBiasAndInBf16) {
    const Case c = make_case();
    const at::Tensor x = c.x.to(at::kBFloat16).requires_grad_(true);
    const at::Tensor w = c.w.clone().requires_grad_(true);
    const at::Tensor y = linear_train(x, w, at::Tensor());
    EXPECT_EQ(y.scalar_type(), at::kBFloat16);
    y.backward(c.dy.to(at::kBFloat16));
    EXPECT_EQ(x.grad().scalar_type(), at::kBFloat16);
    EXPECT_EQ(w.grad().scalar_type(), at::kFloat);
    const at::Tensor exact = at::matmul(f64(c.x.to(at::kBFloat16)), f64(c.w).t());
    EXPECT_LT((f64(y) - exact).norm().item<double>() / exact.norm().item<double>(), 0.05);
}

TEST(Fp8LinearTrainTest, RejectsMismatchedShapes) {
    const at::Tensor x = at::randn({3, 64}), w = at::randn({8, 65});
    test::expect_contains(test::error_of<c10::Error>([&] { linear_train(x, w, {}); }),
                          {"fp8::linear_train", "[3, 64]", "[8, 65]"});
}

}  // namespace
}  // namespace r1::fp8
