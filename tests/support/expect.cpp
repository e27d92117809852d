#include "support/expect.h"

#include <ATen/ATen.h>

#include <sstream>

namespace r1::test {

::testing::AssertionResult tensors_close(const at::Tensor& actual,
                                         const at::Tensor& expected,
                                         double rtol,
                                         double atol) {
    if (actual.sizes() != expected.sizes()) {
        return ::testing::AssertionFailure()
               << "shape " << actual.sizes() << " != expected " << expected.sizes();
    }
    const at::Tensor a = actual.to(at::kDouble).flatten();
    const at::Tensor e = expected.to(at::kDouble).flatten();
    const at::Tensor diff = (a - e).abs();
    const at::Tensor bad = diff > (atol + rtol * e.abs());
    const double max_abs = diff.numel() ? diff.max().item<double>() : 0.0;
    const double max_rel =
        diff.numel() ? (diff / e.abs().clamp_min(1e-300)).max().item<double>() : 0.0;
    if (!bad.any().item<bool>() && !a.isnan().any().item<bool>()) {
        return ::testing::AssertionSuccess();
    }
    const int64_t first = bad.nonzero().numel() ? bad.nonzero()[0][0].item<int64_t>() : 0;
    return ::testing::AssertionFailure()
           << "max abs err " << max_abs << ", max rel err " << max_rel << "; first bad index "
           << first << ": " << a[first].item<double>() << " vs " << e[first].item<double>()
           << " (rtol " << rtol << ", atol " << atol << ")";
}

void expect_contains(const std::string& text, const std::vector<std::string>& parts) {
    for (const std::string& part : parts) {
        EXPECT_NE(text.find(part), std::string::npos) << "'" << part << "' not in: " << text;
    }
}

std::string data_path(const std::string& name) {
    return std::string(R1_TEST_DATA_DIR) + "/" + name;
}

}  // namespace r1::test
