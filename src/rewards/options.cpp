#include "r1/rewards/options.h"

namespace r1::rewards {

void visit(config::Visitor& v, RewardSpec& o) {
    v.field("name", o.name, "reward function (see known_reward_names)").required();
    v.field("weight", o.weight, "weight of this reward in the sum").range(-1e6, 1e6);
}

const std::vector<std::string>& known_reward_names() {
    static const std::vector<std::string> kNames = {
        "accuracy",  "format", "tag_count",     "language_consistency", "code",
        "countdown", "cosine", "repetition",    "soft_overlong",        "length",
        "preference_rm"};
    return kNames;
}

}  // namespace r1::rewards
