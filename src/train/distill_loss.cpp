#include "r1/train/distill_loss.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>
#include <ATen/core/Reduction.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace r1::train {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void check_options(const DistillLossOptions& o) {
    if (!(o.beta >= 0.0 && o.beta <= 1.0)) {
        throw util::ConfigError(util::str("distill beta (", o.beta, ") must lie in [0, 1]"));
    }
    if (!(o.temperature > 0.0)) {
        throw util::ConfigError(util::str("distill temperature (", o.temperature, ") must be > 0"));
    }
    if (o.num_items_in_batch && !(*o.num_items_in_batch > 0.0)) {
        throw util::ConfigError(
            util::str("distill num_items_in_batch (", *o.num_items_in_batch, ") must be > 0"));
    }
}

void check_student_and_mask(const char* fn, const at::Tensor& student, const at::Tensor& mask) {
    TORCH_CHECK(student.dim() == 3 && student.size(2) > 0 && student.is_floating_point(), fn,
                ": student_logits must be floating [B, T, V] with V > 0, got ", student.sizes(),
                " ", student.scalar_type());
    TORCH_CHECK(!mask.defined() || mask.sizes() == student.sizes().slice(0, 2), fn,
                ": mask must be [B, T] of student_logits ", student.sizes(), ", got ",
                mask.sizes());
}

// bf16/fp16 logits are upcast: a half-precision log_softmax over a 150k vocabulary loses the small
// probabilities the divergence weighs. (TRL computes in the input dtype; float32/64 agree with it.)
at::ScalarType math_type(const at::Tensor& logits) {
    return at::isReducedFloatingType(logits.scalar_type()) ? at::kFloat : logits.scalar_type();
}

// The indices of the kept positions in row-major order (TRL: jsd[labels != -100]); undefined = all.
at::Tensor kept_rows(const at::Tensor& mask) {
    return mask.defined() ? (mask != 0).flatten().nonzero().squeeze(1) : at::Tensor();
}

// [B, T, ...] -> [N, ...] at the kept rows. Selecting before the softmax skips padding's work and
// keeps whatever padding holds (even inf/NaN) out of the sums.
at::Tensor keep_rows(const at::Tensor& x, const at::Tensor& rows) {
    return rows.defined() ? x.flatten(0, 1).index_select(0, rows) : x;
}

// TRL's reductions of jsd, V being the student's vocabulary size.
at::Tensor reduce(const at::Tensor& terms, int64_t V, const DistillLossOptions& o) {
    if (o.num_items_in_batch) {
        return terms.sum() / *o.num_items_in_batch;
    }
    switch (o.reduction) {
        case DistillReduction::batchmean:
            // terms.size(0) is N kept positions with a mask, B without: TRL's two denominators;
            // clamped at 1 as TRL does, so an empty mask gives 0, not NaN.
            return terms.sum() / static_cast<double>(std::max<int64_t>(terms.size(0), 1));
        case DistillReduction::sum:
            return terms.sum();
        case DistillReduction::mean: {
            // TRL's jsd.mean(); on an empty mask TRL returns NaN, r1 returns 0 as batchmean does.
            const int64_t positions = terms.numel() / terms.size(-1);
            return terms.sum() / static_cast<double>(std::max<int64_t>(positions * V, 1));
        }
        case DistillReduction::none:
            return terms;
    }
    return terms.sum();
}

// log of the student's mass outside the k indices [..., 1], summed from the remaining log-probs
// instead of log(1 - mass inside), which rounds to log(0) once the k tokens hold nearly all of it.
at::Tensor student_tail(const at::Tensor& logp, const at::Tensor& indices) {
    const at::Tensor rest = logp.scatter(-1, indices, -kInf);
    // Nothing left (k = V): logsumexp's gradient over an all -inf row is NaN, so give it zeros and
    // overwrite the result; where() passes no gradient to the overwritten value.
    const at::Tensor empty = (rest == -kInf).all(-1, /*keepdim=*/true);
    const at::Tensor lse = rest.masked_fill(empty, 0.0).logsumexp(-1, /*keepdim=*/true);
    return at::where(empty, at::full({}, -kInf, lse.options()), lse);
}

// log(1 - sum of the k probabilities) [..., 1] of a teacher normalised over V (no gradient needed):
// log(-expm1(x)) near x = 0, log1p(-exp(x)) below -ln 2 (Maechler's log1mexp).
at::Tensor teacher_tail(const at::Tensor& logp) {
    const at::Tensor x = logp.logsumexp(-1, /*keepdim=*/true).clamp_max(0.0);  // rounding: sum > 1
    return at::where(x > -std::log(2.0), at::log(-at::expm1(x)), at::log1p(-at::exp(x)));
}

void check_topk(const TopkDistillLossInput& in) {
    const at::Tensor& s = in.student_logits;
    check_student_and_mask("topk_distill_loss", s, in.mask);
    const at::Tensor& t = in.teacher_logp;
    TORCH_CHECK(
        t.dim() == 3 && t.size(0) == s.size(0) && t.size(1) == s.size(1) && t.size(2) >= 1 &&
            t.size(2) <= s.size(2),
        "topk_distill_loss: teacher_logp must be [B, T, k] with 1 <= k <= V for student_logits ",
        s.sizes(), ", got ", t.sizes());
    const at::Tensor& idx = in.teacher_indices;
    TORCH_CHECK(idx.sizes() == t.sizes() && idx.scalar_type() == at::kLong,
                "topk_distill_loss: teacher_indices must be int64 of teacher_logp's shape ",
                t.sizes(), ", got ", idx.scalar_type(), " ", idx.sizes());
    if (idx.numel() == 0) {
        return;
    }
    TORCH_CHECK(idx.min().item<int64_t>() >= 0 && idx.max().item<int64_t>() < s.size(2),
                "topk_distill_loss: teacher_indices out of the vocabulary [0, ", s.size(2), ")");
    const at::Tensor sorted = std::get<0>(idx.sort(-1));
    TORCH_CHECK(!(sorted.slice(-1, 1) == sorted.slice(-1, 0, -1)).any().item<bool>(),
                "topk_distill_loss: teacher_indices repeat a token within a position");
}

}  // namespace

at::Tensor label_mask(const at::Tensor& labels, int64_t ignore_index) {
    return labels != ignore_index;
}

at::Tensor generalized_jsd(const at::Tensor& student_logp,
                           const at::Tensor& teacher_logp,
                           double beta) {
    // F.kl_div(input, target, log_target=True) = exp(target) * (target - input), the terms of
    // KL(target || input).
    constexpr int64_t kNone = at::Reduction::None;
    if (beta == 0.0) {
        return at::kl_div(student_logp, teacher_logp, kNone, /*log_target=*/true);  // KL(P || S)
    }
    if (beta == 1.0) {
        return at::kl_div(teacher_logp, student_logp, kNone, /*log_target=*/true);  // KL(S || P)
    }
    // log M = logsumexp(log S + log(1 - beta), log P + log beta), as TRL mixes them.
    const at::Tensor b = at::scalar_tensor(beta, student_logp.options());
    const at::Tensor mixture =
        at::logsumexp(at::stack({student_logp + at::log1p(-b), teacher_logp + at::log(b)}), 0);
    return b * at::kl_div(mixture, teacher_logp, kNone, true) +
           (1 - b) * at::kl_div(mixture, student_logp, kNone, true);
}

at::Tensor distill_loss(const DistillLossInput& in, const DistillLossOptions& options) {
    check_options(options);
    const at::Tensor& s = in.student_logits;
    check_student_and_mask("distill_loss", s, in.mask);
    TORCH_CHECK(
        in.teacher_logits.sizes() == s.sizes(),
        "distill_loss: student_logits and teacher_logits must have one shape [B, T, V], got ",
        s.sizes(), " and ", in.teacher_logits.sizes());
    const at::Tensor rows = kept_rows(in.mask);
    const at::ScalarType type = math_type(s);
    // TRL: log_softmax(logits / temperature) for both; the teacher is a constant.
    const at::Tensor student =
        at::log_softmax(keep_rows(s, rows).to(type) / options.temperature, -1);
    const at::Tensor teacher = at::log_softmax(
        keep_rows(in.teacher_logits.detach(), rows).to(type) / options.temperature, -1);
    return reduce(generalized_jsd(student, teacher, options.beta), s.size(2), options);
}

at::Tensor topk_distill_loss(const TopkDistillLossInput& in, const DistillLossOptions& options) {
    check_options(options);
    check_topk(in);
    const at::Tensor rows = kept_rows(in.mask);
    const at::ScalarType type = math_type(in.student_logits);
    const at::Tensor s =
        at::log_softmax(keep_rows(in.student_logits, rows).to(type) / options.temperature, -1);
    const at::Tensor idx = keep_rows(in.teacher_indices, rows);
    const at::Tensor t = keep_rows(in.teacher_logp.detach(), rows).to(type);
    // Floor at the smallest normal number: an empty tail (k = V) or a -inf log-prob from a server
    // would make kl_div's exp(target) * (target - input) 0 * inf = NaN. What it drops is < 1e-37.
    const double floor = type == at::kDouble ? std::log(std::numeric_limits<double>::min())
                                             : std::log(std::numeric_limits<float>::min());
    const at::Tensor student =
        at::cat({s.gather(-1, idx), student_tail(s, idx).clamp_min(floor)}, -1);
    const at::Tensor teacher = at::cat({t.clamp_min(floor), teacher_tail(t).clamp_min(floor)}, -1);
    return reduce(generalized_jsd(student, teacher, options.beta), in.student_logits.size(2),
                  options);
}

}  // namespace r1::train
