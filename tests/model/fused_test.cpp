// The fused kernels against the ATen ops they replace (forward and both gradients, float64 and
// float32, views and odd widths) and against central finite differences.
#include "r1/model/fused.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

at::Tensor composite_rms_norm(const at::Tensor& x, const at::Tensor& w, double eps) {
    return w * (x * torch::rsqrt(x.pow(2).mean(-1, true) + eps));
}

// Forward and the gradient of Σ out ⊙ R w.r.t. every input, for f and its reference.
void expect_same(const std::function<at::Tensor(const std::vector<at::Tensor>&)>& fused,
                 const std::function<at::Tensor(const std::vector<at::Tensor>&)>& reference,
                 const std::vector<at::Tensor>& inputs,
                 double rtol,
                 double atol) {
    auto grads_of = [&](const auto& f) {
        std::vector<at::Tensor> leaves;
        for (const auto& t : inputs) {
            leaves.push_back(t.detach().clone().requires_grad_(true));
        }
        const auto out = f(leaves);
        torch::manual_seed(7);
        (out * torch::randn_like(out)).sum().backward();
        std::vector<at::Tensor> result{out.detach()};
        for (const auto& leaf : leaves) {
            result.push_back(leaf.grad());
        }
        return result;
    };
    const auto ours = grads_of(fused), theirs = grads_of(reference);
    for (size_t i = 0; i < ours.size(); ++i) {
        R1_EXPECT_CLOSE(ours[i], theirs[i], rtol, atol) << (i == 0 ? "output" : "grad ") << i;
    }
}

TEST(FusedTest, RmsNormEqualsCompositeOps) {
    torch::manual_seed(0);
    for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
        const auto x = torch::randn({3, 5, 37}, dtype) * 3;  // 37: no vector-width multiple
        const auto w = torch::randn({37}, dtype);
        const double tol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
        expect_same([](const auto& v) { return fused_rms_norm(v[0], v[1], 1e-6); },
                    [](const auto& v) { return composite_rms_norm(v[0], v[1], 1e-6); }, {x, w},
                    tol, tol);
    }
    // a non-contiguous input (a transposed view) is read as its values
    const auto x = torch::randn({6, 4}, torch::kFloat64).t();
    const auto w = torch::randn({6}, torch::kFloat64);
    R1_EXPECT_CLOSE(fused_rms_norm(x, w, 1e-6), composite_rms_norm(x, w, 1e-6), 1e-12, 1e-12);
}

TEST(FusedTest, SwigluEqualsCompositeOps) {
    torch::manual_seed(0);
    for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
        const auto g = torch::randn({4, 3, 19}, dtype) * 4;
        const auto u = torch::randn({4, 3, 19}, dtype);
        const double tol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
        expect_same([](const auto& v) { return fused_swiglu(v[0], v[1]); },
                    [](const auto& v) { return torch::silu(v[0]) * v[1]; }, {g, u}, tol, tol);
        const auto packed = torch::randn({7, 2 * 19}, dtype) * 4;
        expect_same([](const auto& v) { return fused_swiglu_packed(v[0]); },
                    [](const auto& v) {
                        return torch::silu(v[0].narrow(1, 0, 19)) * v[0].narrow(1, 19, 19);
                    },
                    {packed}, tol, tol);
    }
}

TEST(FusedTest, GradientsMatchFiniteDifferences) {
    torch::manual_seed(0);
    auto x = torch::randn({2, 5, 11}, torch::kFloat64).requires_grad_(true);
    auto w = torch::randn({11}, torch::kFloat64).requires_grad_(true);
    auto h = torch::randn({2, 5, 22}, torch::kFloat64).requires_grad_(true);
    const auto r1 = torch::randn({2, 5, 11}, torch::kFloat64);
    EXPECT_LT(test::gradient_error([&] { return (fused_rms_norm(x, w, 1e-6) * r1).sum(); }, {x, w}),
              1e-6);
    EXPECT_LT(test::gradient_error([&] { return (fused_swiglu_packed(h) * r1).sum(); }, {h}), 1e-6);
    const auto two_views = [&] {
        return (fused_swiglu(h.narrow(-1, 0, 11), h.narrow(-1, 11, 11)) * r1).sum();
    };
    EXPECT_LT(test::gradient_error(two_views, {h}), 1e-6);
}

}  // namespace
}  // namespace r1::model
