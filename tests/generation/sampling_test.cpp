#include "r1/generation/sampling.h"

#include "r1/util/rng.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "support/expect.h"

namespace r1::generation {
namespace {

const std::vector<double> kLogits = {2.0, 1.5, 1.0, 0.2, -0.5, -3.0};

// The sampling distribution computed independently: plain loops in double precision.
std::vector<double> expected_probs(const SamplingOptions& o) {
    const size_t V = kLogits.size();
    std::vector<double> z(V);
    for (size_t i = 0; i < V; ++i)
        z[i] = kLogits[i] / o.temperature;
    std::vector<size_t> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return z[a] > z[b]; });
    auto softmax = [&](const std::vector<bool>& keep) {
        std::vector<double> p(V, 0.0);
        double total = 0;
        for (size_t i = 0; i < V; ++i)
            if (keep[i])
                total += std::exp(z[i]);
        for (size_t i = 0; i < V; ++i)
            if (keep[i])
                p[i] = std::exp(z[i]) / total;
        return p;
    };
    std::vector<bool> keep(V, true);
    if (o.top_k > 0)
        for (size_t r = o.top_k; r < V; ++r)
            keep[order[r]] = false;
    if (o.top_p < 1) {
        const auto p = softmax(keep);
        double before = 0;
        for (size_t r = 0; r < V; ++r) {
            if (before >= o.top_p)
                keep[order[r]] = false;
            before += p[order[r]];
        }
    }
    if (o.min_p > 0) {
        const auto p = softmax(keep);
        const double top = *std::max_element(p.begin(), p.end());
        for (size_t i = 0; i < V; ++i)
            if (p[i] < o.min_p * top)
                keep[i] = false;
    }
    return softmax(keep);
}

// Chi-square goodness of fit of n draws against the expected distribution.
TEST(SamplingTest, EveryModeDrawsFromItsDistribution) {
    const std::vector<SamplingOptions> modes = {
        {.temperature = 1.0},
        {.temperature = 0.7},
        {.temperature = 1.0, .top_k = 3},
        {.temperature = 1.0, .top_p = 0.8},
        {.temperature = 1.3, .min_p = 0.2},
        {.temperature = 0.9, .top_p = 0.9, .top_k = 4, .min_p = 0.05}};
    const int64_t n = 20000;
    for (size_t m = 0; m < modes.size(); ++m) {
        const auto expected = expected_probs(modes[m]);
        const at::Tensor logits =
            at::tensor(kLogits, at::kFloat).unsqueeze(0).expand({n, 6}).contiguous();
        std::vector<at::Generator> gen{util::make_generator(util::derive_seed(99, {m}))};
        const Sampled s = sample(logits, modes[m], gen);
        const at::Tensor counts = at::bincount(s.tokens, {}, 6).to(at::kDouble);
        double chi2 = 0;
        int df = -1;
        for (int64_t v = 0; v < 6; ++v) {
            const double c = counts[v].item<double>();
            if (expected[v] == 0) {
                EXPECT_EQ(c, 0) << "mode " << m << " drew removed token " << v;
                continue;
            }
            chi2 += (c - n * expected[v]) * (c - n * expected[v]) / (n * expected[v]);
            ++df;
        }
        // 0.999 quantiles of chi-square for df = 1..5 (a fixed seed keeps this deterministic).
        const double critical[] = {0, 10.83, 13.82, 16.27, 18.47, 20.52};
        EXPECT_LT(chi2, critical[df]) << "mode " << m << " df " << df;
        std::cout << "mode " << m << ": chi2 " << chi2 << " (df " << df << ")\n";
        // The reported log-prob is the log of the processed probability of the drawn token.
        const int64_t tok = s.tokens[0].item<int64_t>();
        EXPECT_NEAR(s.logp[0].item<double>(), std::log(expected[tok]), 1e-5);
        EXPECT_NEAR(s.logp_full[0].item<double>(),
                    at::log_softmax(at::tensor(kLogits, at::kDouble) / modes[m].temperature, 0)[tok]
                        .item<double>(),
                    1e-5);
    }
}

TEST(SamplingTest, TruncationKeepsTheRightSets) {
    const at::Tensor z = at::tensor(kLogits, at::kFloat).unsqueeze(0);
    auto kept = [&](const SamplingOptions& o) {
        return (process_logits(z, o) > -1e30).to(at::kLong).squeeze(0);
    };
    EXPECT_TRUE(at::equal(kept({.top_k = 2}), at::tensor({1, 1, 0, 0, 0, 0}, at::kLong)));
    // probs ~ [.438 .266 .161 .072 .036 .002]: mass before token 3 is .865 >= .8, so 3 tokens stay.
    EXPECT_TRUE(at::equal(kept({.top_p = 0.8}), at::tensor({1, 1, 1, 0, 0, 0}, at::kLong)));
    EXPECT_TRUE(at::equal(kept({.top_p = 1e-6}), at::tensor({1, 0, 0, 0, 0, 0}, at::kLong)));
    // min_p 0.3: keep p >= 0.3 * 0.438 = 0.131.
    EXPECT_TRUE(at::equal(kept({.min_p = 0.3}), at::tensor({1, 1, 1, 0, 0, 0}, at::kLong)));
}

TEST(SamplingTest, RepetitionPenaltyFollowsCtrl) {
    const at::Tensor z = at::tensor({2.0, -1.0, 0.5}, at::kFloat).unsqueeze(0);
    const at::Tensor seen = at::tensor({1, 1, 0}, at::kLong).to(at::kBool).unsqueeze(0);
    R1_EXPECT_CLOSE(apply_repetition_penalty(z, seen, 2.0),
                    at::tensor({1.0, -2.0, 0.5}, at::kFloat).unsqueeze(0), 0, 0);
}

TEST(SamplingTest, GreedyTakesTheArgmaxAfterThePenalty) {
    const at::Tensor z = at::tensor({2.0, 1.9, 0.5}, at::kFloat).unsqueeze(0);
    std::vector<at::Generator> gen{util::make_generator(1)};
    EXPECT_EQ(sample(z, {.temperature = 0}, gen).tokens[0].item<int64_t>(), 0);
    const at::Tensor seen = at::tensor({1, 0, 0}, at::kLong).to(at::kBool).unsqueeze(0);
    EXPECT_EQ(sample(z, {.temperature = 0, .repetition_penalty = 1.2}, gen, seen)
                  .tokens[0]
                  .item<int64_t>(),
              1);
}

// Greedy rows take the host pass (kernels/greedy.cpp): its picks against at::argmax, its
// log-probabilities against log_softmax in float64, on every lane tail, ties, -inf and NaN rows.
TEST(SamplingTest, GreedyRowsEqualArgmaxAndLogSoftmax) {
    torch::manual_seed(5);
    std::vector<at::Generator> gen{util::make_generator(1)};
    for (const int64_t V : {1, 3, 8, 13, 32003}) {
        at::Tensor z = at::randn({6, V}) * 4;
        if (V > 9) {
            z[1][9] = z[1][2] = z[1].max().item<float>() + 1;  // a tie: the first one wins
            z[2].narrow(0, 0, V / 2).fill_(-INFINITY);
        }
        z[3].fill_(-INFINITY);  // nothing finite: token 0, NaN, as ATen
        z[4][V - 1] = NAN;      // a NaN: it is the pick, as at::argmax's
        if (V > 1) {
            z[5][V / 2] = INFINITY;  // +inf: the pick, with a NaN log-probability, as ATen's
        }
        const auto out = sample(z, {.temperature = 0}, gen);
        SCOPED_TRACE("V " + std::to_string(V));
        EXPECT_TRUE(out.tokens.equal(z.argmax(-1)));
        const auto expected =
            z.to(at::kDouble).log_softmax(-1).gather(-1, out.tokens.unsqueeze(-1)).squeeze(-1);
        const auto finite = at::tensor({0, 1, 2}, at::kLong);  // rows with a finite answer
        R1_EXPECT_CLOSE(out.logp_full.index_select(0, finite).to(at::kDouble),
                        expected.index_select(0, finite), 1e-6, 1e-6);
        EXPECT_TRUE(out.logp_full[3].isnan().item<bool>());
        EXPECT_TRUE(out.logp_full[4].isnan().item<bool>());
        EXPECT_EQ(out.logp_full[5].isnan().item<bool>(), V > 1);
        EXPECT_TRUE(out.logp.eq(0).all().item<bool>());
    }
}

TEST(SamplingTest, PerRowGeneratorsMakeRowsIndependentOfTheirNeighbours) {
    const at::Tensor z = at::randn({4, 50});
    auto gens = [](std::vector<uint64_t> seeds) {
        std::vector<at::Generator> g;
        for (auto s : seeds)
            g.push_back(util::make_generator(s));
        return g;
    };
    auto a = gens({1, 2, 3, 4});
    auto b = gens({9, 2, 8, 4});  // rows 1 and 3 share seeds with a
    const at::Tensor ta = sample(z, {}, a).tokens;
    const at::Tensor tb = sample(z, {}, b).tokens;
    EXPECT_EQ(ta[1].item<int64_t>(), tb[1].item<int64_t>());
    EXPECT_EQ(ta[3].item<int64_t>(), tb[3].item<int64_t>());
    auto c = gens({1, 2, 3, 4});
    EXPECT_TRUE(at::equal(ta, sample(z, {}, c).tokens));  // same seeds, same draws
}

TEST(SamplingTest, DrawsAreUniformOfEachRowsGeneratorThenInverseCdf) {
    // The reference: one uniform_() per row on its own generator, the first token whose
    // cumulative probability exceeds u (what sample() did before it drew on the host).
    const at::Tensor z = at::randn({5, 30});
    std::vector<at::Generator> gens, ref;
    for (uint64_t s = 0; s < 5; ++s) {
        gens.push_back(util::make_generator(100 + s));
        ref.push_back(util::make_generator(100 + s));
    }
    for (int step = 0; step < 3; ++step) {
        const auto tokens = sample(z, {}, gens).tokens;
        const auto probs = z.log_softmax(-1).exp();
        for (int64_t b = 0; b < 5; ++b) {
            const auto cdf = probs[b].cumsum(0);
            const auto u =
                at::empty({1}).uniform_(0.0, 1.0, ref[b]) * cdf[-1];    // float, as sample()
            const int64_t expected = (cdf <= u).sum().item<int64_t>();  // the first cdf > u
            EXPECT_EQ(tokens[b].item<int64_t>(), expected) << "step " << step << ", row " << b;
        }
    }
}

}  // namespace
}  // namespace r1::generation
