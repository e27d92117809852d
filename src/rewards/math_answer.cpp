#include "r1/rewards/math_answer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "rewards/math_expr.h"

namespace r1::rewards {
namespace {

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

bool is_alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string trim(std::string_view s) {
    size_t a = 0, b = s.size();
    while (a < b && is_space(s[a])) {
        ++a;
    }
    while (b > a && is_space(s[b - 1])) {
        --b;
    }
    return std::string(s.substr(a, b - a));
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
}

// Removes a LaTeX command, keeping its braced argument: \text{cm} -> cm.
void unwrap_command(std::string& s, std::string_view command) {
    const std::string open = std::string(command) + "{";
    for (size_t pos = s.find(open); pos != std::string::npos; pos = s.find(open, pos)) {
        int depth = 0;
        size_t end = pos + open.size() - 1;
        for (; end < s.size(); ++end) {
            depth += s[end] == '{' ? 1 : (s[end] == '}' ? -1 : 0);
            if (depth == 0) {
                break;
            }
        }
        if (end >= s.size()) {
            return;  // unbalanced: leave the rest alone
        }
        s = s.substr(0, pos) + s.substr(pos + open.size(), end - pos - open.size()) +
            s.substr(end + 1);
    }
}

// Position just past the brace group opening at `open`, or npos when it never closes.
size_t match_brace(std::string_view s, size_t open) {
    int depth = 0;
    for (size_t i = open; i < s.size(); ++i) {
        depth += s[i] == '{' ? 1 : (s[i] == '}' ? -1 : 0);
        if (depth == 0) {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// Content of the last closed math environment: $$..$$, $..$, \[..\], \(..\).
std::optional<std::string> last_math_env(std::string_view text) {
    std::optional<std::string> last;
    size_t i = 0;
    while (i < text.size()) {
        std::string_view close;
        size_t skip = 0;
        if (text.substr(i, 2) == "$$") {
            close = "$$", skip = 2;
        } else if (text[i] == '$' && (i == 0 || text[i - 1] != '\\')) {
            close = "$", skip = 1;
        } else if (text.substr(i, 2) == "\\[") {
            close = "\\]", skip = 2;
        } else if (text.substr(i, 2) == "\\(") {
            close = "\\)", skip = 2;
        } else {
            ++i;
            continue;
        }
        const size_t end = text.find(close, i + skip);
        if (end == std::string_view::npos) {
            break;
        }
        last = std::string(text.substr(i + skip, end - i - skip));
        i = end + close.size();
    }
    return last;
}

std::optional<std::string> last_number(std::string_view text) {
    std::optional<std::string> last;
    for (size_t i = 0; i < text.size();) {
        if (!is_digit(text[i])) {
            ++i;
            continue;
        }
        size_t start = i;
        if (start > 0 && text[start - 1] == '-') {
            --start;
        }
        while (i < text.size() &&
               (is_digit(text[i]) || ((text[i] == '.' || text[i] == ',') && i + 1 < text.size() &&
                                      is_digit(text[i + 1])))) {
            ++i;
        }
        last = std::string(text.substr(start, i - start));
    }
    return last;
}

std::optional<std::string> answer_tag(std::string_view text) {
    const size_t close = text.rfind("</answer>");
    const size_t open = close == std::string_view::npos ? close : text.rfind("<answer>", close);
    if (open == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view inner = text.substr(open + 8, close - open - 8);
    if (auto boxed = last_boxed(inner)) {
        return boxed;
    }
    return trim(inner);
}

}  // namespace

std::optional<std::string> last_boxed(std::string_view text) {
    size_t best = std::string_view::npos;
    std::optional<std::string> out;
    for (std::string_view command : {"\\boxed{", "\\fbox{"}) {
        for (size_t pos = text.rfind(command); pos != std::string_view::npos;
             pos = pos == 0 ? std::string_view::npos : text.rfind(command, pos - 1)) {
            const size_t open = pos + command.size() - 1;
            const size_t end = match_brace(text, open);
            if (end != std::string_view::npos) {
                if (best == std::string_view::npos || pos > best) {
                    best = pos;
                    out = std::string(text.substr(open + 1, end - open - 2));
                }
                break;
            }
        }
    }
    return out;
}

std::optional<std::string> extract_answer(std::string_view text, ExtractMode mode) {
    switch (mode) {
        case ExtractMode::answer_tag:
            return answer_tag(text);
        case ExtractMode::boxed:
            return last_boxed(text);
        case ExtractMode::latex: {
            auto boxed = last_boxed(text);
            return boxed ? boxed : last_math_env(text);
        }
        case ExtractMode::last_number:
            return last_number(text);
        case ExtractMode::any:
            break;
    }
    for (ExtractMode m : {ExtractMode::answer_tag, ExtractMode::latex, ExtractMode::last_number}) {
        if (auto found = extract_answer(text, m)) {
            return found;
        }
    }
    return std::nullopt;
}

std::string extract_gold(std::string_view gold) {
    if (auto boxed = last_boxed(gold)) {
        return *boxed;
    }
    if (auto env = last_math_env(gold)) {
        return *env;
    }
    return trim(gold);
}

// -- normalisation --------------------------------------------------------------------------------

namespace {

const std::vector<std::string_view>& unit_words() {
    static const std::vector<std::string_view> kUnits = {
        "cm",     "mm",       "km",     "m",       "meter", "meters", "metre",   "metres",
        "inch",   "inches",   "in",     "ft",      "foot",  "feet",   "mile",    "miles",
        "yard",   "yards",    "dollar", "dollars", "cent",  "cents",  "unit",    "units",
        "degree", "degrees",  "second", "seconds", "sec",   "minute", "minutes", "min",
        "hour",   "hours",    "day",    "days",    "week",  "weeks",  "year",    "years",
        "kg",     "g",        "gram",   "grams",   "pound", "pounds", "lb",      "lbs",
        "liter",  "liters",   "l",      "ml",      "sq",    "square", "cubic",   "mph",
        "people", "students", "cm^2",   "m^2",     "cm^3",  "m^3",    "points",  "ways",
        "times"};
    return kUnits;
}

bool is_unit(std::string_view word) {
    const auto& u = unit_words();
    return std::find(u.begin(), u.end(), word) != u.end();
}

// "5 cm", "12 square feet": drop unit words trailing a value that has digits.
void strip_units(std::string& s) {
    while (true) {
        const size_t space = s.find_last_of(' ');
        if (space == std::string::npos || !is_unit(s.substr(space + 1))) {
            return;
        }
        const std::string head = trim(s.substr(0, space));
        if (std::none_of(head.begin(), head.end(), is_digit)) {
            return;
        }
        s = head;
    }
}

// 1,234,567 -> 1234567, only when the whole answer is one such number.
void strip_thousands(std::string& s) {
    size_t i = s[0] == '-' ? 1 : 0;
    size_t run = 0, groups = 0;
    for (; i < s.size() && s[i] != '.'; ++i) {
        if (is_digit(s[i])) {
            ++run;
        } else if (s[i] == ',' && run >= 1 && (groups > 0 ? run == 3 : run <= 3)) {
            run = 0;
            ++groups;
        } else {
            return;
        }
    }
    if (groups > 0 && run == 3 &&
        (i == s.size() || std::all_of(s.begin() + i + 1, s.end(), is_digit))) {
        s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    }
}

// "x = 5" -> "5" when the left side is a single symbol.
void strip_lhs(std::string& s) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || s.find('=', eq + 1) != std::string::npos) {
        return;
    }
    const std::string lhs = trim(s.substr(0, eq));
    const bool symbol = (lhs.size() == 1 && is_alpha(lhs[0])) ||
                        (lhs.size() > 2 && is_alpha(lhs[0]) && lhs[1] == '_');  // x_1
    if (symbol) {
        s = trim(s.substr(eq + 1));
    }
}

}  // namespace

std::string normalize_answer(std::string_view answer) {
    std::string s(answer);
    for (std::string_view drop :
         {"\\left", "\\right", "\\displaystyle", "\\!", "\\,", "\\;", "\\:", "\\qquad", "\\quad",
          "\\$", "$", "^{\\circ}", "^\\circ", "\\circ", "\\degree", "°", "\\mathrm{~}"}) {
        replace_all(s, drop, "");
    }
    replace_all(s, "\\ ", " ");
    replace_all(s, "~", " ");
    replace_all(s, "\\dfrac", "\\frac");
    replace_all(s, "\\tfrac", "\\frac");
    replace_all(s, "\\%", "%");
    replace_all(s, "\\leq", "\\le");
    replace_all(s, "\\geq", "\\ge");
    for (std::string_view command : {"\\text", "\\textbf", "\\textit", "\\mathrm", "\\mathbf",
                                     "\\mbox", "\\boxed", "\\fbox", "\\operatorname"}) {
        unwrap_command(s, command);
    }
    s = trim(s);
    while (!s.empty() && (s.back() == '.' || s.back() == ',')) {
        s.pop_back();  // a sentence's full stop
    }
    s = trim(s);
    if (s.empty()) {
        return s;
    }
    strip_units(s);
    strip_lhs(s);
    strip_thousands(s);
    return trim(s);
}

// -- equivalence ----------------------------------------------------------------------------------

namespace {

// An answer's shape: a scalar, an ordered pair of brackets with items (tuple or interval), a set, a
// union of intervals, or a relation "lhs op rhs".
struct Shape {
    enum class Kind { scalar, ordered, set, union_of, relation };
    Kind kind = Kind::scalar;
    std::string text;                // scalar; relation operator
    char open = 0, close = 0;        // ordered
    std::vector<std::string> items;  // ordered/set/union items; relation: lhs, rhs
};

// Splits at `sep` outside (), [], {} (interval brackets may be unbalanced in kind, not in depth).
std::vector<std::string> split_top(std::string_view s, std::string_view sep) {
    std::vector<std::string> parts;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        depth +=
            (c == '(' || c == '[' || c == '{') ? 1 : ((c == ')' || c == ']' || c == '}') ? -1 : 0);
        if (depth == 0 && s.substr(i, sep.size()) == sep &&
            (i == 0 || s[i - 1] != '\\' || sep[0] == '\\')) {
            parts.push_back(trim(s.substr(start, i - start)));
            start = i + sep.size();
            i = start - 1;
        }
    }
    parts.push_back(trim(s.substr(start)));
    return parts;
}

std::optional<Shape> relation(const std::string& s) {
    for (std::string_view op : {"\\le", "\\ge", "\\lt", "\\gt", "<=", ">=", "<", ">"}) {
        const auto parts = split_top(s, op);
        if (parts.size() == 2 && !parts[0].empty() && !parts[1].empty()) {
            std::string o(op);
            o = o == "<=" ? "\\le" : o == ">=" ? "\\ge" : o == "\\lt" ? "<" : o == "\\gt" ? ">" : o;
            return Shape{Shape::Kind::relation, o, 0, 0, parts};
        }
    }
    return std::nullopt;
}

Shape shape_of(const std::string& s) {
    if (auto parts = split_top(s, "\\cup"); parts.size() > 1) {
        return Shape{Shape::Kind::union_of, "", 0, 0, parts};
    }
    if (s.size() >= 4 && s.starts_with("\\{") && s.ends_with("\\}")) {
        return Shape{Shape::Kind::set, "", 0, 0, split_top(s.substr(2, s.size() - 4), ",")};
    }
    if (s.size() >= 2 && (s.front() == '(' || s.front() == '[') &&
        (s.back() == ')' || s.back() == ']')) {
        auto items = split_top(s.substr(1, s.size() - 2), ",");
        if (items.size() >= 2) {
            return Shape{Shape::Kind::ordered, "", s.front(), s.back(), items};
        }
    }
    if (auto items = split_top(s, ","); items.size() >= 2) {
        return Shape{Shape::Kind::set, "", 0, 0,
                     items};  // "1, 2": Math-Verify reads a bare list as a set
    }
    if (auto r = relation(s)) {
        return *r;
    }
    return Shape{Shape::Kind::scalar, s, 0, 0, {}};
}

std::string lower_letters(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (is_alpha(c)) {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (c != '(' && c != ')' && !is_space(c)) {
            return "";  // not a plain word
        }
    }
    return out;
}

bool numbers_equal(double a, double b, int rounding) {
    if (std::isinf(a) || std::isinf(b)) {
        return a == b;
    }
    const double scale = std::pow(10.0, rounding);
    if (std::fabs(a) * scale < 9e15 && std::fabs(b) * scale < 9e15) {
        return std::round(a * scale) == std::round(b * scale);
    }
    return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

bool expressions_equal(const detail::ParsedExpr& g, const detail::ParsedExpr& p, int rounding) {
    std::set<std::string> vars = g.variables;
    vars.insert(p.variables.begin(), p.variables.end());
    if (vars.empty()) {
        const auto a = detail::evaluate(g, {}), b = detail::evaluate(p, {});
        if (!a || !b) {
            return false;
        }
        return (a->exact && b->exact && *a->exact == *b->exact) ||
               numbers_equal(a->value, b->value, rounding);
    }
    // Free variables: the difference vanishes at a few fixed points (grpo-spec §6.1 (c)).
    constexpr double kPoints[3] = {0.5377, 1.8339, -2.2588};
    for (int k = 0; k < 3; ++k) {
        std::map<std::string, double> point;
        int j = 0;
        for (const std::string& v : vars) {
            point[v] = kPoints[(k + j) % 3] + 0.1 * (j + 1);
            ++j;
        }
        const auto a = detail::evaluate(g, point), b = detail::evaluate(p, point);
        if (!a || !b ||
            std::fabs(a->value - b->value) > 1e-9 * std::max(1.0, std::fabs(a->value))) {
            return false;
        }
    }
    return true;
}

// Percent answers: "10%" also matches 0.1 and, when it is a plain number, 10 (Math-Verify does
// both; it does not read "\frac{1}{2}%" as 1/2, so neither do we).
std::vector<std::string> percent_readings(const std::string& s) {
    if (!s.ends_with('%')) {
        return {s};
    }
    const std::string v = trim(s.substr(0, s.size() - 1));
    const bool plain = !v.empty() && std::all_of(v.begin(), v.end(),
                                                 [](char c) { return is_digit(c) || c == '.'; });
    if (plain) {
        return {v, "(" + v + ")/100"};
    }
    return {"(" + v + ")/100"};
}

bool scalars_equal(const std::string& gold, const std::string& pred, int rounding) {
    if (gold == pred) {
        return true;
    }
    const std::string gw = lower_letters(gold), pw = lower_letters(pred);
    if (!gw.empty() && !pw.empty()) {
        return gw == pw;  // text answers compare case-insensitively
    }
    for (const std::string& g : percent_readings(gold)) {
        for (const std::string& p : percent_readings(pred)) {
            const auto ge = detail::parse_expr(g), pe = detail::parse_expr(p);
            if (ge && pe && expressions_equal(*ge, *pe, rounding)) {
                return true;
            }
        }
    }
    return false;
}

bool shapes_equal(const Shape& g, const Shape& p, int rounding);

bool items_equal(const std::string& g, const std::string& p, int rounding) {
    return shapes_equal(shape_of(g), shape_of(p), rounding);
}

bool unordered_equal(const std::vector<std::string>& g,
                     const std::vector<std::string>& p,
                     int rounding) {
    if (g.size() != p.size()) {
        return false;
    }
    std::vector<bool> used(p.size(), false);
    for (const std::string& x : g) {
        bool found = false;
        for (size_t j = 0; j < p.size() && !found; ++j) {
            if (!used[j] && items_equal(x, p[j], rounding)) {
                used[j] = found = true;
            }
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

// "x < 3" -> "(-\infty, 3)": a gold inequality accepts the interval it describes.
std::optional<Shape> as_interval(const Shape& r) {
    const bool var_left = r.items[0].size() == 1 && is_alpha(r.items[0][0]);
    const bool var_right = r.items[1].size() == 1 && is_alpha(r.items[1][0]);
    if (var_left == var_right) {
        return std::nullopt;
    }
    const std::string bound = var_left ? r.items[1] : r.items[0];
    const bool less =
        (r.text == "<" || r.text == "\\le") == var_left;  // the variable is below the bound
    const bool closed = r.text == "\\le" || r.text == "\\ge";
    if (less) {
        return Shape{Shape::Kind::ordered, "", '(', closed ? ']' : ')', {"-\\infty", bound}};
    }
    return Shape{Shape::Kind::ordered, "", closed ? '[' : '(', ')', {bound, "\\infty"}};
}

bool shapes_equal(const Shape& g, const Shape& p, int rounding) {
    using K = Shape::Kind;
    if (g.kind == K::relation && p.kind == K::ordered) {
        const auto interval = as_interval(g);  // never the reverse: see the header
        return interval && shapes_equal(*interval, p, rounding);
    }
    if (g.kind != p.kind) {
        return false;
    }
    switch (g.kind) {
        case K::scalar:
            return scalars_equal(g.text, p.text, rounding);
        case K::set:
        case K::union_of:
            return unordered_equal(g.items, p.items, rounding);
        case K::ordered:
            if (g.open != p.open || g.close != p.close || g.items.size() != p.items.size()) {
                return false;
            }
            for (size_t i = 0; i < g.items.size(); ++i) {
                if (!items_equal(g.items[i], p.items[i], rounding)) {
                    return false;
                }
            }
            return true;
        case K::relation: {
            auto flip = [](const Shape& r) {  // b > a -> a < b
                Shape out = r;
                if (r.text == ">" || r.text == "\\ge") {
                    out.text = r.text == ">" ? "<" : "\\le";
                    std::swap(out.items[0], out.items[1]);
                }
                return out;
            };
            const Shape a = flip(g), b = flip(p);
            return a.text == b.text && items_equal(a.items[0], b.items[0], rounding) &&
                   items_equal(a.items[1], b.items[1], rounding);
        }
    }
    return false;
}

}  // namespace

bool answers_equivalent(std::string_view gold,
                        std::string_view pred,
                        const EquivalenceOptions& options) {
    const std::string g = normalize_answer(gold), p = normalize_answer(pred);
    if (g.empty() || p.empty()) {
        return false;
    }
    return g == p || shapes_equal(shape_of(g), shape_of(p), options.float_rounding);
}

}  // namespace r1::rewards
