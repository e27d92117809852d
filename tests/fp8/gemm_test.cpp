// The FP8 GEMM on every kernel this CPU runs, against dequantise-then-float64, on shapes with tails
// in every dimension; outputs are poisoned with NaN first so every element must be written.
#include "r1/fp8/gemm.h"

#include "r1/util/error.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <tuple>
#include <vector>

#include "support/expect.h"

namespace r1::fp8 {
namespace {

struct Shape {
    int64_t M, N, K;
};

/// Operands with mixed magnitudes per row (so the tile and block scales differ) and a zero tile.
std::pair<Quantized, Quantized> operands(const Shape& s, uint64_t seed) {
    at::manual_seed(seed);
    at::Tensor a = at::randn({s.M, s.K}) * at::exp(2.0 * at::randn({s.M, 1}));
    at::Tensor b = at::randn({s.N, s.K}) * at::exp(2.0 * at::randn({s.N, 1})) * 0.05;
    a.index_put_({0, at::indexing::Slice(0, std::min<int64_t>(s.K, kBlockSize))}, 0.0);
    return {quantize_tiles(a), quantize_blocks(b)};
}

/// The bound every kernel must meet, per element, against the exact (float64) product of the
/// dequantised operands. Products of two E4M3 values are exact in float32 (4 + 4 significant bits);
/// what rounds is the summation. A term passes through at most min(K, 128) - 1 additions inside its
/// 128-wide block (in any order: pairs in vdpbf16ps, lanes, chains), one rounding for a_s·b_s, one
/// for the block sum times that scale, KB - 1 additions into the total and up to 4 levels of lane
/// reduction: fewer than n = min(K, 128) + KB + 6 roundings of relative size u = 2^-24 each, so
/// |C - C64| ≤ n·u·Σ_k |A64[m,k]|·|B64[n,k]| (to first order; the 2x margin covers the rest).
struct Reference {
    at::Tensor c;      // [M, N] float64
    at::Tensor bound;  // [M, N] float64
};

Reference reference(const Quantized& a, const Quantized& b) {
    const at::Tensor a64 = dequantize_tiles(a).to(at::kDouble),
                     b64 = dequantize_blocks(b).to(at::kDouble);
    const int64_t K = a64.size(1);
    const double n = static_cast<double>(std::min(K, kBlockSize) + num_blocks(K) + 6);
    return {at::mm(a64, b64.t()),
            2.0 * n * std::ldexp(1.0, -24) * at::mm(a64.abs(), b64.abs().t()) + 1e-30};
}

at::Tensor poisoned(int64_t M, int64_t N) {
    return at::full({M, N}, NAN, at::kFloat);
}

::testing::AssertionResult within(const at::Tensor& c,
                                  const at::Tensor& expected,
                                  const at::Tensor& bound) {
    const at::Tensor err = (c.to(at::kDouble) - expected).abs();
    const at::Tensor bad = (err <= bound).logical_not();  // NaN (an unwritten element) is bad
    if (!bad.any().item<bool>()) {
        return ::testing::AssertionSuccess();
    }
    const at::Tensor first = bad.nonzero()[0];
    const int64_t m = first[0].item<int64_t>(), n = first[1].item<int64_t>();
    return ::testing::AssertionFailure()
           << bad.sum().item<int64_t>() << " bad elements; first [" << m << ", " << n
           << "]: " << c[m][n].item<double>() << " vs " << expected[m][n].item<double>()
           << " (bound " << bound[m][n].item<double>() << ")";
}

std::vector<Shape> test_shapes() {
    std::vector<Shape> shapes{{1, 1, 1},     {1, 256, 384},  {1, 129, 300},  {1, 1000, 1100},
                              {2, 77, 128},  {3, 33, 1000},  {5, 4, 129},    {17, 131, 260},
                              {64, 96, 513}, {65, 300, 200}, {130, 40, 256}, {300, 37, 130}};
    std::mt19937 rng(7);
    for (int i = 0; i < 8; ++i) {  // random shapes: M from 1, odd N, K across block boundaries
        const auto draw = [&](int64_t n) { return static_cast<int64_t>(rng() % n); };
        shapes.push_back({1 + draw(150), 1 + 2 * draw(150), 1 + draw(700)});
    }
    return shapes;
}

class GemmTest : public ::testing::TestWithParam<Kernel> {
  protected:
    void SetUp() override {
        if (!supported(GetParam())) {
            GTEST_SKIP() << "this CPU lacks the instructions of the " << name(GetParam())
                         << " kernel";
        }
    }
};

TEST_P(GemmTest, MatchesFloat64ReferenceOnEveryShape) {
    uint64_t seed = 0;
    for (const Shape& s : test_shapes()) {
        SCOPED_TRACE(::testing::Message() << "M=" << s.M << " N=" << s.N << " K=" << s.K);
        const auto [a, b] = operands(s, ++seed);
        const Reference ref = reference(a, b);
        const at::Tensor c = poisoned(s.M, s.N);
        gemm_out(c, a, b, GetParam());
        EXPECT_TRUE(within(c, ref.c, ref.bound));
    }
}

TEST_P(GemmTest, AgreesWithTheScalarKernel) {
    uint64_t seed = 100;
    for (const Shape& s : test_shapes()) {
        SCOPED_TRACE(::testing::Message() << "M=" << s.M << " N=" << s.N << " K=" << s.K);
        const auto [a, b] = operands(s, ++seed);
        const at::Tensor c = poisoned(s.M, s.N), c_scalar = poisoned(s.M, s.N);
        gemm_out(c, a, b, GetParam());
        gemm_out(c_scalar, a, b, Kernel::scalar);
        EXPECT_TRUE(within(c, c_scalar.to(at::kDouble), 2.0 * reference(a, b).bound));
    }
}

TEST_P(GemmTest, ThreadCountDoesNotChangeTheBits) {
    const auto [a, b] = operands({70, 300, 700}, 5);
    const int threads = at::get_num_threads();
    const at::Tensor one = poisoned(70, 300), many = poisoned(70, 300);
    at::set_num_threads(1);
    gemm_out(one, a, b, GetParam());
    at::set_num_threads(std::max(threads, 2));
    gemm_out(many, a, b, GetParam());
    at::set_num_threads(threads);
    EXPECT_TRUE(at::equal(one, many));
}

TEST_P(GemmTest, Bf16OutputIsTheFloatResultRounded) {
    const auto [a, b] = operands({9, 50, 300}, 9);
    const at::Tensor c = gemm(a, b, {.kernel = GetParam()});
    const at::Tensor c16 = gemm(a, b, {.kernel = GetParam(), .out_dtype = at::kBFloat16});
    EXPECT_EQ(c16.scalar_type(), at::kBFloat16);
    EXPECT_TRUE(at::equal(c16, c.to(at::kBFloat16)));
}

TEST_P(GemmTest, EveryCodeWidensExactly) {
    // Row n of B holds code n at column 7 (zeros elsewhere), A is all 1.0: C[m, n] = decode(n)
    // exactly, NaN for the NaN codes, on the dot path (M = 1) and the packed one (M = 20).
    for (int64_t M : {1, 20}) {
        const int64_t N = 256, K = 160;
        at::Tensor b = at::zeros({N, K}, at::kByte);
        b.select(1, 7).copy_(at::arange(N, at::kInt).to(at::kByte));
        const at::Tensor a = at::full({M, K}, 0x38, at::kByte);  // 0x38 = 1.0
        const Quantized aq{a.view(at::kFloat8_e4m3fn), at::ones({M, 2})};
        const Quantized bq{b.view(at::kFloat8_e4m3fn), at::ones({2, 2})};
        const at::Tensor c = poisoned(M, N);
        gemm_out(c, aq, bq, GetParam());
        const at::Tensor expected = to_float(at::arange(N, at::kInt).to(at::kByte), Format::e4m3);
        for (int64_t m = 0; m < M; ++m) {
            EXPECT_TRUE(at::equal(c[m].isnan(), expected.isnan())) << "row " << m;
            EXPECT_TRUE(at::equal(c[m].nan_to_num(0.0), expected.nan_to_num(0.0))) << "row " << m;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Kernels,
                         GemmTest,
                         ::testing::Values(Kernel::scalar, Kernel::avx2, Kernel::avx512),
                         [](const auto& info) { return std::string(name(info.param)); });

TEST(GemmLinearTest, QuantisesActivationsPerTileAndKeepsLeadingDims) {
    at::manual_seed(11);
    const at::Tensor x = at::randn({2, 3, 300}), w = at::randn({70, 300}) * 0.05;
    const Quantized wq = quantize_blocks(w);
    const at::Tensor y = linear(x, wq);
    ASSERT_EQ(y.sizes(), at::IntArrayRef({2, 3, 70}));
    EXPECT_TRUE(at::equal(y, gemm(quantize_tiles(x.reshape({6, 300})), wq).view({2, 3, 70})));
    // Against x · dequant(W)ᵀ in float64: activation rounding is at most 2^-4 relative per element
    // (plus 2^-10·s for subnormals, far below the scales here), the GEMM's own bound is much
    // smaller.
    const at::Tensor w64 = dequantize_blocks(wq).to(at::kDouble),
                     x64 = x.reshape({6, 300}).to(at::kDouble);
    const at::Tensor bound = 0.07 * at::mm(x64.abs(), w64.abs().t()) + 1e-6;
    EXPECT_TRUE(within(y.view({6, 70}), at::mm(x64, w64.t()), bound));
    EXPECT_EQ(linear(x, wq, {.out_dtype = at::kBFloat16}).scalar_type(), at::kBFloat16);
    EXPECT_THROW(linear(at::randn({4, 299}), wq), c10::Error);
}

TEST(GemmKernelTest, EnvironmentOverridesTheAutomaticChoice) {
    ASSERT_EQ(setenv("R1_FP8_KERNEL", "scalar", 1), 0);
    EXPECT_EQ(resolve(Kernel::automatic), Kernel::scalar);
    EXPECT_EQ(resolve(Kernel::avx2), supported(Kernel::avx2) ? Kernel::avx2 : Kernel::scalar);
    ASSERT_EQ(setenv("R1_FP8_KERNEL", "avx-512", 1), 0);
    const std::string what = test::error_of<util::ConfigError>([] { resolve(Kernel::automatic); });
    test::expect_contains(what, {"R1_FP8_KERNEL", "avx-512", "avx512"});
    ASSERT_EQ(unsetenv("R1_FP8_KERNEL"), 0);
    EXPECT_NE(resolve(Kernel::automatic), Kernel::automatic);
    EXPECT_EQ(parse_kernel("avx2", "--kernel"), Kernel::avx2);
}

TEST(GemmKernelTest, MalformedOperandsAreRejected) {
    const auto [a, b] = operands({4, 8, 256}, 3);
    const auto [a2, b2] = operands({4, 8, 384}, 3);
    EXPECT_THROW(gemm(a, b2), c10::Error);  // K disagrees
    EXPECT_THROW(gemm_out(at::empty({4, 8}, at::kBFloat16), a, b), c10::Error);
    EXPECT_THROW(gemm(a, b, {.out_dtype = at::kHalf}), c10::Error);
    EXPECT_THROW(gemm(b, a), c10::Error);  // b's scales are blocks, not tiles
}

}  // namespace
}  // namespace r1::fp8
