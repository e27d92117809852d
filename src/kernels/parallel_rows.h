// Private: the rows per at::parallel_for chunk of r1's row-wise kernels (fused.cpp,
// moe_permute.cpp).
#pragma once

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>

namespace r1::kernels::detail {

/// ATen's grain (32768 elements) in rows of `width`: small tensors (a decode step's [batch,
/// hidden]) stay on one thread instead of paying a fork and join for microseconds of work.
inline int64_t row_grain(int64_t width) {
    return std::max<int64_t>(1, at::internal::GRAIN_SIZE / std::max<int64_t>(width, 1));
}

}  // namespace r1::kernels::detail
