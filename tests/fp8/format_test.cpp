// E4M3 / E5M2 against LibTorch's own casts (tensor.to both ways, bit for bit) and against a
// brute-force float64 nearest-value search for the overflow modes torch does not offer.
#include "r1/fp8/format.h"

#include "r1/fp8/dispatch.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "fp8/kernel_table.h"

namespace r1::fp8 {
namespace {

struct Spec {
    Format format;
    int man_bits, bias, max_code;
};

constexpr Spec kE4m3Spec{Format::e4m3, 3, 7, 0x7E};
constexpr Spec kE5m2Spec{Format::e5m2, 2, 15, 0x7B};

/// |value| of a magnitude code, from the format's definition (codes past max_code read as normal).
double magnitude(const Spec& f, int code) {
    const int eb = code >> f.man_bits, m = code & ((1 << f.man_bits) - 1);
    if (eb == 0) {
        return std::ldexp(m, 1 - f.bias - f.man_bits);
    }
    return std::ldexp(1.0 + std::ldexp(m, -f.man_bits), eb - f.bias);
}

/// Round-to-nearest-even by search over every magnitude code (float64), then the overflow rule.
uint8_t brute_force(const Spec& f, float x, Overflow overflow) {
    const uint8_t sign = std::signbit(x) ? 0x80 : 0;
    if (std::isnan(x)) {
        return sign | 0x7F;
    }
    const double a = std::fabs(static_cast<double>(x));
    int best = 0;
    if (a > magnitude(f, f.max_code + 1)) {
        best = f.max_code + 1;  // far past the range: double's distances would tie
    }
    for (int code = 1; code <= f.max_code + 1 && best <= f.max_code;
         ++code) {  // max_code + 1: the first value past the max
        const double d = std::fabs(magnitude(f, code) - a),
                     best_d = std::fabs(magnitude(f, best) - a);
        if (d < best_d || (d == best_d && code % 2 == 0)) {
            best = code;
        }
    }
    if (std::isinf(x) || best > f.max_code) {
        const bool e4m3 = f.format == Format::e4m3;
        const bool saturate =
            overflow == Overflow::saturate || (overflow == Overflow::like_torch && e4m3);
        best = saturate ? f.max_code : (e4m3 ? 0x7F : 0x7C);
    }
    return static_cast<uint8_t>(sign | best);
}

/// Random bit patterns (every exponent, NaN, inf, subnormals), then targeted values: every
/// representable value, the ties halfway between neighbours and one float ulp either side, the
/// overflow thresholds, ±0.
std::vector<float> test_floats(const Spec& f, int64_t random_count) {
    std::mt19937 rng(1234);
    std::vector<float> xs;
    for (int64_t i = 0; i < random_count; ++i) {
        xs.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
    }
    std::uniform_real_distribution<float> near(-2.0f * magnitude(f, f.max_code),
                                               2.0f * magnitude(f, f.max_code));
    for (int64_t i = 0; i < random_count / 4; ++i) {  // dense in the format's own range
        xs.push_back(near(rng) * std::ldexp(1.0f, -static_cast<int>(rng() % 30)));
    }
    for (int code = 0; code <= f.max_code + 1; ++code) {
        const float v = static_cast<float>(magnitude(f, code));
        const float tie = static_cast<float>((magnitude(f, code) + magnitude(f, code + 1)) / 2);
        for (float t : {v, tie}) {
            for (float s : {t, std::nextafter(t, 0.0f), std::nextafter(t, INFINITY)}) {
                xs.push_back(s);
                xs.push_back(-s);
            }
        }
    }
    for (float s : {0.0f, -0.0f, 464.0f, 465.0f, 480.0f, 61440.0f, 65536.0f, INFINITY, -INFINITY,
                    NAN, -NAN, std::numeric_limits<float>::denorm_min(),
                    std::numeric_limits<float>::min(), std::numeric_limits<float>::max()}) {
        xs.push_back(s);
    }
    return xs;
}

at::Tensor bytes_of(const at::Tensor& fp8) {
    return fp8.view(at::kByte);
}

class FormatTest : public ::testing::TestWithParam<Spec> {};

TEST_P(FormatTest, AllCodesDecodeLikeTorch) {
    const Spec f = GetParam();
    const at::Tensor codes = at::arange(256, at::kInt).to(at::kByte);
    const at::Tensor expected = codes.view(dtype(f.format)).to(at::kFloat).view(at::kInt);
    const at::Tensor ours = to_float(codes, f.format).view(at::kInt);
    for (int c = 0; c < 256; ++c) {
        const float scalar = f.format == Format::e4m3 ? decode_e4m3(static_cast<uint8_t>(c))
                                                      : decode_e5m2(static_cast<uint8_t>(c));
        EXPECT_EQ(std::bit_cast<int32_t>(scalar), expected[c].item<int32_t>()) << "code " << c;
        EXPECT_EQ(ours[c].item<int32_t>(), expected[c].item<int32_t>()) << "code " << c;
    }
}

TEST_P(FormatTest, AllCodesRoundTrip) {
    const Spec f = GetParam();
    for (int c = 0; c < 256; ++c) {
        const auto code = static_cast<uint8_t>(c);
        const float v = f.format == Format::e4m3 ? decode_e4m3(code) : decode_e5m2(code);
        const uint8_t back = f.format == Format::e4m3 ? encode_e4m3(v) : encode_e5m2(v);
        if (std::isnan(v)) {
            EXPECT_EQ(back, (code & 0x80) | 0x7F) << "code " << c;  // one NaN per sign
        } else {
            EXPECT_EQ(back, code) << "code " << c;
        }
    }
}

TEST_P(FormatTest, MillionFloatsEncodeLikeTorchOnEveryKernel) {
    const Spec f = GetParam();
    const std::vector<float> xs = test_floats(f, 1'000'000);
    const auto n = static_cast<int64_t>(xs.size());
    const at::Tensor x = at::from_blob(const_cast<float*>(xs.data()), {n}, at::kFloat);
    const at::Tensor expected = bytes_of(x.to(dtype(f.format)));
    EXPECT_TRUE(at::equal(bytes_of(to_fp8(x, f.format)), expected));
    for (Kernel k : {Kernel::scalar, Kernel::avx2, Kernel::avx512}) {
        if (!supported(k)) {
            continue;
        }
        std::vector<uint8_t> out(xs.size());
        const detail::Layout& l = detail::layout(f.format);
        detail::kernel_table(k).encode(xs.data(), out.data(), n, l,
                                       detail::overflow_code(l, Overflow::like_torch));
        const at::Tensor got = at::from_blob(out.data(), {n}, at::kByte);
        const at::Tensor bad = (got != expected).nonzero();
        ASSERT_EQ(bad.size(0), 0) << name(k) << ": first mismatch at "
                                  << xs[bad[0][0].item<int64_t>()];
    }
    for (int64_t i = 0; i < n; i += 97) {  // the scalar entry points too (every 97th value)
        const uint8_t got = f.format == Format::e4m3 ? encode_e4m3(xs[i]) : encode_e5m2(xs[i]);
        ASSERT_EQ(got, expected[i].item<uint8_t>()) << "x = " << xs[i];
    }
}

TEST_P(FormatTest, EveryOverflowModeMatchesBruteForce) {
    const Spec f = GetParam();
    const std::vector<float> xs = test_floats(f, 20'000);
    for (Overflow o : {Overflow::like_torch, Overflow::saturate, Overflow::non_saturating}) {
        std::vector<uint8_t> out(xs.size());
        encode(f.format, xs, out, o);
        for (size_t i = 0; i < xs.size(); ++i) {
            ASSERT_EQ(out[i], brute_force(f, xs[i], o))
                << "x = " << xs[i] << ", mode " << static_cast<int>(o);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Formats,
                         FormatTest,
                         ::testing::Values(kE4m3Spec, kE5m2Spec),
                         [](const auto& info) { return std::string(name(info.param.format)); });

TEST(FormatTest, TorchSaturatesE4m3AndOverflowsE5m2) {
    // The behaviour torch 2.13 has (model-spec §8.9 describes the older NaN-above-464 cast).
    EXPECT_EQ(encode_e4m3(465.0f), 0x7E);
    EXPECT_EQ(encode_e4m3(-INFINITY), 0xFE);
    EXPECT_EQ(encode_e4m3(464.0f), 0x7E);  // the tie rounds to even 448
    EXPECT_EQ(encode_e4m3(465.0f, Overflow::non_saturating), 0x7F);
    EXPECT_EQ(encode_e5m2(61440.0f), 0x7C);  // the tie rounds to even: +inf
    EXPECT_EQ(encode_e5m2(61439.0f), 0x7B);
    EXPECT_EQ(encode_e5m2(INFINITY, Overflow::saturate), 0x7B);
    EXPECT_EQ(decode_e4m3(0x7E), kE4m3Max);
    EXPECT_EQ(decode_e5m2(0x7B), kE5m2Max);
    EXPECT_EQ(decode_e4m3(0x01), std::ldexp(1.0f, -9));  // smallest subnormal
    EXPECT_EQ(decode_e5m2(0x01), std::ldexp(1.0f, -16));
}

TEST(FormatTest, TensorsKeepShapeAndDtype) {
    const at::Tensor x = at::randn({3, 5}).to(at::kBFloat16);
    const at::Tensor q = to_fp8(x, Format::e4m3);
    EXPECT_EQ(q.scalar_type(), at::kFloat8_e4m3fn);
    EXPECT_EQ(q.sizes(), x.sizes());
    EXPECT_TRUE(at::equal(to_float(q), x.to(at::kFloat).to(at::kFloat8_e4m3fn).to(at::kFloat)));
    EXPECT_THROW(to_fp8(at::ones({2}, at::kInt), Format::e4m3), c10::Error);
    EXPECT_THROW(to_float(at::ones({2}, at::kFloat)), c10::Error);
}

}  // namespace
}  // namespace r1::fp8
