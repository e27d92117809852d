// pass@k against brute force over every k-subset, maj@k on hand-made answer tables.
#include "r1/eval/pass_at_k.h"

#include <gtest/gtest.h>

#include <functional>

namespace r1::eval {
namespace {

/// Share of the k-subsets of n samples (c of them correct) that hold a correct one, by enumeration.
double brute_force_pass_at_k(int n, int c, int k) {
    int64_t subsets = 0, hits = 0;
    std::function<void(int, int, bool)> walk = [&](int next, int left, bool hit) {
        if (left == 0) {
            ++subsets;
            hits += hit ? 1 : 0;
            return;
        }
        for (int i = next; i <= n - left; ++i) {
            walk(i + 1, left - 1, hit || i < c);
        }
    };
    walk(0, k, false);
    return static_cast<double>(hits) / static_cast<double>(subsets);
}

TEST(PassAtKTest, EqualsEnumerationOfSubsets) {
    for (int n = 1; n <= 10; ++n) {
        for (int c = 0; c <= n; ++c) {
            for (int k = 1; k <= n; ++k) {
                EXPECT_NEAR(pass_at_k(n, c, k), brute_force_pass_at_k(n, c, k), 1e-12)
                    << "n=" << n << " c=" << c << " k=" << k;
            }
        }
    }
}

TEST(PassAtKTest, PassAt1IsTheCorrectShare) {
    EXPECT_DOUBLE_EQ(pass_at_k(8, 3, 1), 3.0 / 8.0);
    EXPECT_DOUBLE_EQ(pass_at_k(64, 0, 1), 0.0);
}

TEST(PassAtKTest, RejectsImpossibleCounts) {
    EXPECT_THROW(pass_at_k(4, 5, 1), std::exception);
    EXPECT_THROW(pass_at_k(4, 1, 0), std::exception);
    EXPECT_THROW(pass_at_k(4, 1, 5), std::exception);
}

const Equivalent kExact = [](const std::string& a, const std::string& b) { return a == b; };

TEST(MajorityTest, LargestClusterDecides) {
    // "12" twice (wrong), "13" once (right): the majority is wrong
    EXPECT_FALSE(majority_correct({"12", "13", "12"}, {false, true, false}, kExact));
    EXPECT_TRUE(majority_correct({"13", "12", "13", "9"}, {true, false, true, false}, kExact));
}

TEST(MajorityTest, TieGoesToTheEarliestCluster) {
    EXPECT_TRUE(majority_correct({"13", "12", "12", "13"}, {true, false, false, true}, kExact));
    EXPECT_FALSE(majority_correct({"12", "13", "13", "12"}, {false, true, true, false}, kExact));
}

TEST(MajorityTest, MissingAnswersJoinNoCluster) {
    EXPECT_TRUE(majority_correct({"", "", "", "7"}, {false, false, false, true}, kExact));
    EXPECT_FALSE(majority_correct({"", ""}, {false, false}, kExact));
}

TEST(MajorityTest, ClustersByTheGivenEquivalence) {
    const Equivalent numeric = [](const std::string& a, const std::string& b) {
        return std::stod(a) == std::stod(b);
    };
    // "0.5" and "0.50" are one cluster of two, beating "1" once
    EXPECT_TRUE(majority_correct({"1", "0.5", "0.50"}, {false, true, true}, numeric));
}

}  // namespace
}  // namespace r1::eval
