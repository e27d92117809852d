// The `reward_model` reward (train/reward_model_reward.h) and its registration.
#include "r1/train/reward_model_reward.h"

#include "r1/train/reward_model_dir.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <algorithm>
#include <memory>
#include <mutex>

namespace r1::train {
namespace {

/// The loaded model shared by every call of one reward; forwards run one at a time (the reward
/// set calls from several threads, and a MoE layer counts its expert load as it runs).
struct SharedModel {
    explicit SharedModel(RewardModelDir dir) : rm(std::move(dir)) {}

    RewardModelDir rm;
    std::mutex mutex;
};

std::string scored_part(const std::string& completion, RmResponse response) {
    if (response == RmResponse::whole) {
        return completion;
    }
    const size_t end = completion.rfind("</think>");  // R1 scores the summary after the thinking
    return end == std::string::npos ? completion : completion.substr(end + 8);
}

}  // namespace

void visit(config::Visitor& v, RewardModelRewardOptions& o) {
    v.field("path", o.path, "reward-model directory (r1 train --stage rm, or a transformers one)")
        .required();
    v.field("kinds", o.kinds,
            "row kinds it scores (others get None, left to their rule rewards); [] scores all");
    v.field("shift", o.shift, "subtracted from the raw reward");
    v.field("scale", o.scale, "then divided by this (fixed: the reward stays a pure function)")
        .range(1e-12, 1e12);
    v.field("clip", o.clip, "then capped to [-clip, clip]; 0: no cap").min(0);
    v.field("prompt_from", o.prompt_from,
            "model: the template the reward model was trained with (its chat_template.jinja, "
            "else plain); options: the prompt section below");
    v.section("prompt", o.prompt, "the template when prompt_from is options");
    v.field("response", o.response,
            "whole: the completion; summary: the text after its last </think> (R1's helpfulness)");
}

rewards::RewardFn make_reward_model_reward(const RewardModelRewardOptions& o) {
    auto shared = std::make_shared<SharedModel>(load_reward_model_dir(o.path));
    if (o.prompt_from == RmPromptFrom::options) {
        shared->rm.set_prompt(o.prompt);
    }
    return [shared, o](const rewards::RewardInput& in) -> rewards::RewardResult {
        if (!o.kinds.empty() &&
            std::find(o.kinds.begin(), o.kinds.end(), in.kind) == o.kinds.end()) {
            return {.value = std::nullopt, .reason = "not a " + util::join(o.kinds, "/") + " row"};
        }
        const std::string response = scored_part(in.completion, o.response);
        const auto ids = encode_response(in.prompt, response, shared->rm.encoder());
        double raw = 0.0;
        {
            const std::lock_guard lock(shared->mutex);
            raw = score_ids(*shared->rm.model, {ids}, 1).front();
        }
        double value = (raw - o.shift) / o.scale;
        if (o.clip > 0) {
            value = std::clamp(value, -o.clip, o.clip);
        }
        return {.value = value, .reason = util::str("raw ", util::fixed(raw, 4))};
    };
}

void register_reward_model_reward() {
    rewards::register_reward<RewardModelRewardOptions>(
        "reward_model", "a trained reward model's score (rows of the given kinds; others None)",
        &make_reward_model_reward);
}

namespace {

// libr1 is a shared library: this runs as it loads, before any config names the reward.
[[maybe_unused]] const bool kRegistered = (register_reward_model_reward(), true);

}  // namespace

}  // namespace r1::train
