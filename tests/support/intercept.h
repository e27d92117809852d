// failures_of(fn): how many gtest failures `fn` raises, intercepted rather than reported, so that a
// test can show its checker is not vacuous (it does flag a tampered solution).
#pragma once

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <functional>

namespace r1::test {

inline int failures_of(const std::function<void()>& fn) {
    ::testing::TestPartResultArray results;
    {
        ::testing::ScopedFakeTestPartResultReporter reporter(
            ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
        fn();
    }
    return results.size();
}

}  // namespace r1::test
