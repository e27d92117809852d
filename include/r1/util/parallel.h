// How r1's own code runs in LibTorch's intra-op thread pool.
#pragma once

#include <cstdint>

namespace r1::util {

/// The number of distinct threads that at::parallel_for, called from libr1, spreads `items` work
/// items (grain 1) over. ATen's parallel_for is a header template whose threads come from
/// `#pragma omp parallel`: a translation unit compiled without OpenMP runs it serially and
/// silently. This one is compiled like the rest of libr1, so a test can catch a build that lost
/// the flag (each of r1's kernels would then use one core).
int parallel_for_threads(int64_t items);

}  // namespace r1::util
