#include "r1/rewards/accuracy.h"

#include "r1/util/error.h"

#include <algorithm>

namespace r1::rewards {

void visit(config::Visitor& v, AccuracyOptions& o) {
    v.field("mode", o.mode,
            "where the answer is looked for: answer_tag, boxed, latex, last_number, any");
    v.field("float_rounding", o.float_rounding, "decimals two numbers must agree to").range(0, 15);
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
    const std::string gold = extract_gold(in.answer);
    if (normalize_answer(gold).empty()) {
        return {std::nullopt, "", "no gold answer"};  // unscorable: skipped, as TRL and open-r1 do
    }
    const auto pred = extract_answer(in.completion, o.mode);
    if (!pred) {
        return {o.values[1], "", "no answer found"};
    }
    const bool ok = answers_equivalent(gold, *pred, {.float_rounding = o.float_rounding});
    return {ok ? o.values[0] : o.values[1], *pred, ok ? "correct" : "wrong"};
}

}  // namespace r1::rewards
