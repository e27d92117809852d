// Gate and Moe against brute force: group-limited top-k over all selections, grouped dispatch
// against a per-token loop, gating weights from the unbiased affinities.
#include "r1/model/moe.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "model/support.h"
#include "support/expect.h"

namespace r1::model {
namespace {

// All size-k subsets of {0..n-1}.
void subsets(int64_t n,
             int64_t k,
             std::vector<int64_t>& current,
             const std::function<void()>& visit,
             int64_t from = 0) {
    if (static_cast<int64_t>(current.size()) == k) {
        visit();
        return;
    }
    for (int64_t i = from; i < n; ++i) {
        current.push_back(i);
        subsets(n, k, current, visit, i + 1);
        current.pop_back();
    }
}

// Brute force: the best TG groups by top-2 sum over every TG-subset, then the best K experts
// over every K-subset inside those groups.
std::set<int64_t> brute_force(const at::Tensor& c, int64_t G, int64_t TG, int64_t K) {
    const int64_t E = c.size(0), per = E / G;
    auto score = [&](int64_t g) {
        auto top = std::get<0>(c.slice(0, g * per, (g + 1) * per).topk(2));
        return top.sum().item<double>();
    };
    std::vector<int64_t> groups, best_groups, experts, best;
    double best_group_score = -1e300, best_score = -1e300;
    subsets(G, TG, groups, [&] {
        double s = 0;
        for (auto g : groups)
            s += score(g);
        if (s > best_group_score)
            best_group_score = s, best_groups = groups;
    });
    subsets(E, K, experts, [&] {
        double s = 0;
        for (auto e : experts) {
            if (std::find(best_groups.begin(), best_groups.end(), e / per) == best_groups.end())
                return;
            s += c[e].item<double>();
        }
        if (s > best_score)
            best_score = s, best = experts;
    });
    return {best.begin(), best.end()};
}

TEST(GateTest, GroupLimitedTopkEqualsBruteForce) {
    torch::manual_seed(0);
    for (auto [G, TG, K] :
         {std::tuple{4, 2, 3}, std::tuple{4, 1, 2}, std::tuple{2, 1, 4}, std::tuple{1, 1, 3}}) {
        const auto c =
            torch::randn({40, 8}, torch::kFloat64) - 0.5;  // negatives exercise the -inf fill
        const auto idx = group_limited_topk(c, G, TG, K);
        for (int64_t n = 0; n < c.size(0); ++n) {
            std::set<int64_t> got;
            for (int64_t k = 0; k < K; ++k)
                got.insert(idx[n][k].item<int64_t>());
            EXPECT_EQ(got, brute_force(c[n], G, TG, K))
                << "token " << n << " G " << G << " TG " << TG;
        }
    }
}

TEST(GateTest, BiasSelectsButDoesNotWeigh) {
    torch::manual_seed(0);
    Gate gate(test::tiny_deepseek());
    gate->to(torch::kFloat64);
    const auto x = torch::randn({16, 32}, torch::kFloat64);
    torch::NoGradGuard no_grad;
    gate->e_score_correction_bias.copy_(torch::randn({8}) * 0.5);
    const auto r = gate(x);
    const auto s = torch::sigmoid(torch::matmul(x, gate->weight.t()));
    const auto chosen = s.gather(1, r.indices);
    R1_EXPECT_CLOSE(r.weights, chosen / chosen.sum(-1, true) * 2.5, 1e-12, 0.0);
    const auto choice = s + gate->e_score_correction_bias;
    R1_EXPECT_CLOSE(r.indices, group_limited_topk(choice, 4, 2, 2), 0.0, 0.0);
    EXPECT_FALSE(torch::equal(std::get<0>(r.indices.sort(-1)),
                              std::get<0>(group_limited_topk(s, 4, 2, 2).sort(-1))));
}

TEST(MoeTest, GroupedDispatchEqualsPerTokenLoop) {
    torch::manual_seed(0);
    Moe moe(test::tiny_deepseek(R"({"n_shared_experts": 2})"));
    moe->to(torch::kFloat64);
    const auto x = torch::randn({3, 7, 32}, torch::kFloat64);
    torch::NoGradGuard no_grad;
    const auto y = moe(x).hidden;
    const auto tokens = x.reshape({-1, 32});
    const auto r = moe->gate(tokens);
    auto expected = torch::zeros_like(tokens);
    for (int64_t n = 0; n < tokens.size(0); ++n) {
        auto yn = moe->shared_experts(tokens[n]);
        for (int64_t k = 0; k < r.indices.size(1); ++k) {
            yn = yn + r.weights[n][k] *
                          moe->experts[r.indices[n][k].item<int64_t>()]->as<MlpImpl>()->forward(
                              tokens[n]);
        }
        expected[n] = yn;
    }
    R1_EXPECT_CLOSE(y.reshape({-1, 32}), expected, 1e-12, 1e-12);
    EXPECT_EQ(moe->expert_load().sum().item<int64_t>(), 21 * 2);  // N × K slots routed
}

TEST(MoeTest, DenseInferencePathEqualsSortedPath) {
    // 4 experts, top-2, one group (the demo's shape): without grad routed() sums every expert
    torch::manual_seed(0);
    Moe moe(test::tiny_deepseek(R"({"n_routed_experts": 4, "n_group": 1, "topk_group": 1})"));
    moe->to(torch::kFloat64);
    const auto x = torch::randn({3, 7, 32}, torch::kFloat64);
    const auto sorted = moe(x).hidden.detach();  // grad on: tokens sorted by expert
    const auto load = moe->expert_load().clone();
    torch::NoGradGuard no_grad;
    R1_EXPECT_CLOSE(moe(x).hidden, sorted, 1e-12, 1e-12);
    EXPECT_TRUE(moe->expert_load().equal(load * 2));  // both paths count the same routing
}

}  // namespace
}  // namespace r1::model
