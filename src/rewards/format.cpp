#include "r1/rewards/format.h"

#include <cctype>

namespace r1::rewards {

void visit(config::Visitor& v, FormatOptions& o) {
    v.field("variant", o.variant, "r1_strict (open-r1), r1_loose or think (TRL)");
    v.field("prefilled_think", o.prefilled_think, "the prompt already ends with <think>");
}

void visit(config::Visitor& v, TagCountOptions& o) {
    v.field("prefilled_think", o.prefilled_think, "the prompt already ends with <think>");
}

namespace {

constexpr size_t kNpos = std::string_view::npos;

std::string with_think(std::string_view completion, bool prefilled) {
    // A template that prefills <think> leaves it out of the completion (open-r1#560, trl#6966).
    if (prefilled && !completion.starts_with("<think>")) {
        return "<think>" + std::string(completion);
    }
    return std::string(completion);
}

// open-r1 matches with re.MULTILINE, so its final `$` also matches just before any "\n": text after
// "</answer>\n" still passes. We reproduce that exactly (parity); tag_count is what penalises it.
bool strict(std::string_view s) {
    constexpr std::string_view kSep = "\n</think>\n<answer>\n", kEnd = "\n</answer>";
    if (!s.starts_with("<think>\n")) {
        return false;
    }
    for (size_t p = s.find(kSep, 8); p != kNpos; p = s.find(kSep, p + 1)) {
        for (size_t q = s.find(kEnd, p + kSep.size()); q != kNpos; q = s.find(kEnd, q + 1)) {
            const size_t after = q + kEnd.size();
            if (after == s.size() || s[after] == '\n') {
                return true;
            }
        }
    }
    return false;
}

bool loose(std::string_view s) {
    constexpr std::string_view kClose = "</think>", kOpen = "<answer>", kEnd = "</answer>";
    if (s.ends_with("\n")) {
        s.remove_suffix(1);  // Python's `$` also matches before one final newline
    }
    if (!s.starts_with("<think>") || !s.ends_with(kEnd)) {
        return false;
    }
    const size_t end = s.size() - kEnd.size();
    for (size_t p = s.find(kClose, 7); p != kNpos && p < end; p = s.find(kClose, p + 1)) {
        size_t j = p + kClose.size();
        while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j])) != 0) {
            ++j;
        }
        if (s.substr(j, kOpen.size()) == kOpen && j + kOpen.size() <= end) {
            return true;
        }
    }
    return false;
}

bool think_only(std::string_view s) {
    return s.starts_with("<think>") && s.find("<think>", 7) == kNpos &&
           s.find("</think>", 7) != kNpos;
}

int64_t count(std::string_view s, std::string_view what) {  // Python's str.count: non-overlapping
    int64_t n = 0;
    for (size_t p = s.find(what); p != kNpos; p = s.find(what, p + what.size())) {
        ++n;
    }
    return n;
}

}  // namespace

bool matches_format(std::string_view completion, const FormatOptions& o) {
    const std::string s = with_think(completion, o.prefilled_think);
    switch (o.variant) {
        case FormatVariant::r1_strict:
            return strict(s);
        case FormatVariant::r1_loose:
            return loose(s);
        case FormatVariant::think:
            return think_only(s);
    }
    return false;
}

double tag_count(std::string_view completion, const TagCountOptions& o) {
    const std::string s = with_think(completion, o.prefilled_think);
    double score = 0.0;
    for (std::string_view tag : {"<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>"}) {
        score += count(s, tag) == 1 ? 0.25 : 0.0;
    }
    return score;
}

RewardResult format(const RewardInput& in, const FormatOptions& o) {
    const bool ok = matches_format(in.completion, o);
    return {ok ? 1.0 : 0.0, "", ok ? "matches the template" : "does not match the template"};
}

RewardResult tag_count(const RewardInput& in, const TagCountOptions& o) {
    const double score = tag_count(in.completion, o);
    return {score, "", std::to_string(static_cast<int>(score * 4)) + "/4 tags"};
}

}  // namespace r1::rewards
