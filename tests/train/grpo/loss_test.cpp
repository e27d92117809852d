#include "r1/train/grpo/loss.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "support/expect.h"
#include "support/tensor_dict.h"

namespace r1::train::grpo {
namespace {

at::Tensor mat(std::vector<double> v, int64_t rows, int64_t cols) {
    return at::tensor(v, at::kDouble).view({rows, cols});
}

struct Batch {
    at::Tensor logp, old_logp, ref_logp, entropy, adv, mask;
};

Batch random_batch(int64_t N, int64_t L, uint64_t seed) {
    at::manual_seed(seed);
    Batch b;
    b.logp = -at::rand({N, L}, at::kDouble) * 3;
    b.old_logp = b.logp + 0.3 * at::randn({N, L}, at::kDouble);
    b.ref_logp = b.logp + 0.5 * at::randn({N, L}, at::kDouble);
    b.entropy = at::rand({N, L}, at::kDouble);
    b.adv = at::randn({N}, at::kDouble);
    const at::Tensor lengths = at::randint(1, L + 1, {N});
    b.mask = (at::arange(L).unsqueeze(0) < lengths.unsqueeze(1)).to(at::kDouble);
    b.mask[N - 1].zero_();  // one fully masked sequence (a truncated one under mask_truncated)
    return b;
}

// Direct per-element computation of the loss, with plain loops (grpo-spec §3).
double reference_loss(const Batch& b, const PolicyLossConfig& c) {
    const int64_t N = b.logp.size(0), L = b.logp.size(1);
    auto at2 = [](const at::Tensor& t, int64_t i, int64_t j) { return t[i][j].item<double>(); };
    double total = 0, tokens = 0, seqs = 0;
    for (int64_t i = 0; i < N; ++i) {
        double seq_sum = 0, seq_tokens = 0, seq_log_ratio = 0;
        for (int64_t t = 0; t < L; ++t) {
            seq_log_ratio += at2(b.mask, i, t) * (at2(b.logp, i, t) - at2(b.old_logp, i, t));
            seq_tokens += at2(b.mask, i, t);
        }
        const double A = b.adv[i].item<double>();
        for (int64_t t = 0; t < L; ++t) {
            const double m = at2(b.mask, i, t);
            double rho = std::exp(at2(b.logp, i, t) - at2(b.old_logp, i, t));
            if (c.clip.ratio_level == RatioLevel::sequence)
                rho = std::exp(seq_log_ratio / std::max(seq_tokens, 1.0));
            const double clipped = std::min(std::max(rho, 1 - c.clip.eps_low), 1 + c.clip.eps_high);
            double l = -std::min(rho * A, clipped * A);
            if (c.clip.dual_clip_c && A < 0)
                l = std::min(l, -*c.clip.dual_clip_c * A);
            const double d = at2(b.ref_logp, i, t) - at2(b.logp, i, t);
            const double k = c.kl.estimator == KlEstimator::k1   ? -d
                             : c.kl.estimator == KlEstimator::k2 ? d * d / 2
                                                                 : std::exp(d) - d - 1;
            l += c.kl.beta * k;
            seq_sum += m * l;
        }
        tokens += seq_tokens;
        seqs += seq_tokens > 0;
        switch (c.loss.agg) {
            case LossAgg::seq_mean_token_mean:
                total += seq_sum / std::max(seq_tokens, 1.0);
                break;
            default:
                total += seq_sum;
        }
    }
    switch (c.loss.agg) {
        case LossAgg::token_mean:
            return total / tokens;
        case LossAgg::seq_mean_token_mean:
            return total / seqs;
        case LossAgg::seq_mean_token_sum:
            return total / seqs;
        case LossAgg::dr_grpo:
            return total / (N * c.max_completion_length);
    }
    return total;
}

PolicyLossInput input_of(const Batch& b) {
    return {.logp = b.logp,
            .old_logp = b.old_logp,
            .ref_logp = b.ref_logp,
            .entropy = b.entropy,
            .advantages = b.adv,
            .mask = b.mask};
}

TEST(GrpoLossTest, EveryOptionMatchesDirectComputation) {
    const Batch b = random_batch(5, 6, 7);
    int cases = 0;
    for (LossAgg agg : {LossAgg::token_mean, LossAgg::seq_mean_token_mean,
                        LossAgg::seq_mean_token_sum, LossAgg::dr_grpo}) {
        for (RatioLevel level : {RatioLevel::token, RatioLevel::sequence}) {
            for (KlEstimator est : {KlEstimator::k1, KlEstimator::k2, KlEstimator::k3}) {
                for (std::optional<double> dual :
                     {std::optional<double>{}, std::optional<double>{1.5}}) {
                    PolicyLossConfig c{.clip = {.eps_low = 0.2,
                                                .eps_high = 0.28,
                                                .dual_clip_c = dual,
                                                .ratio_level = level},
                                       .kl = {.beta = 0.04, .estimator = est, .clamp = false},
                                       .loss = {.agg = agg},
                                       .max_completion_length = 8};
                    const double expected = reference_loss(b, c);
                    EXPECT_NEAR(policy_loss(input_of(b), c).loss.item<double>(), expected,
                                1e-12 * std::abs(expected) + 1e-14)
                        << "agg " << int(agg) << " level " << int(level) << " kl " << int(est);
                    ++cases;
                }
            }
        }
    }
    EXPECT_EQ(cases, 48);
}

TEST(GrpoLossTest, OnPolicyRatioIsOneAndGradientIsReinforce) {
    Batch b = random_batch(4, 5, 3);
    const at::Tensor logp = b.logp.clone().requires_grad_(true);
    PolicyLossConfig c{.kl = {.beta = 0.0}, .loss = {.agg = LossAgg::token_mean}};
    PolicyLossInput in{.logp = logp, .advantages = b.adv, .mask = b.mask};
    const PolicyLoss out = policy_loss(in, c);
    out.loss.backward();
    EXPECT_DOUBLE_EQ(out.ratio_min, 1.0);
    EXPECT_DOUBLE_EQ(out.ratio_max, 1.0);
    // d/dlogp of -rho*A with rho = exp(logp - sg(logp)) is -A, per masked token, over the token
    // count.
    const at::Tensor expected = -b.adv.unsqueeze(1) * b.mask / b.mask.sum();
    R1_EXPECT_CLOSE(logp.grad(), expected, 1e-12, 1e-15);
}

TEST(GrpoLossTest, MicroBatchesSumToTheMiniBatch) {
    const Batch b = random_batch(6, 5, 11);
    for (LossAgg agg : {LossAgg::token_mean, LossAgg::seq_mean_token_mean,
                        LossAgg::seq_mean_token_sum, LossAgg::dr_grpo}) {
        PolicyLossConfig c{.kl = {.beta = 0.01},
                           .loss = {.agg = agg, .entropy_coef = 0.01},
                           .max_completion_length = 5};
        const at::Tensor whole_logp = b.logp.clone().requires_grad_(true);
        PolicyLossInput whole = input_of(b);
        whole.logp = whole_logp;
        policy_loss(whole, c).loss.backward();
        const LossNormalizer norm = loss_normalizer(b.mask);
        const at::Tensor split_logp = b.logp.clone().requires_grad_(true);
        double total = 0;
        for (int64_t start : {0, 2, 3}) {  // uneven micro-batches: [0,2), [2,3), [3,6)
            const int64_t end = start == 0 ? 2 : start == 2 ? 3 : 6;
            PolicyLossInput part{.logp = split_logp.slice(0, start, end),
                                 .old_logp = b.old_logp.slice(0, start, end),
                                 .ref_logp = b.ref_logp.slice(0, start, end),
                                 .entropy = b.entropy.slice(0, start, end),
                                 .advantages = b.adv.slice(0, start, end),
                                 .mask = b.mask.slice(0, start, end)};
            const at::Tensor l = policy_loss(part, c, norm).loss;
            l.backward();
            total += l.item<double>();
        }
        EXPECT_NEAR(total, policy_loss(input_of(b), c).loss.item<double>(), 1e-12)
            << "agg " << int(agg);
        R1_EXPECT_CLOSE(split_logp.grad(), whole_logp.grad(), 1e-10, 1e-14);
    }
}

TEST(GrpoLossTest, KlEstimatorsMatchClosedForms) {
    const at::Tensor logp = at::tensor({-1.0, -2.0, -0.5}, at::kDouble);
    const at::Tensor ref = at::tensor({-1.5, -1.0, -0.5}, at::kDouble);
    const at::Tensor d = ref - logp;
    const KlOptions k3{.estimator = KlEstimator::k3, .clamp = false};
    R1_EXPECT_CLOSE(kl_estimate(logp, ref, k3), d.exp() - d - 1, 1e-15, 0);
    R1_EXPECT_CLOSE(kl_estimate(logp, ref, {.estimator = KlEstimator::k1}), -d, 1e-15, 0);
    R1_EXPECT_CLOSE(kl_estimate(logp, ref, {.estimator = KlEstimator::k2}), d * d / 2, 1e-15, 0);
    // k3+: the k3 value with the k2 gradient (d/dlogp of d^2/2 = -d).
    const at::Tensor x = logp.clone().requires_grad_(true);
    const at::Tensor v = kl_estimate(x, ref, {.estimator = KlEstimator::k3_plus, .clamp = false});
    R1_EXPECT_CLOSE(v.detach(), d.exp() - d - 1, 1e-15, 0);
    v.sum().backward();
    R1_EXPECT_CLOSE(x.grad(), -d, 1e-15, 0);
    // clamp bounds k3 at 10 (verl low_var_kl).
    EXPECT_DOUBLE_EQ(
        kl_estimate(at::tensor({-30.0}, at::kDouble), at::tensor({0.0}, at::kDouble), {})[0]
            .item<double>(),
        10.0);
}

TEST(GrpoLossTest, ClipFractionsCountOnlyBindingClips) {
    // rho = e^{0.5} > 1.28 with A > 0: high-clipped; rho = e^{-0.5} < 0.8 with A < 0: low-clipped;
    // rho = e^{0.5} with A < 0: the clip does not bind.
    const at::Tensor logp = mat({0.5, -0.5, 0.5}, 3, 1);
    PolicyLossInput in{.logp = logp,
                       .old_logp = at::zeros({3, 1}, at::kDouble),
                       .advantages = at::tensor({1.0, -1.0, -1.0}, at::kDouble),
                       .mask = at::ones({3, 1}, at::kDouble)};
    const PolicyLoss out = policy_loss(in, {.kl = {.beta = 0}});
    EXPECT_NEAR(out.clip_high_frac, 1.0 / 3, 1e-15);
    EXPECT_NEAR(out.clip_low_frac, 1.0 / 3, 1e-15);
    EXPECT_NEAR(out.clip_region_frac, 2.0 / 3, 1e-15);
}

// Parity with TRL's GRPOTrainer._compute_loss on identical inputs
// (tests/reference/grpo_loss_reference.py).
TEST(GrpoLossTest, MatchesTrl) {
    const char* build = std::getenv("R1_BUILD_DIR");
    ASSERT_NE(build, nullptr) << "R1_BUILD_DIR is set by ctest";
    const std::string path =
        std::string(build) + "/reference/grpo_trl/grpo_trl.pt";  // fixture.grpo_trl
    const auto tensors = test::load_tensor_dict(path);
    auto get = [&](const std::string& key) { return test::find_tensor(tensors, key); };

    struct Case {
        std::string name;
        PolicyLossConfig config;
    };

    const std::vector<Case> cases = {
        {"grpo_token",
         {.clip = {.eps_low = 0.2, .eps_high = 0.2},
          .kl = {.beta = 0},
          .loss = {.agg = LossAgg::seq_mean_token_mean}}},
        {"bnpo_kl",
         {.clip = {.eps_low = 0.2, .eps_high = 0.28},
          .kl = {.beta = 0.04, .clamp = false},
          .loss = {.agg = LossAgg::token_mean}}},
        {"dapo_kl",
         {.clip = {.eps_low = 0.2, .eps_high = 0.28},
          .kl = {.beta = 0.001, .clamp = false},
          .loss = {.agg = LossAgg::token_mean}}},
        {"dr_grpo",
         {.clip = {.eps_low = 0.2, .eps_high = 0.2},
          .kl = {.beta = 0},
          .loss = {.agg = LossAgg::dr_grpo},
          .max_completion_length = 9}},
        {"gspo",
         {.clip = {.eps_low = 3e-4, .eps_high = 4e-4, .ratio_level = RatioLevel::sequence},
          .kl = {.beta = 0},
          .loss = {.agg = LossAgg::seq_mean_token_mean}}},
        {"dapo_entropy",
         {.clip = {.eps_low = 0.2, .eps_high = 0.28},
          .kl = {.beta = 0},
          .loss = {.agg = LossAgg::token_mean, .entropy_coef = 0.01}}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const at::Tensor logp = get(c.name + ".logp").clone().requires_grad_(true);
        PolicyLossInput in{.logp = logp,
                           .old_logp = get(c.name + ".old_logp"),
                           .ref_logp = get(c.name + ".ref_logp"),
                           .entropy = get(c.name + ".entropy"),
                           .advantages = get(c.name + ".advantages"),
                           .mask = get(c.name + ".mask")};
        const PolicyLoss out = policy_loss(in, c.config);
        out.loss.backward();
        EXPECT_NEAR(out.loss.item<double>(), get(c.name + ".loss").item<double>(), 1e-12);
        R1_EXPECT_CLOSE(logp.grad(), get(c.name + ".grad"), 1e-10, 1e-14);
        if (c.config.clip.ratio_level == RatioLevel::token) {
            EXPECT_NEAR(out.clip_low_frac, get(c.name + ".clip_ratio/low_mean").item<double>(),
                        1e-12);
            EXPECT_NEAR(out.clip_high_frac, get(c.name + ".clip_ratio/high_mean").item<double>(),
                        1e-12);
        }
        if (c.config.kl.beta > 0) {
            EXPECT_NEAR(out.kl, get(c.name + ".kl").item<double>(), 1e-12);
        }
    }
}

}  // namespace
}  // namespace r1::train::grpo
