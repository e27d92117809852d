// format and tag_count (grpo-spec §6.2-6.3): does the completion follow the R1 template
// `<think>...</think><answer>...</answer>`, and partial credit per well-placed tag (open-r1).
#pragma once

#include "r1/config/visitor.h"
#include "r1/rewards/reward.h"

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace r1::rewards {

enum class FormatVariant {
    r1_strict,  // open-r1: re.match("^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$",
                // DOTALL|MULTILINE)
    r1_loose,   // ^<think>.*?</think>\s*<answer>.*?</answer>$, the whole completion
    think,      // TRL think_format_reward: ^<think>(?!.*<think>)(.*?)</think>.*$
};

constexpr auto enum_names(FormatVariant) {
    return std::array{std::pair{FormatVariant::r1_strict, "r1_strict"},
                      std::pair{FormatVariant::r1_loose, "r1_loose"},
                      std::pair{FormatVariant::think, "think"}};
}

struct FormatOptions {
    FormatVariant variant = FormatVariant::r1_loose;
    bool prefilled_think = false;  // the prompt ends with <think>: put it back before matching
};

struct TagCountOptions {
    bool prefilled_think = false;
};

void visit(config::Visitor& v, FormatOptions& o);
void visit(config::Visitor& v, TagCountOptions& o);

/// Whether `completion` has the template's shape.
bool matches_format(std::string_view completion, const FormatOptions& o);

/// 0.25 for each of exactly one "<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>".
double tag_count(std::string_view completion, const TagCountOptions& o);

RewardResult format(const RewardInput& in, const FormatOptions& o);
RewardResult tag_count(const RewardInput& in, const TagCountOptions& o);

}  // namespace r1::rewards
