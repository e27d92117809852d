// The decode GEMMs (kernels/decode_gemm.h) against float64 matmuls: every tail of K (8-wide steps,
// 256-deep panels) and of N (4-row blocks, 16-row panels), strided rows, sub-ranges of N; the
// Linear wrapper's conditions; the experts against a per-token loop, the same bits at one and two
// threads.
#include "r1/kernels/decode_gemm.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::kernels {
namespace {

using detail::DecodeGemm;

// One decode_gemm over all of N on random x [M, K], w [N, K] and bias [N]. The rows of x and y
// are wider than K and N (x by 3, y by 2 columns of 7s), so the strides are honoured.
struct GemmCase {
    at::Tensor x, w, bias, y;  // y [M, N + 2]
    at::Tensor expected;       // float64 addmm [M, N]
};

GemmCase run_gemm(int64_t M, int64_t N, int64_t K) {
    GemmCase c{.x = torch::randn({M, K + 3}).narrow(1, 0, K),
               .w = torch::randn({N, K}),
               .bias = torch::randn({N}),
               .y = torch::full({M, N + 2}, 7.0f)};
    DecodeGemm g{.x = c.x.data_ptr<float>(),
                 .w = c.w.data_ptr<float>(),
                 .bias = c.bias.data_ptr<float>(),
                 .y = c.y.data_ptr<float>(),
                 .M = M,
                 .N = N,
                 .K = K,
                 .ldx = K + 3,
                 .ldw = K,
                 .ldy = N + 2};
    detail::decode_gemm(g, 0, N);
    c.expected = at::addmm(c.bias.to(at::kDouble), c.x.to(at::kDouble), c.w.to(at::kDouble).t());
    return c;
}

TEST(DecodeGemmTest, GemmEqualsMatmulForEveryTail) {
    torch::manual_seed(0);
    for (const int64_t M : {1, 2, 3, 5, 17}) {
        for (const int64_t N : {1, 3, 4, 7, 66}) {
            for (const int64_t K : {1, 7, 8, 13, 16, 24, 61}) {
                const auto c = run_gemm(M, N, K);
                SCOPED_TRACE("M " + std::to_string(M) + " N " + std::to_string(N) + " K " +
                             std::to_string(K));
                R1_EXPECT_CLOSE(c.y.narrow(1, 0, N).to(at::kDouble), c.expected, 1e-5, 1e-5);
                EXPECT_TRUE(c.y.narrow(1, N, 2).eq(7.0f).all().item<bool>());  // untouched
            }
        }
    }
}

// From 24 rows on, panels of 16 weight rows over blocks of 256 of K: every tail of both, a K of
// several blocks, and row counts off the six-row steps.
TEST(DecodeGemmTest, PanelPathEqualsMatmulAcrossBlocksOfK) {
    torch::manual_seed(4);
    for (const int64_t M : {24, 29, 64}) {
        for (const int64_t N : {16, 37, 48}) {
            for (const int64_t K : {9, 255, 256, 257, 600}) {
                const auto c = run_gemm(M, N, K);
                // Each output adds its K products in turn: float32's bound for such a sum is
                // K·2⁻²⁴·Σ|products| (Higham, Accuracy and Stability, §3.1).
                const auto bound =
                    at::addmm(c.bias.abs().to(at::kDouble), c.x.abs().to(at::kDouble),
                              c.w.abs().to(at::kDouble).t()) *
                    (static_cast<double>(K + 1) * 0x1p-24);
                const auto err = (c.y.narrow(1, 0, N).to(at::kDouble) - c.expected).abs();
                EXPECT_TRUE(err.le(bound).all().item<bool>())
                    << "M " << M << " N " << N << " K " << K << ": max error "
                    << err.max().item<double>() << ", bound at that output "
                    << bound.flatten()[err.argmax()].item<double>();
                EXPECT_TRUE(c.y.narrow(1, N, 2).eq(7.0f).all().item<bool>());
            }
        }
    }
}

TEST(DecodeGemmTest, GemmWritesOnlyItsRangeOfN) {
    torch::manual_seed(1);
    for (const int64_t M : {3, 25}) {  // the dot products' path, the panels'
        const auto x = torch::randn({M, 40}), w = torch::randn({60, 40});
        auto y = torch::zeros({M, 60});
        DecodeGemm g{.x = x.data_ptr<float>(),
                     .w = w.data_ptr<float>(),
                     .y = y.data_ptr<float>(),
                     .M = M,
                     .N = 60,
                     .K = 40,
                     .ldx = 40,
                     .ldw = 40,
                     .ldy = 60};
        detail::decode_gemm(g, 5, 43);  // off the 4- and 16-row blocks, two panels and a tail
        const auto expected = at::mm(x.to(at::kDouble), w.to(at::kDouble).t());
        R1_EXPECT_CLOSE(y.narrow(1, 5, 38).to(at::kDouble), expected.narrow(1, 5, 38), 1e-5, 1e-5);
        EXPECT_TRUE(y.narrow(1, 0, 5).eq(0).all().item<bool>());
        EXPECT_TRUE(y.narrow(1, 43, 17).eq(0).all().item<bool>());
    }
}

TEST(DecodeGemmTest, LinearServesFewRowsWithoutGradOnly) {
    torch::manual_seed(2);
    auto w = torch::randn({70, 24}).requires_grad_();
    const auto bias = torch::randn({70});
    const auto x = torch::randn({2, 2, 24});
    if (!decode_linear_serves(x, w.detach(), bias)) {
        GTEST_SKIP() << "no AVX2 + FMA on this CPU: torch::linear serves";
    }
    EXPECT_FALSE(decode_linear_serves(x, w, bias));  // grad mode on, w requires grad
    EXPECT_FALSE(decode_linear_serves(x.to(at::kDouble), w.detach().to(at::kDouble), {}));
    EXPECT_TRUE(decode_linear_serves(torch::randn({kDecodeRowsMax, 24}), w.detach(), {}));
    EXPECT_FALSE(decode_linear_serves(torch::randn({kDecodeRowsMax + 1, 24}), w.detach(), {}));
    EXPECT_FALSE(decode_linear_serves(x, w.detach().t().contiguous().t(), {}));  // strided w
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(decode_linear_serves(x, w, bias));
    const auto y = decode_linear(x, w, bias);
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 2, 70}));
    R1_EXPECT_CLOSE(y, torch::linear(x, w, bias), 1e-5, 1e-5);
    const auto t = x.transpose(0, 1);  // rows not viewable as [4, 24]: reshaped by copy
    R1_EXPECT_CLOSE(decode_linear(t, w, {}), torch::linear(t, w), 1e-5, 1e-5);
}

// The experts one token and one choice at a time, in float64.
at::Tensor experts_by_loop(const at::Tensor& x,
                           const at::Tensor& indices,
                           const at::Tensor& weights,
                           const at::Tensor& gate_up,
                           const at::Tensor& down) {
    const int64_t I = gate_up.size(1) / 2;
    auto y = torch::zeros(x.sizes(), x.options().dtype(at::kDouble));
    for (int64_t t = 0; t < x.size(0); ++t) {
        for (int64_t j = 0; j < indices.size(1); ++j) {
            const int64_t e = indices[t][j].item<int64_t>();
            const auto h = at::mv(gate_up[e].to(at::kDouble), x[t].to(at::kDouble));
            const auto act = at::silu(h.narrow(0, 0, I)) * h.narrow(0, I, I);
            y[t] += weights[t][j].item<double>() * at::mv(down[e].to(at::kDouble), act);
        }
    }
    return y;
}

TEST(DecodeGemmTest, ExpertsEqualPerTokenLoopAtAnyThreadCount) {
    torch::manual_seed(3);
    const int64_t N = 9, H = 20, I = 12, E = 6, K = 3;
    const auto x = torch::randn({N, H});
    const auto gate_up = torch::randn({E, 2 * I, H}) * 0.3, down = torch::randn({E, H, I}) * 0.3;
    // distinct experts per token, in no particular order; expert 5 never chosen
    const auto indices = std::get<1>(torch::rand({N, E - 1})
                                         .topk(K, -1, /*largest=*/true,
                                               /*sorted=*/false));
    const auto weights = torch::rand({N, K});
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    const auto one = decode_experts(x, indices, weights, gate_up, down);
    at::set_num_threads(2);
    const auto two = decode_experts(x, indices, weights, gate_up, down);
    at::set_num_threads(threads);
    EXPECT_TRUE(at::equal(one, two));
    R1_EXPECT_CLOSE(one.to(at::kDouble), experts_by_loop(x, indices, weights, gate_up, down), 1e-5,
                    1e-5);
}

}  // namespace
}  // namespace r1::kernels
