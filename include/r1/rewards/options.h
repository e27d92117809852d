// One entry of a stage's `rewards:` list: which reward function and its weight in the sum.
// Reward-specific keys arrive with the reward registry (each function brings its own visit()).
#pragma once

#include <string>
#include <vector>

#include "r1/config/visitor.h"

namespace r1::rewards {

struct RewardSpec {
    std::string name;     // registry name: accuracy, format, countdown, ...
    double weight = 1.0;  // weight in the summed reward
};

void visit(config::Visitor& v, RewardSpec& o);

/// The reward names grpo-spec §6 defines; a config naming another is an error.
const std::vector<std::string>& known_reward_names();

}  // namespace r1::rewards
