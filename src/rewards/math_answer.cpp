#include "r1/rewards/math_answer.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "rewards/math_chars.h"
#include "rewards/math_compare.h"
#include "rewards/math_extract.h"
#include "rewards/math_normalize.h"
#include "rewards/math_parse.h"

namespace r1::rewards {
namespace {

using math::Budget;
using math::Tree;

// A text's answer as Math-Verify holds it: the parsed tree (if any candidate read), and the
// cleaned string of the first candidate tried, which two answers may also share.
struct Answer {
    std::optional<Tree> tree;
    std::string text;
};

// Candidates past this many are not tried: a babbling completion cannot buy unbounded work.
constexpr size_t kMaxAttempts = 64;

// Copies `from` under a new root of `into` (for answers made of several environments).
int32_t graft(Tree& into, const Tree& from) {
    const auto offset = static_cast<int32_t>(into.nodes.size());
    for (math::Node n : from.nodes) {
        for (int32_t& k : n.kids) {
            k += offset;
        }
        into.nodes.push_back(std::move(n));
    }
    return from.root + offset;
}

std::optional<Tree> read_piece(const math::Piece& p, std::string& cleaned, Budget& budget) {
    std::optional<Tree> t;
    if (p.latex) {
        cleaned =
            math::normalize_latex(p.text, p.boxed_last ? math::Boxed::last : math::Boxed::all);
        t = math::parse_latex(cleaned, budget);
    } else {
        cleaned = p.text;
        t = math::parse_plain(p.text, budget);
    }
    if (t && p.percent) {
        math::Node pct;
        pct.kind = math::Kind::percent;
        pct.kids = {t->root};
        t->nodes.push_back(std::move(pct));
        t->root = static_cast<int32_t>(t->nodes.size() - 1);
    }
    return t;
}

// Reads one candidate; several pieces make a set when all of them read, else the first alone.
std::optional<Tree> read_candidate(const math::Candidate& c, std::string& cleaned, Budget& budget) {
    std::vector<std::optional<Tree>> trees;
    std::string joined;
    for (const math::Piece& p : c.pieces) {
        std::string one;
        trees.push_back(read_piece(p, one, budget));
        joined += (joined.empty() ? "" : " and ") + one;
    }
    cleaned = joined;
    const bool all =
        std::all_of(trees.begin(), trees.end(), [](const auto& t) { return t.has_value(); });
    if (trees.size() == 1 || !all) {
        return std::move(trees[0]);
    }
    Tree set;
    math::Node root;
    root.kind = math::Kind::set;
    for (const auto& t : trees) {
        const int32_t r = graft(set, *t);
        if (set.at(r).kind == math::Kind::set) {  // "1, 2 and 3": one flat set
            const auto kids = set.at(r).kids;
            root.kids.insert(root.kids.end(), kids.begin(), kids.end());
        } else {
            root.kids.push_back(r);
        }
    }
    set.nodes.push_back(std::move(root));
    set.root = static_cast<int32_t>(set.nodes.size() - 1);
    return set;
}

// Reads the first candidate of `text` that parses. `whole_before_plain`: a tag's or a box's inside
// read whole as LaTeX ("1+x") comes before the unanchored matches (priority 300), which would
// take "1" from it.
Answer read_answer(std::string_view text, Budget& budget, bool whole_before_plain = false) {
    Answer a;
    auto candidates = math::find_candidates(text);
    if (whole_before_plain) {
        const auto plain = std::find_if(candidates.begin(), candidates.end(),
                                        [](const math::Candidate& c) { return c.priority >= 300; });
        math::Piece whole;
        whole.text = std::string(text);
        whole.boxed_last = true;
        candidates.insert(plain, math::Candidate{{whole}, text.size(), 300});
    }
    for (size_t k = 0; k < candidates.size() && k < kMaxAttempts; ++k) {
        std::string cleaned;
        auto tree = read_candidate(candidates[k], cleaned, budget);
        if (k == 0) {
            a.text = cleaned;
        }
        if (tree) {
            a.tree = std::move(tree);
            if (a.text.empty()) {
                a.text = cleaned;
            }
            break;
        }
    }
    return a;
}

std::optional<std::string> answer_tag(std::string_view text) {
    const size_t close = text.rfind("</answer>");
    const size_t open = close == std::string_view::npos ? close : text.rfind("<answer>", close);
    if (open == std::string_view::npos) {
        return std::nullopt;
    }
    return std::string(text.substr(open + 8, close - open - 8));
}

std::optional<std::string> last_number(std::string_view text) {
    std::optional<std::string> last;
    for (size_t i = 0; i < text.size();) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        size_t start = i > 0 && text[i - 1] == '-' ? i - 1 : i;
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) ||
                                   ((text[i] == '.' || text[i] == ',') && i + 1 < text.size() &&
                                    std::isdigit(static_cast<unsigned char>(text[i + 1]))))) {
            ++i;
        }
        last = std::string(text.substr(start, i - start));
    }
    return last;
}

// The prediction's answer under `mode`: Math-Verify's search over the region, with a tag's or a
// box's inside also read whole.
Answer read_prediction(std::string_view completion, ExtractMode mode, Budget& budget) {
    if (mode == ExtractMode::any) {
        Answer a = read_prediction(completion, ExtractMode::answer_tag, budget);
        return a.tree ? std::move(a) : read_prediction(completion, ExtractMode::latex, budget);
    }
    const auto region = answer_region(completion, mode);
    if (!region) {
        return {};
    }
    if (mode == ExtractMode::last_number) {
        return {math::parse_plain(*region, budget), *region};
    }
    if (mode == ExtractMode::latex) {
        return read_answer(*region, budget);
    }
    return read_answer(mode == ExtractMode::boxed ? "\\boxed{" + *region + "}" : *region, budget,
                       true);
}

bool same(const Answer& g, const Answer& p, int rounding, Budget& budget) {
    if (g.tree && p.tree && math::answers_match(*g.tree, *p.tree, rounding, budget)) {
        return true;
    }
    return !g.text.empty() && math::trim(g.text) == math::trim(p.text);
}

math::Limits limits_for(const MathVerifyOptions& o) {
    math::Limits limits;
    limits.deadline = std::chrono::steady_clock::now() +
                      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(o.time_limit));
    return limits;
}

}  // namespace

std::optional<std::string> last_boxed(std::string_view text) {
    for (size_t pos = text.size(); pos > 0;) {
        const size_t b = text.rfind("\\boxed{", pos - 1), f = text.rfind("\\fbox{", pos - 1);
        size_t start =
            b == std::string_view::npos ? f : (f == std::string_view::npos ? b : std::max(b, f));
        if (start == std::string_view::npos) {
            return std::nullopt;
        }
        const size_t open = text.find('{', start);
        int depth = 0;
        for (size_t k = open; k < text.size(); ++k) {
            depth += text[k] == '{' ? 1 : (text[k] == '}' ? -1 : 0);
            if (depth == 0) {
                return std::string(text.substr(open + 1, k - open - 1));
            }
        }
        pos = start;  // unclosed: look further left
    }
    return std::nullopt;
}

std::optional<std::string> answer_region(std::string_view text, ExtractMode mode) {
    switch (mode) {
        case ExtractMode::answer_tag:
            return answer_tag(text);
        case ExtractMode::boxed:
            return last_boxed(text);
        case ExtractMode::last_number:
            return last_number(text);
        case ExtractMode::latex:
            return std::string(text);
        case ExtractMode::any:
            break;
    }
    auto tag = answer_tag(text);
    return tag ? tag : std::optional(std::string(text));
}

MathVerdict verify_math(std::string_view gold,
                        std::string_view completion,
                        ExtractMode mode,
                        const MathVerifyOptions& options) {
    Budget budget(limits_for(options));
    try {
        const Answer g = read_answer(gold, budget);
        if (!g.tree && g.text.empty()) {
            return {std::nullopt, "", "no gold answer"};  // unscorable: skipped, as TRL does
        }
        const Answer p = read_prediction(completion, mode, budget);
        if (!p.tree && p.text.empty()) {
            return {false, "", "no answer found"};
        }
        const bool ok = same(g, p, options.float_rounding, budget);
        return {ok, p.text, ok ? "correct" : "wrong"};
    } catch (const math::OutOfTime&) {
        return {std::nullopt, "", "unscorable: comparison took longer than time_limit"};
    }
}

bool answers_equivalent(std::string_view a, std::string_view b, const MathVerifyOptions& options) {
    return verify_math(a, b, ExtractMode::latex, options).correct.value_or(false);
}

}  // namespace r1::rewards
