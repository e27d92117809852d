// Private: e^x for x ≤ 0 in a form the compiler vectorises, for the fused kernels
// (attention.cpp, decode_gemm.cpp, greedy.cpp). Always inlined, so a caller built for AVX2 gets
// AVX2 code.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace r1::kernels::detail {

/// e^x for x ≤ 0 (a softmax row after subtracting its max, a sigmoid's e^-|x|): Cephes' expf
/// (x = n·ln2 + r with ln2 in two parts, a degree-5 polynomial in r, 2^n from its bits), under
/// 2 ulp; 0 below -87.3 (e^x under FLT_MIN), which masked entries reach. Its selects work on
/// bits: float compares, which may trap, keep GCC from vectorising the loop around it.
[[gnu::always_inline]] inline float exp_nonpositive(float value) {
    constexpr auto kLowest = std::bit_cast<uint32_t>(-87.3365478515625f);
    const auto bits = std::bit_cast<uint32_t>(value);
    const bool under = bits > kLowest;  // value < -87.3: larger magnitude, same sign
    const float x = std::bit_cast<float>(under ? kLowest : bits);
    const auto n = static_cast<int32_t>(x * 1.44269504088896341f - 0.5f);  // round(x / ln 2)
    const auto nf = static_cast<float>(n);
    const float r = (x - nf * 0.693359375f) - nf * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float y = (p * r * r + r + 1.0f) * std::bit_cast<float>((n + 127) << 23);
    return std::bit_cast<float>(std::bit_cast<uint32_t>(y) & (under ? 0u : ~0u));
}

[[gnu::always_inline]] inline double exp_nonpositive(double x) {
    return std::exp(x);
}

}  // namespace r1::kernels::detail
