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

TEST(GateTest, HostRoutingOfFewTokensEqualsCompositeOps) {
    // float32 without grad and at most 64 tokens route in one host loop; with grad the composite
    // runs (group-limited or plain top-k, sigmoid or softmax, normalised or not)
    for (const char* overrides :
         {R"({})", R"({"n_group": 1, "topk_group": 1, "num_experts_per_tok": 3})",
          R"({"scoring_func": "softmax", "norm_topk_prob": false})",
          R"({"n_group": 2, "topk_group": 1, "num_experts_per_tok": 4})"}) {
        SCOPED_TRACE(overrides);
        torch::manual_seed(0);
        Gate gate(test::tiny_deepseek(overrides));
        {
            torch::NoGradGuard no_grad;
            gate->e_score_correction_bias.copy_(torch::randn({8}) * 0.1);
        }
        const auto x = torch::randn({13, 32});
        const auto composite = gate(x);
        ASSERT_TRUE(composite.scores.requires_grad());  // the composite ops ran
        torch::NoGradGuard no_grad;
        const auto host = gate(x);
        R1_EXPECT_CLOSE(host.scores, composite.scores.detach(), 1e-6, 1e-7);
        // the same experts with the same weights, in whatever order each path lists them
        const auto [idx_host, order_host] = host.indices.sort(-1);
        const auto [idx_composite, order_composite] = composite.indices.sort(-1);
        EXPECT_TRUE(torch::equal(idx_host, idx_composite));
        R1_EXPECT_CLOSE(host.weights.gather(1, order_host),
                        composite.weights.detach().gather(1, order_composite), 1e-6, 1e-7);
    }
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

TEST(MoeTest, GroupedTrainingPathMatchesSortedPathAndGradients) {
    // float32 with grad takes the two grouped GEMMs; float64 the per-expert sorted path. 4 tokens
    // x top-2 over 8 experts leave some experts without tokens: their weight grads must be zero.
    torch::manual_seed(0);
    Moe grouped(test::tiny_deepseek());
    auto sorted = std::dynamic_pointer_cast<MoeImpl>(grouped->clone());
    sorted->to(torch::kFloat64);
    const auto x = torch::randn({1, 4, 32});
    const auto gy = torch::randn({1, 4, 32});
    const auto y32 = grouped(x).hidden;
    (y32 * gy).sum().backward();
    const auto y64 = sorted->forward(x.to(torch::kFloat64)).hidden;
    (y64 * gy.to(torch::kFloat64)).sum().backward();
    R1_EXPECT_CLOSE(y32.to(torch::kFloat64), y64, 1e-5, 1e-6);
    const auto ours = grouped->named_parameters(), reference = sorted->named_parameters();
    int64_t idle = 0;
    for (const auto& item : ours) {
        const auto& theirs = reference[item.key()];  // unused experts get no grad on that path
        const auto expected = theirs.grad().defined() ? theirs.grad() : torch::zeros_like(theirs);
        ASSERT_TRUE(item.value().grad().defined()) << item.key();
        R1_EXPECT_CLOSE(item.value().grad().to(torch::kFloat64), expected, 1e-5, 1e-6)
            << item.key();
        idle += item.key().find("experts.") == 0 && expected.abs().max().item<double>() == 0.0;
    }
    EXPECT_GT(idle, 0);              // the case above really had an expert without tokens
    EXPECT_TRUE(grouped->packed());  // a fresh Moe trains from its packed buffers
    EXPECT_FALSE(sorted->packed());  // the float64 clone holds its own tensors
}

TEST(MoeTest, PackedAndCopiedStacksGiveTheSameGradients) {
    torch::manual_seed(0);
    Moe packed(test::tiny_deepseek());
    auto copied = std::dynamic_pointer_cast<MoeImpl>(packed->clone());  // packed again
    ASSERT_TRUE(copied->packed());
    {
        // one weight moved off the copy's buffers: its stacks are then cat + stack copies
        torch::NoGradGuard no_grad;
        auto& w = copied->experts[0]->as<MlpImpl>()->gate_proj->weight;
        w.set_data(w.clone());
    }
    ASSERT_TRUE(packed->packed());
    ASSERT_FALSE(copied->packed());
    const auto x = torch::randn({2, 6, 32});
    for (auto* moe : {&*packed, &*copied}) {
        (moe->forward(x).hidden * x).sum().backward();
    }
    const auto theirs = copied->named_parameters();
    for (const auto& item : packed->named_parameters()) {
        ASSERT_TRUE(item.value().grad().defined()) << item.key();
        EXPECT_TRUE(item.value().grad().equal(theirs[item.key()].grad())) << item.key();
    }
    // an optimizer-style in-place update of a parameter is what the next stack reads
    torch::NoGradGuard no_grad;
    packed->experts[3]->as<MlpImpl>()->up_proj->weight.add_(1.0);
    EXPECT_TRUE(packed->packed());
    const int64_t I = packed->options.moe_intermediate_size;
    EXPECT_TRUE(packed->stacked_expert_weights().first[3].narrow(0, I, I).equal(
        packed->experts[3]->as<MlpImpl>()->up_proj->weight));
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

TEST(MoeTest, PackedDenseInferencePathEqualsPerExpertLoop) {
    // a float32 Moe keeps its experts packed: without grad one GEMM serves them all; its float64
    // clone (unpacked) loops over the experts
    torch::manual_seed(0);
    Moe packed(test::tiny_deepseek(R"({"n_routed_experts": 4, "n_group": 1, "topk_group": 1})"));
    auto looped = std::dynamic_pointer_cast<MoeImpl>(packed->clone());
    looped->to(torch::kFloat64);
    ASSERT_TRUE(packed->packed());
    ASSERT_FALSE(looped->packed());
    const auto x = torch::randn({3, 7, 32});
    torch::NoGradGuard no_grad;
    R1_EXPECT_CLOSE(packed(x).hidden.to(torch::kFloat64),
                    looped->forward(x.to(torch::kFloat64)).hidden, 1e-5, 1e-6);
}

TEST(MoeTest, FewTokensInferencePathEqualsPerExpertLoop) {
    // more experts than twice the top-k: without grad, a few tokens take decode_experts (the
    // packed buffers, streamed); the float64 clone (unpacked) takes the sorted per-expert path
    torch::manual_seed(0);
    Moe packed(test::tiny_deepseek(R"({"n_routed_experts": 8, "num_experts_per_tok": 2})"));
    auto looped = std::dynamic_pointer_cast<MoeImpl>(packed->clone());
    looped->to(torch::kFloat64);
    ASSERT_TRUE(packed->packed());
    const auto x = torch::randn({2, 3, 32});  // 6 tokens, 12 slots over 8 experts
    torch::NoGradGuard no_grad;
    const auto y = packed(x).hidden;
    R1_EXPECT_CLOSE(y.to(torch::kFloat64), looped->forward(x.to(torch::kFloat64)).hidden, 1e-5,
                    1e-6);
    EXPECT_EQ(packed->expert_load().sum().item<int64_t>(), 12);  // the load is still recorded
}

}  // namespace
}  // namespace r1::model
