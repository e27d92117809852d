// Run-time choice of the FP8 kernels: CPU flags, then R1_FP8_KERNEL, then an explicit argument.
#include "r1/fp8/dispatch.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <array>
#include <cstdlib>
#include <string>

#include "fp8/kernel_table.h"

namespace r1::fp8 {
namespace {

constexpr std::array<Kernel, 4> kAll{Kernel::automatic, Kernel::scalar, Kernel::avx2,
                                     Kernel::avx512};

Kernel best_supported() {
    if (supported(Kernel::avx512)) {
        return Kernel::avx512;
    }
    return supported(Kernel::avx2) ? Kernel::avx2 : Kernel::scalar;
}

}  // namespace

std::string_view name(Kernel kernel) {
    switch (kernel) {
        case Kernel::automatic:
            return "automatic";
        case Kernel::scalar:
            return "scalar";
        case Kernel::avx2:
            return "avx2";
        case Kernel::avx512:
            return "avx512";
    }
    return "?";
}

Kernel parse_kernel(std::string_view text, std::string_view what) {
    for (Kernel k : kAll) {
        if (name(k) == text) {
            return k;
        }
    }
    throw util::ConfigError(util::str(what, ": unknown FP8 kernel '", text,
                                      "'; expected one of automatic, scalar, avx2, avx512"));
}

bool supported(Kernel kernel) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    switch (kernel) {
        case Kernel::automatic:
        case Kernel::scalar:
            return true;
        case Kernel::avx2:
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                   __builtin_cpu_supports("f16c");
        case Kernel::avx512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
                   __builtin_cpu_supports("avx512bf16");
    }
    return false;
#else
    return kernel == Kernel::automatic || kernel == Kernel::scalar;
#endif
}

Kernel resolve(Kernel requested) {
    Kernel kernel = requested;
    std::string source = "requested";
    if (kernel == Kernel::automatic) {
        const char* env = std::getenv("R1_FP8_KERNEL");
        if (env == nullptr || *env == '\0') {
            return best_supported();
        }
        kernel = parse_kernel(env, "R1_FP8_KERNEL");
        source = "R1_FP8_KERNEL";
        if (kernel == Kernel::automatic) {
            return best_supported();
        }
    }
    if (!supported(kernel)) {
        throw util::UnsupportedError(util::str("FP8 kernel '", name(kernel), "' (", source,
                                               ") needs instructions this CPU lacks; it supports '",
                                               name(best_supported()), "'"));
    }
    return kernel;
}

namespace detail {

const KernelTable& kernel_table(Kernel kernel) {
    switch (resolve(kernel)) {
#if defined(__x86_64__)
        case Kernel::avx512:
            return kAvx512Table;
        case Kernel::avx2:
            return kAvx2Table;
#endif
        default:
            return kScalarTable;
    }
}

}  // namespace detail
}  // namespace r1::fp8
