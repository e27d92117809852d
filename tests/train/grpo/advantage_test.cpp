#include "r1/train/grpo/advantage.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/expect.h"

namespace r1::train::grpo {
namespace {

at::Tensor tensor2d(std::vector<double> values, int64_t b, int64_t g) {
    return at::tensor(values, at::kDouble).view({b, g});
}

TEST(GrpoAdvantageTest, GroupScaleUsesBesselStd) {
    const auto adv =
        compute_advantages(tensor2d({1, 0, 1, 0}, 1, 4), {.scale = AdvScale::group, .eps = 1e-4});
    const double a = 0.5 / (std::sqrt(1.0 / 3.0) + 1e-4);  // (r - mean) / (std + eps)
    R1_EXPECT_CLOSE(adv.values, tensor2d({a, -a, a, -a}, 1, 4), 1e-12, 0.0);
    EXPECT_FALSE(adv.zero_std[0].item<bool>());
}

// Brute force: every option computed with plain loops over a random batch.
std::vector<double> brute_force(const std::vector<double>& r,
                                int64_t B,
                                int64_t G,
                                const AdvantageOptions& o) {
    std::vector<double> out(r.size());
    double batch_mean = 0, batch_var = 0;
    for (double x : r)
        batch_mean += x / r.size();
    for (double x : r)
        batch_var += (x - batch_mean) * (x - batch_mean) / (r.size() - 1);
    for (int64_t b = 0; b < B; ++b) {
        double mean = 0, var = 0;
        for (int64_t g = 0; g < G; ++g)
            mean += r[b * G + g] / G;
        for (int64_t g = 0; g < G; ++g)
            var += (r[b * G + g] - mean) * (r[b * G + g] - mean) / (G - 1);
        for (int64_t g = 0; g < G; ++g) {
            double base = mean;
            if (o.estimator == Estimator::rloo) {
                base = (mean * G - r[b * G + g]) / (G - 1);
            }
            double a = r[b * G + g] - base;
            if (o.scale == AdvScale::group)
                a /= std::sqrt(var) + o.eps;
            if (o.scale == AdvScale::batch)
                a /= std::sqrt(batch_var) + o.eps;
            out[b * G + g] = a;
        }
    }
    return out;
}

TEST(GrpoAdvantageTest, EveryOptionMatchesBruteForce) {
    const int64_t B = 3, G = 5;
    const at::Tensor r = at::randn({B, G}, at::kDouble);
    std::vector<double> values(r.data_ptr<double>(), r.data_ptr<double>() + B * G);
    for (Estimator e : {Estimator::grpo, Estimator::rloo}) {
        for (AdvScale s : {AdvScale::group, AdvScale::none, AdvScale::batch}) {
            for (double eps : {1e-4, 1e-6}) {
                const AdvantageOptions o{.estimator = e, .scale = s, .eps = eps};
                SCOPED_TRACE(testing::Message()
                             << "estimator " << int(e) << " scale " << int(s) << " eps " << eps);
                R1_EXPECT_CLOSE(compute_advantages(r, o).values,
                                tensor2d(brute_force(values, B, G, o), B, G), 1e-12, 1e-12);
            }
        }
    }
}

TEST(GrpoAdvantageTest, FlatGroupsHaveZeroAdvantageAndAreCounted) {
    const auto adv = compute_advantages(tensor2d({1, 1, 1, 0.2, 0.7, 0.2}, 2, 3), {});
    R1_EXPECT_CLOSE(adv.values[0], at::zeros({3}, at::kDouble), 0.0, 0.0);
    EXPECT_TRUE(adv.zero_std[0].item<bool>());
    EXPECT_FALSE(adv.zero_std[1].item<bool>());
}

TEST(GrpoAdvantageTest, UnscorableRewardsLeaveTheStatistics) {
    const double nan = std::nan("");
    // Group {1, NaN, 0, 1}: statistics over {1, 0, 1}; the NaN completion gets 0.
    const auto adv = compute_advantages(tensor2d({1, nan, 0, 1}, 1, 4), {.scale = AdvScale::none});
    const double mean = 2.0 / 3.0;
    R1_EXPECT_CLOSE(adv.values, tensor2d({1 - mean, 0, -mean, 1 - mean}, 1, 4), 1e-12, 1e-15);
    const auto all_nan = compute_advantages(tensor2d({nan, nan}, 1, 2), {});
    R1_EXPECT_CLOSE(all_nan.values, at::zeros({1, 2}, at::kDouble), 0.0, 0.0);
}

TEST(GrpoAdvantageTest, SingleCompletionGroupsAreRejected) {
    EXPECT_THROW(compute_advantages(at::ones({4, 1}, at::kDouble), {}), util::ConfigError);
}

}  // namespace
}  // namespace r1::train::grpo
