// The fused kernels against the ATen ops they replace (forward and both gradients, float64 and
// float32, views and odd widths) and against central finite differences.
#include "r1/kernels/fused.h"

#include "r1/kernels/attention.h"
#include "r1/model/attention.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

#include "model/support.h"
#include "support/expect.h"

namespace r1::kernels {
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
                    [](const auto& v) { return composite_rms_norm(v[0], v[1], 1e-6); }, {x, w}, tol,
                    tol);
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
        // a scale per row (the routed experts' weights): the scale gets its gradient too
        const auto scale = torch::rand({7, 1}, dtype);
        expect_same([](const auto& v) { return fused_swiglu_packed(v[0], v[1]); },
                    [](const auto& v) {
                        return torch::silu(v[0].narrow(1, 0, 19)) * v[0].narrow(1, 19, 19) * v[1];
                    },
                    {packed, scale}, tol, tol);
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
    auto scale = torch::rand({2, 5}, torch::kFloat64).requires_grad_(true);
    EXPECT_LT(test::gradient_error([&] { return (fused_swiglu_packed(h, scale) * r1).sum(); },
                                   {h, scale}),
              1e-6);
    const auto two_views = [&] {
        return (fused_swiglu(h.narrow(-1, 0, 11), h.narrow(-1, 11, 11)) * r1).sum();
    };
    EXPECT_LT(test::gradient_error(two_views, {h}), 1e-6);
    auto q = torch::randn({1, 2, 4, 5}, torch::kFloat64).requires_grad_(true);
    auto k = torch::randn({1, 2, 6, 5}, torch::kFloat64).requires_grad_(true);
    auto v = torch::randn({1, 2, 6, 3}, torch::kFloat64).requires_grad_(true);
    const auto mask = model::causal_mask(4, torch::tensor({{0, 1, 1, 1, 1, 1}}), torch::kFloat64);
    const auto r4 = torch::randn({1, 2, 4, 3}, torch::kFloat64);
    EXPECT_LT(test::gradient_error([&] { return (fused_attention(q, k, v, mask, 0.4) * r4).sum(); },
                                   {q, k, v}),
              1e-6);
}

// The rotation written out: pairs (2i, 2i+1) or (i, i + d/2), the table broadcast over heads.
at::Tensor composite_rope(const at::Tensor& x,
                          const at::Tensor& cos,
                          const at::Tensor& sin,
                          bool interleaved) {
    const int64_t d = x.size(-1);
    const auto a = interleaved ? x.slice(-1, 0, d, 2) : x.slice(-1, 0, d / 2);
    const auto b = interleaved ? x.slice(-1, 1, d, 2) : x.slice(-1, d / 2);
    const auto ya = a * cos - b * sin, yb = b * cos + a * sin;
    return interleaved ? torch::stack({ya, yb}, -1).flatten(-2) : torch::cat({ya, yb}, -1);
}

TEST(FusedTest, RopeEqualsCompositeOps) {
    torch::manual_seed(0);
    for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
        const double tol = dtype == torch::kFloat64 ? 1e-12 : 1e-6;
        for (const bool interleaved : {true, false}) {
            // a strided view (as MLA's q_pe), a shared [T, d/2] table and per-row [B, 1, T, d/2]
            const auto x = torch::randn({2, 3, 5, 24}, dtype).slice(-1, 8);
            for (const auto& shape :
                 {std::vector<int64_t>{5, 8}, std::vector<int64_t>{2, 1, 5, 8}}) {
                SCOPED_TRACE(::testing::Message() << dtype << " interleaved " << interleaved
                                                  << " table dims " << shape.size());
                const auto cos = torch::randn(shape, dtype), sin = torch::randn(shape, dtype);
                R1_EXPECT_CLOSE(fused_rope(x, cos, sin, interleaved),
                                composite_rope(x, cos, sin, interleaved), tol, tol);
                expect_same(
                    [&](const auto& t) { return fused_rope(t[0], cos, sin, interleaved); },
                    [&](const auto& t) { return composite_rope(t[0], cos, sin, interleaved); }, {x},
                    tol, tol);
                // a complex table's real and imaginary parts, read through their stride of 2
                const auto parts = at::view_as_real(at::complex(cos, sin));
                R1_EXPECT_CLOSE(
                    fused_rope(x, parts.select(-1, 0), parts.select(-1, 1), interleaved),
                    composite_rope(x, cos, sin, interleaved), tol, tol);
            }
        }
    }
    const auto cos = torch::randn({5, 8}), sin = torch::randn({5, 8});
    EXPECT_FALSE(fused_rope_serves(torch::randn({3, 5, 16}), cos, sin));  // not [B, H, T, d]
    EXPECT_FALSE(fused_rope_serves(torch::randn({1, 1, 5, 16}).to(torch::kBFloat16), cos, sin));
    EXPECT_FALSE(fused_rope_serves(torch::randn({1, 1, 4, 16}), cos, sin));  // 4 positions, 5 rows
    EXPECT_THROW(fused_rope(torch::randn({1, 1, 5, 12}), cos, sin, true), c10::Error);
}

at::Tensor composite_attention(const std::vector<at::Tensor>& t,
                               const at::Tensor& mask,
                               double scale) {
    auto scores = torch::matmul(t[0], t[1].transpose(-1, -2)) * scale;
    if (mask.defined()) {
        scores = scores + mask;
    }
    return torch::matmul(torch::softmax(scores, -1), t[2]);
}

TEST(FusedTest, AttentionEqualsCompositeOps) {
    // odd head dims (no vector-width multiple), keys beyond the queries (a cached step's shape),
    // left padding (so some query rows see no key at all: uniform weights, as HF), no mask
    torch::manual_seed(0);

    struct Case {
        int64_t S, T;
        at::Tensor attention_mask;  // [B, T] or undefined
        bool masked;
    };

    const std::vector<Case> cases{
        {7, 7, {}, true},
        {3, 11, torch::ones({2, 11}, torch::kInt64), true},
        {9, 9, torch::tensor({{0, 0, 0, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1}}), true},
        {5, 6, {}, false}};
    for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
        for (const auto& c : cases) {
            SCOPED_TRACE(::testing::Message() << "S=" << c.S << " T=" << c.T << " " << dtype);
            const auto q = torch::randn({2, 3, c.S, 13}, dtype) * 2;
            const auto k = torch::randn({2, 3, c.T, 13}, dtype) * 2;
            const auto v = torch::randn({2, 3, c.T, 5}, dtype);
            const auto mask =
                c.masked ? model::causal_mask(c.S, c.attention_mask, dtype) : at::Tensor();
            const double tol = dtype == torch::kFloat64 ? 1e-12 : 2e-5;
            expect_same([&](const auto& t) { return fused_attention(t[0], t[1], t[2], mask, 0.3); },
                        [&](const auto& t) { return composite_attention(t, mask, 0.3); }, {q, k, v},
                        tol, tol);
            torch::NoGradGuard no_grad;  // the path that keeps no probabilities
            R1_EXPECT_CLOSE(fused_attention(q, k, v, mask, 0.3),
                            composite_attention({q, k, v}, mask, 0.3), tol, tol);
        }
    }
    // grouped KV heads (GQA, and MQA as MLA's absorbed decode), read in place from strided
    // cache slices: the composite expands them per query head
    for (const int64_t nkv : {1, 2}) {
        SCOPED_TRACE(::testing::Message() << "nkv=" << nkv);
        const auto q = torch::randn({2, 4, 3, 10}, torch::kFloat64);
        const auto cache = torch::randn({2, nkv, 9, 16}, torch::kFloat64);  // [k | v] per slot
        const auto k = cache.narrow(2, 0, 7).narrow(-1, 0, 10);             // rows 16 apart
        const auto v = cache.narrow(2, 0, 7).narrow(-1, 10, 6);
        const auto mask = model::causal_mask(
            3, torch::tensor({{1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1}}), torch::kFloat64);
        const int64_t g = 4 / nkv;
        expect_same([&](const auto& t) { return fused_attention(t[0], t[1], t[2], mask, 0.3); },
                    [&](const auto& t) {
                        return composite_attention(
                            {t[0], t[1].repeat_interleave(g, 1), t[2].repeat_interleave(g, 1)},
                            mask, 0.3);
                    },
                    {q, k, v}, 1e-12, 1e-12);
        torch::NoGradGuard no_grad;
        R1_EXPECT_CLOSE(fused_attention(q, k, v, mask, 0.3),
                        composite_attention(
                            {q, k.repeat_interleave(g, 1), v.repeat_interleave(g, 1)}, mask, 0.3),
                        1e-12, 1e-12);
    }
    // float32 decode steps (one query row per head, 4 heads on 1 KV head: the dot-product path)
    // over keys that fill whole blocks of 8 and leave a tail, head dims with and without one
    for (const int64_t dk : {40, 13}) {
        for (const int64_t T : {21, 16, 5}) {
            SCOPED_TRACE(::testing::Message() << "decode dk=" << dk << " T=" << T);
            const auto cache = torch::randn({3, 1, 24, dk + 3}, torch::kFloat32);
            const auto k = cache.narrow(2, 0, T).narrow(-1, 0, dk);
            const auto v = cache.narrow(2, 0, T).narrow(-1, 3, 8);
            const auto q = torch::randn({3, 4, 1, dk}, torch::kFloat32);
            auto attention_mask = torch::ones({3, T}, torch::kInt64);
            attention_mask[1].narrow(0, 0, 2).zero_();  // a left-padded row
            const auto mask = model::causal_mask(1, attention_mask, torch::kFloat32);
            const auto expected = composite_attention(
                {q, k.expand({3, 4, T, dk}), v.expand({3, 4, T, 8})}, mask, 0.2);
            R1_EXPECT_CLOSE(fused_attention(q, k, v, mask, 0.2), expected, 2e-5, 2e-5);
            expect_same([&](const auto& t) { return fused_attention(t[0], t[1], t[2], mask, 0.2); },
                        [&](const auto& t) {
                            return composite_attention(
                                {t[0], t[1].expand({3, 4, T, dk}), t[2].expand({3, 4, T, 8})}, mask,
                                0.2);
                        },
                        {q, k, v}, 2e-5, 2e-5);
        }
    }
    // non-contiguous operands (as MLA's transposed projections) are read as their values
    const auto q = torch::randn({2, 4, 3, 8}, torch::kFloat64).transpose(1, 2);
    const auto k = torch::randn({2, 4, 3, 8}, torch::kFloat64).transpose(1, 2);
    const auto v = torch::randn({2, 4, 3, 6}, torch::kFloat64).transpose(1, 2).narrow(-1, 1, 4);
    R1_EXPECT_CLOSE(fused_attention(q, k, v, {}, 0.5), composite_attention({q, k, v}, {}, 0.5),
                    1e-12, 1e-12);
    EXPECT_FALSE(fused_attention_serves(q.to(torch::kBFloat16), k, v, {}));
    EXPECT_THROW(fused_attention(q, k.narrow(-1, 0, 7), v, {}, 0.5), c10::Error);
    EXPECT_THROW(fused_attention(q, k.narrow(1, 0, 2), v.narrow(1, 0, 2), {}, 0.5),
                 c10::Error);  // 3 heads, 2 KV
}

}  // namespace
}  // namespace r1::kernels
