// repetition (grpo-spec §6.8): (1 - distinct n-grams / n-grams) * max_penalty, over token ids (TRL,
// the default) or lower-cased whitespace words (open-r1).
#pragma once

#include "r1/config/visitor.h"
#include "r1/rewards/reward.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace r1::rewards {

enum class RepetitionUnit { tokens, words };

constexpr auto enum_names(RepetitionUnit) {
    return std::array{std::pair{RepetitionUnit::tokens, "tokens"},
                      std::pair{RepetitionUnit::words, "words"}};
}

struct RepetitionOptions {
    int64_t ngram_size = 3;
    double max_penalty = -1.0;  // <= 0: the reward when every n-gram repeats
    RepetitionUnit unit = RepetitionUnit::tokens;
};

void visit(config::Visitor& v, RepetitionOptions& o);

/// The penalty for a sequence of units (0 with fewer than ngram_size units).
template <class T>
double repetition_penalty(const std::vector<T>& units, int64_t n, double max_penalty);

/// open-r1's units: text.lower().split() (ASCII lower-casing; other bytes kept).
std::vector<std::string> lower_words(const std::string& text);

RewardResult repetition(const RewardInput& in, const RepetitionOptions& o);

}  // namespace r1::rewards
