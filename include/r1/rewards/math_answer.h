// Final answers of math completions, verified the way Math-Verify verifies them (grpo-spec §6.1):
// the answer is found by Math-Verify's priorities ("final answer is", \boxed{}, "answer:", the last
// math environment, the last plain number), cleaned by its normalisation, read as maths (numbers
// in any writing, percents, units, relations, sets, tuples, intervals, matrices, expressions) and
// compared by its rules. Every comparison has a time limit; past it the verdict is "unscorable".
// No answer, however long or deeply nested, exhausts the stack: parsing is depth- and size-bounded.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace r1::rewards {

/// Where the prediction's answer is looked for.
enum class ExtractMode {
    answer_tag,   // inside the last <answer>...</answer> (R1-Zero template), found as in `latex`
    boxed,        // the last \boxed{...} or \fbox{...} only
    latex,        // Math-Verify's own search over the whole completion
    last_number,  // the last number in the text
    any,          // answer_tag, else latex
};

constexpr auto enum_names(ExtractMode) {
    return std::array{
        std::pair{ExtractMode::answer_tag, "answer_tag"}, std::pair{ExtractMode::boxed, "boxed"},
        std::pair{ExtractMode::latex, "latex"}, std::pair{ExtractMode::last_number, "last_number"},
        std::pair{ExtractMode::any, "any"}};
}

struct MathVerifyOptions {
    int float_rounding = 6;   // a decimal answer matches when equal rounded to this many decimals
    double time_limit = 1.0;  // seconds per comparison; past it the pair is unscorable
};

struct MathVerdict {
    std::optional<bool> correct;  // nullopt: unscorable (the gold has no answer, or time ran out)
    std::string answer;           // the prediction's answer as read (normalised LaTeX)
    std::string why;              // "correct", "wrong", "no answer found", "no gold answer", ...
};

/// Whether `completion` states the answer of `gold` (a dataset's answer: plain text or LaTeX).
MathVerdict verify_math(std::string_view gold,
                        std::string_view completion,
                        ExtractMode mode,
                        const MathVerifyOptions& options = {});

/// Whether two texts state the same answer, both searched as Math-Verify searches (eval's
/// majority vote). Unscorable pairs are not the same.
bool answers_equivalent(std::string_view a,
                        std::string_view b,
                        const MathVerifyOptions& options = {});

/// The part of `text` that `mode` searches (the <answer> tag's inside, the last box's contents,
/// the last number, the whole text); nullopt when there is none.
std::optional<std::string> answer_region(std::string_view text, ExtractMode mode);

/// Content of the last \boxed{...} / \fbox{...} (nested braces matched); nullopt if none closes.
std::optional<std::string> last_boxed(std::string_view text);

}  // namespace r1::rewards
