// Private: many float32 GEMMs of any strides in one parallel region, as the routed experts' three
// grouped products need them (forward x·Wₑᵀ, backward dy·Wₑ and dyᵀ·x for each expert's rows).
// LibTorch's CPU grouped GEMM runs one MKL call per group, each with a host read of its offsets
// and a fork and join of the threads, which at small expert shapes (16 experts, ~128 rows each)
// costs more than the products themselves.
#pragma once

#include <cstdint>
#include <span>

namespace r1::kernels::detail {

/// A float32 matrix by its strides: element (i, j) at data[i·row + j·col].
struct StridedMatrix {
    const float* data = nullptr;
    int64_t row = 0, col = 0;
};

/// c = a·b for a [M, K] and b [K, N] into c [M, N] (rows ldc apart, columns adjacent). K = 0
/// writes zeros.
struct GemmProblem {
    StridedMatrix a, b;
    float* c = nullptr;
    int64_t ldc = 0, M = 0, N = 0, K = 0;
};

/// Whether gemm_batch() runs on this CPU (its kernel needs AVX2 and FMA).
bool gemm_batch_available();

/// Every problem, over all threads, in blocks of up to 512 rows × 64 columns of an output (fewer
/// rows when the batch would give the threads too few blocks). Each output adds its products in
/// the order of k (in runs of 256, added in order), so the result does not depend on the thread
/// count or the blocking. The outputs must not overlap each other or the inputs.
void gemm_batch(std::span<const GemmProblem> problems);

}  // namespace r1::kernels::detail
