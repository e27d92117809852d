// The batched strided GEMM (kernels/gemm_batch.h) and the experts' grouped linear built on it
// (kernels/grouped_linear.h) against float64 matmuls: every layout the experts use (a row-major or
// column-major, b = wᵀ or b row-major), tails of M, N and K around the 6-row, 16-column and
// 256-deep blocks, empty problems and K = 0; the same bits at one and two threads; forward and
// both gradients of grouped_linear against a per-group loop of matmuls.
#include "kernels/gemm_batch.h"

#include "r1/kernels/grouped_linear.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::kernels {
namespace {

using detail::GemmProblem;
using detail::StridedMatrix;

// A float32 matrix and its strides as gemm_batch reads them.
StridedMatrix view(const at::Tensor& t) {
    return {t.data_ptr<float>(), t.stride(0), t.stride(1)};
}

// float32's bound for a sum of K products taken in turn: K·2⁻²⁴·Σ|products| (Higham, Accuracy
// and Stability, §3.1), with a and b in float64.
at::Tensor inner_product_bound(const at::Tensor& a, const at::Tensor& b) {
    const double K = static_cast<double>(a.size(1));
    return (K * std::ldexp(1.0, -24)) * at::mm(a.abs(), b.abs()) + 1e-30;
}

struct Layout {
    bool a_column_major, b_transposed;
};

// a [M, K] and b [K, N] in the given layout (their values do not depend on it), and c [M, N + 3]
// filled with 7s beyond N to show what gemm_batch leaves alone.
struct Case {
    at::Tensor a, b, c;

    GemmProblem problem() const {
        return {.a = view(a),
                .b = view(b),
                .c = c.data_ptr<float>(),
                .ldc = c.stride(0),
                .M = a.size(0),
                .N = b.size(1),
                .K = a.size(1)};
    }
};

Case make_case(int64_t M, int64_t N, int64_t K, Layout layout) {
    const auto a = layout.a_column_major ? torch::randn({K, M}).t() : torch::randn({M, K});
    const auto b = layout.b_transposed ? torch::randn({N, K}).t() : torch::randn({K, N});
    return {a, b, torch::full({M, N + 3}, 7.0f)};
}

void expect_product(const Case& c) {
    const int64_t N = c.b.size(1);
    const auto a = c.a.to(at::kDouble), b = c.b.to(at::kDouble);
    const auto err = (c.c.narrow(1, 0, N).to(at::kDouble) - at::mm(a, b)).abs();
    EXPECT_TRUE(err.le(inner_product_bound(a, b)).all().item<bool>())
        << "largest error " << err.max().item<double>();
    EXPECT_TRUE(c.c.narrow(1, N, 3).eq(7.0f).all().item<bool>());  // untouched
}

class GemmBatchTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!detail::gemm_batch_available()) {
            GTEST_SKIP() << "gemm_batch needs AVX2 and FMA";
        }
    }
};

TEST_F(GemmBatchTest, EveryLayoutAndTailEqualsMatmul) {
    torch::manual_seed(0);
    for (const Layout layout :
         {Layout{false, true}, Layout{false, false}, Layout{true, false}, Layout{true, true}}) {
        for (const int64_t M : {1, 5, 6, 13, 100}) {
            for (const int64_t N : {1, 15, 16, 17, 70}) {
                for (const int64_t K : {1, 8, 255, 256, 257, 600}) {
                    SCOPED_TRACE(::testing::Message()
                                 << "M " << M << " N " << N << " K " << K << " a column-major "
                                 << layout.a_column_major << " b = wᵀ " << layout.b_transposed);
                    const auto c = make_case(M, N, K, layout);
                    const auto p = c.problem();
                    detail::gemm_batch({&p, 1});
                    expect_product(c);
                }
            }
        }
    }
}

// A column-major a whose k-step spans more than a page is copied in groups of rows first.
TEST_F(GemmBatchTest, WideColumnMajorOperandEqualsMatmul) {
    torch::manual_seed(1);
    const auto c = make_case(/*M=*/1100, /*N=*/40, /*K=*/300, {true, false});
    const auto p = c.problem();
    detail::gemm_batch({&p, 1});
    expect_product(c);
}

// Many problems of different sizes in one call, some empty and one with K = 0 (zeros), and the
// same bits at one thread as at two (each output's sum order is fixed by K alone).
TEST_F(GemmBatchTest, ManyProblemsAtAnyThreadCount) {
    torch::manual_seed(2);
    std::vector<Case> cases;
    for (const auto& [M, N, K] : std::vector<std::array<int64_t, 3>>{
             {130, 64, 40}, {0, 16, 8}, {7, 33, 0}, {12, 0, 5}, {64, 200, 300}, {3, 5, 7}}) {
        cases.push_back(make_case(M, N, K, {false, true}));
    }
    std::vector<GemmProblem> problems;
    for (const auto& c : cases) {
        problems.push_back(c.problem());
    }
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    detail::gemm_batch(problems);
    std::vector<at::Tensor> serial;
    for (const auto& c : cases) {
        serial.push_back(c.c.clone());
    }
    at::set_num_threads(std::max(threads, 2));
    detail::gemm_batch(problems);
    at::set_num_threads(threads);
    for (size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE("problem " + std::to_string(i));
        expect_product(cases[i]);
        EXPECT_TRUE(cases[i].c.equal(serial[i]));
    }
}

// Forward and both gradients against a loop of matmuls per group in float64, with an empty
// group (its weight's gradient is zero) and groups of uneven sizes.
TEST_F(GemmBatchTest, GroupedLinearMatchesPerGroupMatmuls) {
    torch::manual_seed(3);
    const int64_t E = 5, N = 40, K = 70;
    const std::vector<int64_t> sizes{17, 0, 130, 1, 52};
    std::vector<int64_t> ends;
    int64_t T = 0;
    for (const int64_t s : sizes) {
        ends.push_back(T += s);
    }
    const auto x = torch::randn({T, K}).requires_grad_(true);
    const auto w = torch::randn({E, N, K}).requires_grad_(true);
    ASSERT_TRUE(grouped_linear_own_kernels(x, w));
    const auto y = grouped_linear(x, w, torch::tensor(ends, torch::kInt32));
    const auto gy = torch::randn({T, N});
    (y * gy).sum().backward();

    const auto x64 = x.detach().to(at::kDouble).requires_grad_(true);
    const auto w64 = w.detach().to(at::kDouble).requires_grad_(true);
    std::vector<at::Tensor> parts;
    for (int64_t e = 0, start = 0; e < E; start += sizes[e], ++e) {
        parts.push_back(at::mm(x64.narrow(0, start, sizes[e]), w64[e].t()));
    }
    const auto y64 = at::cat(parts);
    (y64 * gy.to(at::kDouble)).sum().backward();
    R1_EXPECT_CLOSE(y.detach().to(at::kDouble), y64.detach(), 1e-5, 1e-5);
    R1_EXPECT_CLOSE(x.grad().to(at::kDouble), x64.grad(), 1e-5, 1e-5);
    R1_EXPECT_CLOSE(w.grad().to(at::kDouble), w64.grad(), 1e-5, 1e-5);
    EXPECT_TRUE(w.grad()[1].eq(0).all().item<bool>());  // the empty group
}

TEST_F(GemmBatchTest, GroupedLinearRejectsEndsThatDoNotCoverTheRows) {
    const auto x = torch::randn({6, 4}), w = torch::randn({2, 3, 4});
    EXPECT_THROW(grouped_linear(x, w, torch::tensor({4, 7}, torch::kInt32)), c10::Error);
    EXPECT_THROW(grouped_linear(x, w, torch::tensor({5, 2}, torch::kInt32)), c10::Error);
    EXPECT_THROW(grouped_linear(x, w, torch::tensor({2, 5}, torch::kInt32)), c10::Error);
    EXPECT_THROW(grouped_linear(x, w.narrow(2, 0, 3), torch::tensor({2, 6}, torch::kInt32)),
                 c10::Error);
}

}  // namespace
}  // namespace r1::kernels
