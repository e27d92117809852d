// Final answers of math completions: extract them (<answer> tag, \boxed{}, math environments, last
// number), normalise their LaTeX, and decide whether two are equivalent (grpo-spec §6.1), in the
// spirit of Math-Verify: exact rationals, numbers rounded to 6 decimals, expressions in free
// variables, tuples, intervals, sets and unions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace r1::rewards {

/// Where the prediction's answer is looked for.
enum class ExtractMode {
    answer_tag,   // last <answer>...</answer>; its last \boxed{} if it holds one (R1-Zero template)
    boxed,        // last \boxed{...} or \fbox{...}
    latex,        // last \boxed{}, else the last math environment ($..$, \(..\), \[..\], $$..$$)
    last_number,  // last number in the text
    any,          // answer_tag, then latex, then last_number
};

constexpr auto enum_names(ExtractMode) {
    return std::array{
        std::pair{ExtractMode::answer_tag, "answer_tag"}, std::pair{ExtractMode::boxed, "boxed"},
        std::pair{ExtractMode::latex, "latex"}, std::pair{ExtractMode::last_number, "last_number"},
        std::pair{ExtractMode::any, "any"}};
}

/// Content of the last \boxed{...} / \fbox{...} (nested braces matched); nullopt if none closes.
std::optional<std::string> last_boxed(std::string_view text);

/// The answer text `mode` finds in `text`, not yet normalised; nullopt when there is none.
std::optional<std::string> extract_answer(std::string_view text, ExtractMode mode);

/// A gold answer as datasets store it: its last \boxed{} if any, else the text without $
/// delimiters.
std::string extract_gold(std::string_view gold);

/// LaTeX clean-up (grpo-spec §6.1 order): \left/\right, spacing, $, \dfrac/\tfrac, \text{} and
/// units, degrees, thousands separators, "x = 5" -> "5", trailing period. Percent signs are kept.
std::string normalize_answer(std::string_view answer);

struct EquivalenceOptions {
    int float_rounding = 6;  // numbers equal when they agree rounded to this many decimals
};

/// Whether `pred` states the same answer as `gold` (both already extracted). Asymmetric like
/// Math-Verify: an interval prediction matches an inequality gold, not the reverse.
bool answers_equivalent(std::string_view gold,
                        std::string_view pred,
                        const EquivalenceOptions& options = {});

}  // namespace r1::rewards
