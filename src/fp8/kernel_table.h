// Private: the dispatch table of the FP8 kernels. Each instruction set fills one table in its own
// translation unit (kernels_scalar.cpp, kernels_avx2.cpp, kernels_avx512.cpp: only those files get
// -mavx2/-mavx512* flags, so the rest of r1 stays portable); kernel.cpp picks one at run time.
#pragma once

#include "r1/fp8/dispatch.h"

#include <cstdint>

#include "fp8/convert.h"

namespace r1::fp8::detail {

/// C[M,N] = A[M,K] · B[N,K]ᵀ on raw E4M3 codes with DeepSeek's block scales (model-spec §5.4):
/// C[m,n] = Σ_kb (Σ_{k ∈ kb} a[m,k]·b[n,k]) · a_scale[m,kb] · b_scale[n/128,kb], each 128-wide
/// K block summed in float32 and promoted (scaled and added) in float32. Row-major with strides.
struct GemmView {
    const uint8_t* a = nullptr;      // [M, K], row stride lda
    const float* a_scale = nullptr;  // [M, KB], row stride lda_scale (KB = ceil(K/128))
    const uint8_t* b = nullptr;      // [N, K], row stride ldb
    const float* b_scale = nullptr;  // [NB, KB], row stride ldb_scale (NB = ceil(N/128))
    float* c = nullptr;              // [M, N], row stride ldc; every element is written
    int64_t M = 0, N = 0, K = 0;
    int64_t lda = 0, lda_scale = 0, ldb = 0, ldb_scale = 0, ldc = 0;
};

/// One instruction set's kernels. gemm computes C[m0:m1, n0:n1] over all of K; n0 is a multiple of
/// kNAlign so B's row blocks and the kernels' column panels line up.
struct KernelTable {
    void (*encode)(
        const float* in, uint8_t* out, int64_t n, const Layout& layout, uint32_t overflow);
    void (*decode)(const uint8_t* in, float* out, int64_t n, Format format);
    void (*gemm)(const GemmView& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1);
};

inline constexpr int64_t kNAlign = 64;

extern const KernelTable kScalarTable;
extern const KernelTable kAvx2Table;  // defined only when the compiler can build it
extern const KernelTable kAvx512Table;

/// The table of resolve(kernel).
const KernelTable& kernel_table(Kernel kernel);

}  // namespace r1::fp8::detail
