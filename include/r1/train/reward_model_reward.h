// GRPO's `reward_model` reward: a trained reward model scores rows of its kinds (default "general")
// and returns None for the others, so rule rewards keep the rows they can check (stages-spec §3).
// It lives in train/ (rewards/ may not reach the model, style.md §2.2) and registers at load.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/options.h"
#include "r1/rewards/reward.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace r1::train {

/// Where the reward model's prompt template comes from.
enum class RmPromptFrom { model, options };

constexpr auto enum_names(RmPromptFrom) {
    return std::array{std::pair{RmPromptFrom::model, "model"},
                      std::pair{RmPromptFrom::options, "options"}};
}

/// What part of a completion the model scores.
enum class RmResponse { whole, summary };

constexpr auto enum_names(RmResponse) {
    return std::array{std::pair{RmResponse::whole, "whole"},
                      std::pair{RmResponse::summary, "summary"}};
}

struct RewardModelRewardOptions {
    std::string path;                              // reward-model directory (r1 train --stage rm)
    std::vector<std::string> kinds = {"general"};  // row kinds scored; empty: every row
    /// Fixed normalisation, value = (r - shift) / scale: a running statistic would make the
    /// reward depend on the batches before it (not pure, and a resumed run would differ), and
    /// GRPO's group advantages already centre each group; shift and scale set its size next to
    /// the rule rewards' 0..1.
    double shift = 0.0;
    double scale = 1.0;
    double clip = 0.0;                               // |value| capped after normalising; 0: no cap
    RmPromptFrom prompt_from = RmPromptFrom::model;  // model: the template it was trained with
    data::PromptFormatOptions prompt;                // used when prompt_from is options
    RmResponse response = RmResponse::whole;         // summary: the text after the last </think>
};

void visit(config::Visitor& v, RewardModelRewardOptions& o);

/// The reward function for `options` (loads the model once; calls share it, one at a time).
rewards::RewardFn make_reward_model_reward(const RewardModelRewardOptions& options);

/// Adds `reward_model` to rewards::RewardRegistry::global(); libr1 calls it as it loads, calling
/// it again is harmless.
void register_reward_model_reward();

}  // namespace r1::train
