#include "r1/util/parallel.h"

#include <ATen/Parallel.h>

#include <gtest/gtest.h>

namespace r1::util {
namespace {

TEST(ParallelTest, LibraryParallelForUsesEveryIntraOpThread) {
    // a libr1 built without OpenMP runs at::parallel_for on one thread and every kernel of r1's
    // own (fused norms, FP8 GEMMs, quantisation) loses the other cores
    const int before = at::get_num_threads();
    at::set_num_threads(2);
    EXPECT_EQ(parallel_for_threads(64), 2);
    EXPECT_EQ(parallel_for_threads(1), 1);  // one item: no fan-out
    at::set_num_threads(before);
}

}  // namespace
}  // namespace r1::util
