// Which hand-written SIMD path the FP8 conversions and GEMMs run: the best one this CPU supports
// (read from its flags at run time), overridden by the environment variable R1_FP8_KERNEL or by an
// explicit argument, so tests can force each path.
#pragma once

#include <string_view>

namespace r1::fp8 {

enum class Kernel {
    automatic,  ///< R1_FP8_KERNEL if set, else the best this CPU supports
    scalar,     ///< portable C++, the reference the SIMD paths are tested against
    avx2,       ///< AVX2 + FMA + F16C: E4M3 widened to float32, FMA accumulation
    avx512,  ///< AVX-512 F/BW/VL/VBMI + BF16: E4M3 widened to bf16 (exact), vdpbf16ps accumulation
};

std::string_view name(Kernel kernel);

/// "automatic", "scalar", "avx2" or "avx512"; anything else throws util::ConfigError naming `what`
/// (e.g. "R1_FP8_KERNEL") and the valid names.
Kernel parse_kernel(std::string_view text, std::string_view what);

/// Whether this CPU can run `kernel` (automatic and scalar always can).
bool supported(Kernel kernel);

/// The concrete kernel `requested` stands for: automatic → R1_FP8_KERNEL or the best supported;
/// throws util::UnsupportedError when the CPU lacks the requested (or configured) instruction set.
Kernel resolve(Kernel requested);

}  // namespace r1::fp8
