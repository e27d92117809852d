// countdown (grpo-spec §6.6): TinyZero's rule for the Countdown task, every branch: 0 without an
// answer, format_score (0.1) for an equation that does not use each number once or does not
// evaluate, score (1.0) when it evaluates to the target.
#pragma once

#include "r1/config/visitor.h"
#include "r1/rewards/reward.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1::rewards {

struct CountdownOptions {
    double format_score = 0.1;  // a well-formed answer that is not a solution
    double score = 1.0;         // a solution
};

void visit(config::Visitor& v, CountdownOptions& o);

/// TinyZero's extract_solution on prompt + completion: the text after the first "Assistant:" (or
/// "<|im_start|>assistant"), its last line, its last <answer>...</answer>, stripped.
std::optional<std::string> countdown_equation(std::string_view text);

/// Python's value of an arithmetic expression over ^[\d+\-*/().\s]+$ (ints, floats, + - * / // **,
/// parentheses), as TinyZero's eval sees it; nullopt where Python raises.
std::optional<double> eval_arithmetic(std::string_view expr);

RewardResult countdown(const RewardInput& in, const CountdownOptions& o);

}  // namespace r1::rewards
