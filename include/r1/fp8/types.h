// The vocabulary of r1::fp8 (formats, overflow rules, DeepSeek's 128 block), free of LibTorch so
// the SIMD kernel files, compiled with their own -m flags, include nothing they could miscompile.
#pragma once

#include <cstdint>

namespace r1::fp8 {

enum class Format {
    e4m3,  ///< s.eeee.mmm, bias 7, max 448, no infinities, NaN = S.1111.111 (torch.float8_e4m3fn)
    e5m2,  ///< s.eeeee.mm, bias 15, max 57344, IEEE-like infinities and NaNs (torch.float8_e5m2)
};

/// What a value beyond the largest finite code becomes (after round-to-nearest-even; inputs in the
/// rounding gap just above the maximum that round down to it are not overflows).
enum class Overflow {
    /// What torch 2.13's cast does: E4M3 saturates (|x| > 448 and ±inf → ±448; c10 changed this
    /// from "NaN above 464", the behaviour model-spec §8.9 describes); E5M2 overflows to ±inf.
    like_torch,
    /// Every non-NaN input lands in [-max, max], ±inf included.
    saturate,
    /// OCP's non-saturating mode: E4M3 → NaN, E5M2 → ±inf.
    non_saturating,
};

inline constexpr float kE4m3Max = 448.0f;
inline constexpr float kE5m2Max = 57344.0f;

inline constexpr int64_t kBlockSize = 128;  // DeepSeek's block: 1x128 tiles, 128x128 blocks

/// Number of 128-wide blocks covering `n` (the tail block is partial).
constexpr int64_t num_blocks(int64_t n) {
    return (n + kBlockSize - 1) / kBlockSize;
}

}  // namespace r1::fp8
