#include "r1/rewards/accuracy.h"

#include "r1/util/error.h"

#include <algorithm>

namespace r1::rewards {

void visit(config::Visitor& v, AccuracyOptions& o) {
    v.field("mode", o.mode,
            "where the answer is looked for: answer_tag, boxed, latex, last_number, any");
    v.field("float_rounding", o.float_rounding, "decimals two numbers must agree to").range(0, 15);
    v.field("time_limit", o.time_limit,
            "seconds one comparison may take; past it the completion is unscorable (None)")
        .range(0.001, 600.0);
    v.field("values", o.values, "[reward if correct, reward if wrong]");
    v.field("kinds", o.kinds, "task kinds it scores (rows without a kind always); others: None");
}

RewardResult accuracy(const RewardInput& in, const AccuracyOptions& o) {
    if (o.values.size() != 2) {
        throw util::ConfigError("accuracy: key 'values' needs two numbers [correct, wrong]");
    }
    if (!in.kind.empty() && std::find(o.kinds.begin(), o.kinds.end(), in.kind) == o.kinds.end()) {
        return {std::nullopt, "", "not a math row"};
    }
    const MathVerdict v =
        verify_math(in.answer, in.completion, o.mode,
                    {.float_rounding = o.float_rounding, .time_limit = o.time_limit});
    if (!v.correct) {
        return {std::nullopt, v.answer, v.why};  // unscorable: skipped, as TRL and open-r1 do
    }
    return {*v.correct ? o.values[0] : o.values[1], v.answer, v.why};
}

}  // namespace r1::rewards
