#include "r1/rewards/length.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <cmath>
#include <numbers>

namespace r1::rewards {

void visit(config::Visitor& v, CosineOptions& o) {
    v.field("min_value_wrong", o.min_value_wrong, "reward of a wrong answer of length 0");
    v.field("max_value_wrong", o.max_value_wrong, "reward of a wrong answer at max_length");
    v.field("min_value_correct", o.min_value_correct, "reward of a correct answer at max_length");
    v.field("max_value_correct", o.max_value_correct, "reward of a correct answer of length 0");
    v.field("max_length", o.max_length, "L_max: the length where the cosine reaches its end")
        .min(1);
    v.field("unit", o.unit, "count tokens (needs completion ids) or characters");
    v.field("mode", o.mode, "where the answer is looked for (as accuracy.mode)");
}

void visit(config::Visitor& v, SoftOverlongOptions& o) {
    v.field("max_length", o.max_length, "L_max: longer completions get -1").min(1);
    v.field("cache", o.cache, "L_c: the penalty ramps from 0 to -1 over the last L_c units").min(1);
    v.field("penalty_factor", o.penalty_factor, "scale of the penalty (verl)").min(0.0);
    v.field("unit", o.unit, "count tokens (needs completion ids) or characters");
}

std::optional<int64_t> completion_length(const RewardInput& in, LengthUnit unit) {
    if (unit == LengthUnit::tokens) {
        return in.completion_ids
                   ? std::optional<int64_t>(static_cast<int64_t>(in.completion_ids->size()))
                   : std::nullopt;
    }
    int64_t n = 0;
    for (const char c : in.completion) {
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;  // count UTF-8 lead bytes
    }
    return n;
}

double cosine_scaled(int64_t n, bool correct, const CosineOptions& o) {
    const double progress =
        std::min(static_cast<double>(n) / static_cast<double>(o.max_length), 1.0);
    const double c = std::cos(progress * std::numbers::pi);
    // wrong answers swap the pair so that shorter ones are punished more (TRL, open-r1)
    const double lo = correct ? o.min_value_correct : o.max_value_wrong;
    const double hi = correct ? o.max_value_correct : o.min_value_wrong;
    return lo + 0.5 * (hi - lo) * (1.0 + c);
}

double soft_overlong_penalty(int64_t n, const SoftOverlongOptions& o) {
    const int64_t expected = o.max_length - o.cache;
    if (n <= expected) {
        return 0.0;
    }
    if (n <= o.max_length) {
        return o.penalty_factor * static_cast<double>(expected - n) / static_cast<double>(o.cache);
    }
    return -o.penalty_factor;
}

RewardResult cosine(const RewardInput& in, const CosineOptions& o) {
    if (!in.kind.empty() && in.kind != "math") {
        return {std::nullopt, "", "not a math row"};
    }
    const auto n = completion_length(in, o.unit);
    if (!n) {
        return {std::nullopt, "", "unit: tokens needs the completion's token ids"};
    }
    const MathVerdict v = verify_math(in.answer, in.completion, o.mode);
    if (!v.correct) {
        return {std::nullopt, v.answer, v.why};
    }
    return {cosine_scaled(*n, *v.correct, o), v.answer, util::str(v.why, ", length ", *n)};
}

RewardResult soft_overlong(const RewardInput& in, const SoftOverlongOptions& o) {
    if (o.cache > o.max_length) {
        throw util::ConfigError(util::str("soft_overlong: cache (", o.cache,
                                          ") must not exceed max_length (", o.max_length, ")"));
    }
    const auto n = completion_length(in, o.unit);
    if (!n) {
        return {std::nullopt, "", "unit: tokens needs the completion's token ids"};
    }
    return {soft_overlong_penalty(*n, o), "", util::str("length ", *n)};
}

}  // namespace r1::rewards
