// Length-aware rewards: cosine (length-scaled correctness, grpo-spec §6.7, TRL semantics) and
// soft_overlong (DAPO's soft overlong punishment, §6.9). Lengths count completion tokens by
// default.
#pragma once

#include "r1/config/visitor.h"
#include "r1/rewards/math_answer.h"
#include "r1/rewards/reward.h"

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

namespace r1::rewards {

enum class LengthUnit { tokens, characters };

constexpr auto enum_names(LengthUnit) {
    return std::array{std::pair{LengthUnit::tokens, "tokens"},
                      std::pair{LengthUnit::characters, "characters"}};
}

/// The completion's length in `unit` (characters: UTF-8 code points); nullopt for tokens without
/// ids.
std::optional<int64_t> completion_length(const RewardInput& in, LengthUnit unit);

struct CosineOptions {
    double min_value_wrong = -1.0;   // wrong and short: punished most
    double max_value_wrong = -0.5;   // wrong and at max_length
    double min_value_correct = 0.5;  // correct and at max_length
    double max_value_correct = 1.0;  // correct and short
    int64_t max_length = 1000;       // L_max; lengths beyond it clamp (TRL; open-r1 does not)
    LengthUnit unit = LengthUnit::tokens;
    ExtractMode mode = ExtractMode::answer_tag;  // how correctness is decided, as in accuracy
};

struct SoftOverlongOptions {
    int64_t max_length = 1024;  // L_max
    int64_t cache = 256;        // L_c: the punishment ramps over the last L_c units
    double penalty_factor = 1.0;
    LengthUnit unit = LengthUnit::tokens;
};

void visit(config::Visitor& v, CosineOptions& o);
void visit(config::Visitor& v, SoftOverlongOptions& o);

/// v_min + (v_max - v_min) / 2 * (1 + cos(pi * min(n / L, 1))) with the correct or wrong pair.
double cosine_scaled(int64_t n, bool correct, const CosineOptions& o);

/// 0 up to L - L_c, then linear down to -1 at L, -1 beyond; times penalty_factor.
double soft_overlong_penalty(int64_t n, const SoftOverlongOptions& o);

RewardResult cosine(const RewardInput& in, const CosineOptions& o);
RewardResult soft_overlong(const RewardInput& in, const SoftOverlongOptions& o);

}  // namespace r1::rewards
