// Private: the scalar heart of format.h, written so the compiler vectorises it. encode_bits()
// rounds float32 bits to an FP8 code (round-to-nearest-even in integer arithmetic, so no rounding
// mode or denormal flag of the FPU can change it); the decode tables hold every code's exact float
// value.
#pragma once

#include "r1/fp8/types.h"

#include <array>
#include <bit>
#include <cstdint>

// The kernel files compile this header with different -m flags: every function here must inline
// into its caller, or the linker could hand an AVX-512 copy to the portable path (ODR).
#define R1_FP8_INLINE [[gnu::always_inline]] inline

namespace r1::fp8::detail {

/// The constants of one format.
struct Layout {
    int man_bits;       // 3 (E4M3) or 2 (E5M2)
    int bias;           // 7 or 15
    uint32_t max_code;  // largest finite magnitude code: 0x7E or 0x7B
    uint32_t nan_code;  // the NaN torch writes: 0x7F for both
    uint32_t inf_code;  // 0x7C for E5M2; E4M3 has none (its non-saturating overflow is NaN)
};

inline constexpr Layout kE4m3{3, 7, 0x7E, 0x7F, 0x7F};
inline constexpr Layout kE5m2{2, 15, 0x7B, 0x7F, 0x7C};

R1_FP8_INLINE constexpr const Layout& layout(Format format) {
    return format == Format::e4m3 ? kE4m3 : kE5m2;
}

/// The magnitude code an overflow becomes.
R1_FP8_INLINE constexpr uint32_t overflow_code(const Layout& l, Overflow overflow) {
    const bool is_e4m3 = l.man_bits == 3;
    switch (overflow) {
        case Overflow::like_torch:
            return is_e4m3 ? l.max_code : l.inf_code;
        case Overflow::saturate:
            return l.max_code;
        case Overflow::non_saturating:
            return l.inf_code;
    }
    return l.max_code;
}

/// float32 bits → FP8 code. Branch-free (selects only), so loops over it vectorise.
R1_FP8_INLINE uint8_t encode_bits(uint32_t bits, const Layout& l, uint32_t overflow) {
    const uint32_t sign = (bits >> 24) & 0x80u;
    const uint32_t abs = bits & 0x7FFFFFFFu;
    const int32_t fexp = static_cast<int32_t>(abs >> 23);  // biased float exponent, 0 = subnormal
    const uint32_t mant = (abs & 0x7FFFFFu) | (fexp != 0 ? 0x800000u : 0u);
    const int32_t e = (fexp > 1 ? fexp : 1) - 127;  // unbiased exponent of mant's bit 23
    const int32_t emin = 1 - l.bias;                // exponent of the smallest normal
    // Bits of mant below the kept mantissa: more when the result is subnormal. Beyond 31 every
    // input rounds to 0 (mant < 2^24 < half of 2^31), so the shift is clamped there.
    int32_t shift = 23 - l.man_bits + (emin > e ? emin - e : 0);
    shift = shift < 31 ? shift : 31;
    uint32_t r = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1);
    r += static_cast<uint32_t>((rem > half) | ((rem == half) & (r & 1u)));  // ties to even
    // Normal: (biased exponent - 1) << man_bits plus r with its implicit bit; subnormal: r alone.
    // A carry out of the mantissa lands in the exponent, as it should.
    const int32_t eb = e + l.bias;
    const int32_t eb_clamped = eb < 1 ? 1 : (eb > 64 ? 64 : eb);  // 64: anything past the max
    uint32_t code = (static_cast<uint32_t>(eb_clamped - 1) << l.man_bits) + r;
    code = code > l.max_code ? overflow : code;
    code = abs > 0x7F800000u ? l.nan_code : code;
    return static_cast<uint8_t>(code | sign);
}

/// float32 bits of one code, exactly; NaN payloads as torch's conversion produces them.
constexpr uint32_t decode_bits(uint32_t code, const Layout& l) {
    const uint32_t sign = (code & 0x80u) << 24;
    const uint32_t mag = code & 0x7Fu;
    const uint32_t eb = mag >> l.man_bits;
    const uint32_t m = mag & ((1u << l.man_bits) - 1u);
    const uint32_t all_ones = 0x7Fu >> l.man_bits;
    if (l.man_bits == 3 && mag == 0x7F) {
        return sign | 0x7F800000u | (m << 20);  // E4M3's NaN: c10 keeps the mantissa bits
    }
    if (l.man_bits == 2 && eb == all_ones) {  // E5M2 inf/NaN, decoded through a quieting f16 cast
        return sign | 0x7F800000u | (m == 0 ? 0u : 0x400000u | (m << 21));
    }
    if (eb != 0) {
        return sign | ((eb - l.bias + 127) << 23) | (m << (23 - l.man_bits));
    }
    if (m == 0) {
        return sign;
    }
    int p = 0;  // leading bit of a subnormal mantissa: value m * 2^(1 - bias - man_bits)
    while ((m >> (p + 1)) != 0) {
        ++p;
    }
    const uint32_t exponent = static_cast<uint32_t>(1 - l.bias - l.man_bits + p + 127);
    return sign | (exponent << 23) | ((m - (1u << p)) << (23 - p));
}

constexpr std::array<float, 256> make_table(const Layout& l) {
    std::array<float, 256> table{};
    for (uint32_t code = 0; code < 256; ++code) {
        table[code] = std::bit_cast<float>(decode_bits(code, l));
    }
    return table;
}

inline constexpr std::array<float, 256> kE4m3Table = make_table(kE4m3);
inline constexpr std::array<float, 256> kE5m2Table = make_table(kE5m2);

R1_FP8_INLINE constexpr const std::array<float, 256>& table(Format format) {
    return format == Format::e4m3 ? kE4m3Table : kE5m2Table;
}

/// The bulk loops each kernel file wraps (in its anonymous namespace) with its own instruction set.
/// GCC 12 does not vectorise encode_loop (mixed 32/8-bit lanes); kernels_avx512.cpp spells it out.
R1_FP8_INLINE void encode_loop(
    const float* in, uint8_t* out, int64_t n, const Layout& l, uint32_t overflow) {
    for (int64_t i = 0; i < n; ++i) {
        out[i] = encode_bits(std::bit_cast<uint32_t>(in[i]), l, overflow);
    }
}

R1_FP8_INLINE void decode_loop(const uint8_t* in,
                               float* out,
                               int64_t n,
                               const std::array<float, 256>& t) {
    for (int64_t i = 0; i < n; ++i) {
        out[i] = t[in[i]];
    }
}

}  // namespace r1::fp8::detail
