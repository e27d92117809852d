// Private: the switches of the kernels built twice, for AVX2 + FMA and for baseline x86-64, the
// first call picking one by the CPU's flags (fused attention, the decode GEMMs, greedy picks):
// libr1 stays portable and its hot loops run 8 floats wide where they can. (GCC's target_clones
// would dispatch on "arch=x86-64-v3", whose resolver rejected this project's AVX2 CPU.)
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define R1_AVX2 1
#define R1_AVX2_FMA __attribute__((target("avx2,fma")))
#endif
#define R1_INLINE [[gnu::always_inline]] inline

namespace r1::kernels::detail {

/// Whether this CPU runs the R1_AVX2_FMA builds (always false off x86-64 GCC/Clang).
inline bool cpu_has_avx2_fma() {
#ifdef R1_AVX2
    static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return yes;
#else
    return false;
#endif
}

}  // namespace r1::kernels::detail
