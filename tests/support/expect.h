// Test helpers: expect_close() for tensors (prints max abs/rel error and the first bad index, as
// llm.c's check_tensor does) and expect_error() for the message of a thrown r1 error.
#pragma once

#include <ATen/core/Tensor.h>

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace r1::test {

::testing::AssertionResult tensors_close(const at::Tensor& actual,
                                         const at::Tensor& expected,
                                         double rtol,
                                         double atol);

#define R1_EXPECT_CLOSE(actual, expected, rtol, atol) \
    EXPECT_TRUE(::r1::test::tensors_close((actual), (expected), (rtol), (atol)))

/// The what() of the exception `fn` throws (of type E), or a failure if it throws none or another.
template <class E>
std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected an exception, none (of that type) was thrown";
    return {};
}

/// Asserts that `text` contains every one of `parts`.
void expect_contains(const std::string& text, const std::vector<std::string>& parts);

/// A file under tests/data/.
std::string data_path(const std::string& name);

}  // namespace r1::test
