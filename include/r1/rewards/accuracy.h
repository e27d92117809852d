// accuracy (grpo-spec §6.1): 1 when the completion's final answer equals the gold answer, else 0;
// None when the row has no usable gold answer.
#pragma once

#include "r1/config/visitor.h"
#include "r1/rewards/math_answer.h"
#include "r1/rewards/reward.h"

#include <string>
#include <vector>

namespace r1::rewards {

struct AccuracyOptions {
    ExtractMode mode = ExtractMode::answer_tag;  // where the prediction's answer is looked for
    int float_rounding = 6;                      // decimals numbers must agree to (Math-Verify)
    double time_limit = 1.0;                     // seconds per comparison, then unscorable
    std::vector<double> values = {1.0, 0.0};     // [correct, wrong]; DAPO uses [1, -1]
    std::vector<std::string> kinds = {"math", "arithmetic"};  // row kinds scored; others: None
};

void visit(config::Visitor& v, AccuracyOptions& o);

RewardResult accuracy(const RewardInput& in, const AccuracyOptions& o);

}  // namespace r1::rewards
