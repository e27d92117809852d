#include "r1/train/distill_loss.h"

#include "r1/util/error.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/expect.h"
#include "support/tensor_dict.h"

namespace r1::train {
namespace {

using Probs = std::vector<double>;

Probs softmax(const at::Tensor& logits, double temperature) {  // logits [V], float64
    Probs p(logits.size(0));
    double z = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        p[i] = std::exp(logits[i].item<double>() / temperature);
        z += p[i];
    }
    for (double& x : p) {
        x /= z;
    }
    return p;
}

// sum_i a_i log(a_i / b_i), with 0 log 0 = 0.
double kl(const Probs& a, const Probs& b) {
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        d += a[i] > 0 ? a[i] * std::log(a[i] / b[i]) : 0.0;
    }
    return d;
}

// The divergence of GKD written out, for student s and teacher p (distill_loss.h's beta
// convention).
double gjsd(const Probs& s, const Probs& p, double beta) {
    if (beta == 0.0) {
        return kl(p, s);
    }
    if (beta == 1.0) {
        return kl(s, p);
    }
    Probs m(s.size());
    for (size_t i = 0; i < m.size(); ++i) {
        m[i] = beta * p[i] + (1 - beta) * s[i];
    }
    return beta * kl(p, m) + (1 - beta) * kl(s, m);
}

// The top-k divergence from its definition: k named tokens plus one outcome for the rest.
Probs coarse(const Probs& full, const at::Tensor& indices) {  // indices [k]
    Probs out;
    double rest = 0;
    std::vector<bool> named(full.size(), false);
    for (int64_t j = 0; j < indices.size(0); ++j) {
        named[indices[j].item<int64_t>()] = true;
        out.push_back(full[indices[j].item<int64_t>()]);
    }
    for (size_t i = 0; i < full.size(); ++i) {
        rest += named[i] ? 0.0 : full[i];
    }
    out.push_back(rest);
    return out;
}

struct Logits {
    at::Tensor student, teacher, mask;  // [B, T, V], [B, T, V], [B, T] bool
};

Logits random_logits(int64_t B, int64_t T, int64_t V, uint64_t seed) {
    at::manual_seed(seed);
    Logits l{.student = at::randn({B, T, V}, at::kDouble) * 2,
             .teacher = at::randn({B, T, V}, at::kDouble) * 2};
    l.mask = at::rand({B, T}, at::kDouble) > 0.3;
    l.mask[0][0] = true;
    return l;
}

// The teacher's k most likely tokens at `temperature`: what an offline dump stores. [B, T, k]
// twice.
std::pair<at::Tensor, at::Tensor> teacher_topk(const at::Tensor& teacher,
                                               double temperature,
                                               int64_t k) {
    const auto [logp, indices] = at::log_softmax(teacher / temperature, -1).topk(k, -1);
    return {logp, indices};
}

DistillLossOptions options(double beta, double temperature, DistillReduction reduction) {
    return {.beta = beta, .temperature = temperature, .reduction = reduction};
}

// Parity with TRL's GKDTrainer.generalized_jsd_loss (tests/reference/distill_loss_reference.py).
TEST(DistillLossTest, MatchesTrl) {
    const char* build = std::getenv("R1_BUILD_DIR");
    ASSERT_NE(build, nullptr) << "R1_BUILD_DIR is set by ctest";
    const auto tensors =
        test::load_tensor_dict(std::string(build) + "/reference/distill_trl/distill_trl.pt");
    auto get = [&](const std::string& key) { return test::find_tensor(tensors, key); };

    struct Case {
        std::string name;
        DistillLossOptions options;
        bool masked;
    };

    std::vector<Case> cases;
    for (const char* beta : {"0.0", "0.5", "0.9", "1.0"}) {
        for (const char* temperature : {"1.0", "2.0"}) {
            for (const auto& [reduction, reduction_name] : enum_names(DistillReduction{})) {
                for (bool masked : {false, true}) {
                    cases.push_back({std::string("beta") + beta + "_t" + temperature + "_" +
                                         reduction_name + (masked ? "_masked" : "_full"),
                                     options(std::stod(beta), std::stod(temperature), reduction),
                                     masked});
                }
            }
        }
    }
    cases.push_back(
        {"num_items", {.beta = 0.5, .temperature = 2.0, .num_items_in_batch = 11.0}, true});
    ASSERT_EQ(cases.size(), 65u);
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const at::Tensor student = get(c.name + ".student").clone().requires_grad_(true);
        DistillLossInput in{.student_logits = student, .teacher_logits = get(c.name + ".teacher")};
        if (c.masked) {
            in.mask = label_mask(get(c.name + ".labels"));
        }
        const at::Tensor loss = distill_loss(in, c.options);
        (loss * get(c.name + ".weight")).sum().backward();
        R1_EXPECT_CLOSE(loss.detach(), get(c.name + ".loss"), 1e-10, 1e-14);
        R1_EXPECT_CLOSE(student.grad(), get(c.name + ".grad"), 1e-10, 1e-14);
    }
}

// By hand on 2 positions of 3 tokens: beta = 0 is KL(teacher || student), beta = 1 the reverse.
TEST(DistillLossTest, ForwardAndReverseKlMatchHandComputedTable) {
    const at::Tensor teacher =
        at::tensor({0.5, 0.3, 0.2, 0.7, 0.2, 0.1}, at::kDouble).log().view({1, 2, 3});
    const at::Tensor student =
        at::tensor({0.2, 0.3, 0.5, 1 / 3.0, 1 / 3.0, 1 / 3.0}, at::kDouble).log().view({1, 2, 3});
    const double forward = 0.5 * std::log(0.5 / 0.2) + 0.2 * std::log(0.2 / 0.5) +  // position 0
                           0.7 * std::log(0.7 * 3) + 0.2 * std::log(0.2 * 3) +
                           0.1 * std::log(0.1 * 3);
    const double reverse = 0.2 * std::log(0.2 / 0.5) + 0.5 * std::log(0.5 / 0.2) +
                           (std::log(1 / 2.1) + std::log(1 / 0.6) + std::log(1 / 0.3)) / 3;
    const DistillLossInput in{.student_logits = student, .teacher_logits = teacher};
    // batchmean without a mask divides by B = 1 (TRL's rule), so it is the sum over both positions.
    EXPECT_NEAR(distill_loss(in, options(0.0, 1.0, DistillReduction::batchmean)).item<double>(),
                forward, 1e-14);
    EXPECT_NEAR(distill_loss(in, options(1.0, 1.0, DistillReduction::sum)).item<double>(), reverse,
                1e-14);
    EXPECT_NEAR(distill_loss(in, options(0.0, 1.0, DistillReduction::mean)).item<double>(),
                forward / 6, 1e-14);
}

// Every beta, temperature and mask against the divergence written out with plain loops.
TEST(DistillLossTest, MatchesDirectComputation) {
    const Logits l = random_logits(2, 4, 5, 3);
    for (double beta : {0.0, 0.1, 0.5, 1.0}) {
        for (double temperature : {1.0, 2.0, 0.7}) {
            double total = 0, kept = 0;
            for (int64_t b = 0; b < 2; ++b) {
                for (int64_t t = 0; t < 4; ++t) {
                    if (l.mask[b][t].item<bool>()) {
                        total += gjsd(softmax(l.student[b][t], temperature),
                                      softmax(l.teacher[b][t], temperature), beta);
                        kept += 1;
                    }
                }
            }
            const DistillLossInput in{
                .student_logits = l.student, .teacher_logits = l.teacher, .mask = l.mask};
            const double loss =
                distill_loss(in, options(beta, temperature, DistillReduction::batchmean))
                    .item<double>();
            EXPECT_NEAR(loss, total / kept, 1e-12 * total)
                << "beta " << beta << " temperature " << temperature;
        }
    }
}

TEST(DistillLossTest, TeacherGetsNoGradient) {
    const Logits l = random_logits(2, 3, 4, 5);
    const at::Tensor teacher = l.teacher.clone().requires_grad_(true);
    const at::Tensor student = l.student.clone().requires_grad_(true);
    distill_loss({.student_logits = student, .teacher_logits = teacher},
                 options(0.5, 1.0, DistillReduction::sum))
        .backward();
    EXPECT_TRUE(student.grad().defined());
    EXPECT_FALSE(teacher.grad().defined());
}

// With num_items_in_batch = the kept positions of the whole batch, micro-batches add up to it.
TEST(DistillLossTest, MicroBatchesSumToTheBatchWithNumItems) {
    const Logits l = random_logits(4, 3, 6, 9);
    const DistillLossInput whole{
        .student_logits = l.student, .teacher_logits = l.teacher, .mask = l.mask};
    const double expected =
        distill_loss(whole, options(0.5, 2.0, DistillReduction::batchmean)).item<double>();
    DistillLossOptions o = options(0.5, 2.0, DistillReduction::batchmean);
    o.num_items_in_batch = l.mask.sum().item<double>();
    double total = 0;
    for (int64_t start : {0, 1}) {
        const int64_t end = start == 0 ? 1 : 4;
        total += distill_loss({.student_logits = l.student.slice(0, start, end),
                               .teacher_logits = l.teacher.slice(0, start, end),
                               .mask = l.mask.slice(0, start, end)},
                              o)
                     .item<double>();
    }
    EXPECT_NEAR(total, expected, 1e-12 * expected);
}

// An empty mask gives 0 and a zero gradient (TRL: 0 for batchmean, NaN for mean; r1: 0 for both).
TEST(DistillLossTest, EmptyMaskGivesZero) {
    const Logits l = random_logits(2, 3, 4, 1);
    const at::Tensor student = l.student.clone().requires_grad_(true);
    for (DistillReduction r :
         {DistillReduction::batchmean, DistillReduction::sum, DistillReduction::mean}) {
        const at::Tensor loss = distill_loss({.student_logits = student,
                                              .teacher_logits = l.teacher,
                                              .mask = at::zeros({2, 3}, at::kBool)},
                                             options(0.5, 1.0, r));
        loss.backward();
        EXPECT_EQ(loss.item<double>(), 0.0);
    }
    EXPECT_EQ(student.grad().abs().sum().item<double>(), 0.0);
}

// bf16 logits are upcast: the loss is float32 and close to the float64 one.
TEST(DistillLossTest, HalfPrecisionLogitsAreComputedInFloat32) {
    const Logits l = random_logits(2, 3, 50, 2);
    const at::Tensor s = l.student.to(at::kBFloat16), t = l.teacher.to(at::kBFloat16);
    const at::Tensor loss = distill_loss({.student_logits = s, .teacher_logits = t},
                                         options(0.5, 1.0, DistillReduction::sum));
    EXPECT_EQ(loss.scalar_type(), at::kFloat);
    const double exact =
        distill_loss({.student_logits = s.to(at::kDouble), .teacher_logits = t.to(at::kDouble)},
                     options(0.5, 1.0, DistillReduction::sum))
            .item<double>();
    EXPECT_NEAR(loss.item<double>(), exact, 1e-5 * exact);
}

// k = V: the tail is empty and the top-k loss is the full loss, value and gradient, for every
// option.
TEST(DistillLossTest, TopkWithFullVocabularyEqualsFullLoss) {
    const Logits l = random_logits(2, 4, 6, 4);
    for (double beta : {0.0, 0.5, 1.0}) {
        for (double temperature : {1.0, 2.0}) {
            for (DistillReduction r :
                 {DistillReduction::batchmean, DistillReduction::sum, DistillReduction::mean}) {
                SCOPED_TRACE("beta " + std::to_string(beta) + " temperature " +
                             std::to_string(temperature));
                const DistillLossOptions o = options(beta, temperature, r);
                const at::Tensor full_s = l.student.clone().requires_grad_(true);
                const at::Tensor full = distill_loss(
                    {.student_logits = full_s, .teacher_logits = l.teacher, .mask = l.mask}, o);
                full.backward();
                const auto [logp, indices] = teacher_topk(l.teacher, temperature, 6);
                const at::Tensor topk_s = l.student.clone().requires_grad_(true);
                const at::Tensor topk = topk_distill_loss({.student_logits = topk_s,
                                                           .teacher_logp = logp,
                                                           .teacher_indices = indices,
                                                           .mask = l.mask},
                                                          o);
                topk.backward();
                EXPECT_NEAR(topk.item<double>(), full.item<double>(), 1e-12 * full.item<double>());
                R1_EXPECT_CLOSE(topk_s.grad(), full_s.grad(), 1e-10, 1e-14);
            }
        }
    }
}

// k < V against the definition: the generalised JSD of the k named tokens plus one "rest" outcome.
TEST(DistillLossTest, TopkMatchesBruteForceTailBucket) {
    const Logits l = random_logits(2, 3, 7, 6);
    for (double beta : {0.0, 0.5, 0.9, 1.0}) {
        for (int64_t k : {1, 3}) {
            const double temperature = 2.0;
            const auto [logp, indices] = teacher_topk(l.teacher, temperature, k);
            double total = 0;
            for (int64_t b = 0; b < 2; ++b) {
                for (int64_t t = 0; t < 3; ++t) {
                    const Probs s = coarse(softmax(l.student[b][t], temperature), indices[b][t]);
                    total +=
                        gjsd(s, coarse(softmax(l.teacher[b][t], temperature), indices[b][t]), beta);
                }
            }
            const TopkDistillLossInput in{
                .student_logits = l.student, .teacher_logp = logp, .teacher_indices = indices};
            EXPECT_NEAR(topk_distill_loss(in, options(beta, temperature, DistillReduction::sum))
                            .item<double>(),
                        total, 1e-12 * total)
                << "beta " << beta << " k " << k;
        }
    }
}

// The analytic gradient of the top-k loss (through the student's tail) against central differences.
TEST(DistillLossTest, TopkGradientMatchesFiniteDifferences) {
    const Logits l = random_logits(1, 2, 5, 8);
    const auto [logp, indices] = teacher_topk(l.teacher, 1.0, 2);
    for (double beta : {0.0, 0.5, 1.0}) {
        const DistillLossOptions o = options(beta, 1.5, DistillReduction::sum);
        auto loss_at = [&](const at::Tensor& s) {
            return topk_distill_loss(
                {.student_logits = s, .teacher_logp = logp, .teacher_indices = indices}, o);
        };
        const at::Tensor s = l.student.clone().requires_grad_(true);
        loss_at(s).backward();
        const at::Tensor numeric = at::zeros_like(l.student);
        const double h = 1e-6;
        for (int64_t i = 0; i < l.student.numel(); ++i) {
            const at::Tensor plus = l.student.clone(), minus = l.student.clone();
            plus.view(-1)[i] += h;
            minus.view(-1)[i] -= h;
            numeric.view(-1)[i] =
                (loss_at(plus).item<double>() - loss_at(minus).item<double>()) / (2 * h);
        }
        R1_EXPECT_CLOSE(s.grad(), numeric, 1e-6, 1e-9);
    }
}

// Coarse-graining never increases an f-divergence: per position, top-k <= full, for every k.
TEST(DistillLossTest, TopkNeverExceedsFullLoss) {
    const Logits l = random_logits(3, 4, 8, 12);
    for (double beta : {0.0, 0.5, 1.0}) {
        const DistillLossOptions o = options(beta, 1.0, DistillReduction::none);
        const at::Tensor full =
            distill_loss({.student_logits = l.student, .teacher_logits = l.teacher}, o).sum(-1);
        for (int64_t k : {1, 4, 7}) {
            const auto [logp, indices] = teacher_topk(l.teacher, 1.0, k);
            const at::Tensor topk = topk_distill_loss(
                {.student_logits = l.student, .teacher_logp = logp, .teacher_indices = indices}, o);
            ASSERT_EQ(topk.sizes(), (at::IntArrayRef{3, 4, k + 1}));
            EXPECT_TRUE((topk.sum(-1) <= full + 1e-12).all().item<bool>())
                << "beta " << beta << " k " << k;
            EXPECT_TRUE((topk.sum(-1) >= -1e-12).all().item<bool>())
                << "beta " << beta << " k " << k;
        }
    }
}

TEST(DistillLossTest, ShapeMismatchNamesBothShapes) {
    const at::Tensor s = at::zeros({2, 3, 5}, at::kDouble), t = at::zeros({2, 3, 4}, at::kDouble);
    const std::string message = test::error_of<c10::Error>(
        [&] { distill_loss({.student_logits = s, .teacher_logits = t}, {}); });
    test::expect_contains(message, {"distill_loss", "[2, 3, 5]", "[2, 3, 4]"});
    test::expect_contains(
        test::error_of<c10::Error>([&] {
            distill_loss({.student_logits = s, .teacher_logits = s, .mask = at::ones({2, 4})}, {});
        }),
        {"mask", "[2, 3, 5]", "[2, 4]"});
}

TEST(DistillLossTest, TopkRejectsBadTeachers) {
    const at::Tensor s = at::zeros({1, 2, 4}, at::kDouble);
    const at::Tensor logp = at::full({1, 2, 2}, -1.0, at::kDouble);
    auto message = [&](const at::Tensor& lp, const at::Tensor& idx) {
        return test::error_of<c10::Error>([&] {
            topk_distill_loss({.student_logits = s, .teacher_logp = lp, .teacher_indices = idx},
                              {});
        });
    };
    const at::Tensor ok = at::tensor({0, 1, 2, 3}, at::kLong).view({1, 2, 2});
    test::expect_contains(message(logp, ok.view({1, 4, 1})),
                          {"teacher_indices", "[1, 2, 2]", "[1, 4, 1]"});
    test::expect_contains(
        message(at::zeros({1, 2, 5}, at::kDouble), at::zeros({1, 2, 5}, at::kLong)),
        {"1 <= k <= V", "[1, 2, 4]", "[1, 2, 5]"});
    test::expect_contains(message(logp, ok + 1), {"out of the vocabulary [0, 4)"});
    test::expect_contains(message(logp, at::tensor({0, 0, 2, 3}, at::kLong).view({1, 2, 2})),
                          {"repeat"});
}

TEST(DistillLossTest, RejectsOptionsOutOfRange) {
    const at::Tensor s = at::zeros({1, 1, 3}, at::kDouble);
    const DistillLossInput in{.student_logits = s, .teacher_logits = s};
    test::expect_contains(
        test::error_of<util::ConfigError>([&] { distill_loss(in, {.beta = 1.5}); }),
        {"beta (1.5)", "[0, 1]"});
    test::expect_contains(
        test::error_of<util::ConfigError>([&] { distill_loss(in, {.temperature = 0.0}); }),
        {"temperature (0)"});
}

}  // namespace
}  // namespace r1::train
