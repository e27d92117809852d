#include "rewards/math_normalize.h"

#include <array>
#include <cctype>
#include <optional>
#include <vector>

#include "rewards/math_chars.h"

namespace r1::rewards::math {
namespace {

bool is_word(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
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
    std::string out;
    out.reserve(s.size());
    size_t start = 0;
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, start)) {
        out.append(s, start, pos - start).append(to);
        start = pos + from.size();
    }
    s = out.append(s, start);
}

// -- boxed ----------------------------------------------------------------------------------------

// Whether the box before one already taken counts too: close to it, or a different answer after
// a separator ("\boxed{3} or \boxed{4}").
bool joins(std::string_view between, std::string_view content, std::string_view later) {
    if (between.size() < 10) {
        return true;
    }
    if (content == later || between.size() >= 70) {
        return false;
    }
    if (between.find(',') != std::string_view::npos ||
        between.find(';') != std::string_view::npos) {
        return true;
    }
    for (std::string_view word : {"and", "or"}) {
        for (size_t p = between.find(word); p != std::string_view::npos;
             p = between.find(word, p + 1)) {
            const bool left = p == 0 || !is_word(between[p - 1]);
            const size_t e = p + word.size();
            if (left && (e == between.size() || !is_word(between[e]))) {
                return true;
            }
        }
    }
    return false;
}

// -- the replacements of latex2sympy's basic_latex step, one left-to-right pass ----------------

size_t spaces_from(std::string_view s, size_t i) {
    while (i < s.size() && is_space(s[i])) {
        ++i;
    }
    return i;
}

// Matches `\s*\bword\b` at i; returns the end, or npos.
size_t spaced_word(std::string_view s, size_t i, std::string_view word) {
    const size_t j = spaces_from(s, i);
    if (!s.substr(j).starts_with(word) || (j > 0 && is_word(s[j - 1])) ||
        (j + word.size() < s.size() && is_word(s[j + word.size()]))) {
        return std::string_view::npos;
    }
    return j + word.size();
}

// One alternative that matches at i: its length and replacement; {0, ""} when none.
std::pair<size_t, std::string_view> replacement_at(std::string_view s, size_t i) {
    const std::string_view r = s.substr(i);
    for (std::string_view from : {"\\mathrm", "\\mathit", "\\mathbf"}) {
        if (r.starts_with(from)) {
            return {from.size(), "\\text"};
        }
    }
    for (std::string_view from : {"\\textnormal", "\\textbf", "\\textit", "\\textrm"}) {
        if (r.starts_with(from)) {
            return {from.size(), "\\text"};
        }
    }
    for (std::string_view from : {"\\dfrac", "\\tfrac", "\\cfrac"}) {
        if (r.starts_with(from)) {
            return {from.size(), "\\frac"};
        }
    }
    if (r.size() >= 2 && is_space(r[0]) && r[1] == '.') {
        return {2, " 0."};
    }
    if (r.starts_with("{.")) {
        return {2, "{0."};
    }
    if (r.starts_with("~=")) {
        return {2, "\\approx"};
    }
    {  // \s*\{\s*,\s*\} -> ,
        size_t j = spaces_from(s, i);
        if (j < s.size() && s[j] == '{') {
            j = spaces_from(s, j + 1);
            if (j < s.size() && s[j] == ',') {
                j = spaces_from(s, j + 1);
                if (j < s.size() && s[j] == '}') {
                    return {j + 1 - i, ","};
                }
            }
        }
    }
    if (i == 0 || !is_letter(s[i - 1])) {  // ,?\s*(and|or) not inside a word
        size_t j = i < s.size() && s[i] == ',' ? i + 1 : i;
        j = spaces_from(s, j);
        for (std::string_view w : {"and", "or"}) {
            if (s.substr(j).starts_with(w) &&
                (j + w.size() == s.size() || !is_letter(s[j + w.size()]))) {
                return {j + w.size() - i, ","};
            }
        }
    }
    {  // ,?\s*\text{\s*(and|or)\s*} -> ,
        size_t j = i < s.size() && s[i] == ',' ? i + 1 : i;
        j = spaces_from(s, j);
        if (s.substr(j).starts_with("\\text{")) {
            j = spaces_from(s, j + 6);
            for (std::string_view w : {"and", "or"}) {
                if (s.substr(j).starts_with(w)) {
                    const size_t k = spaces_from(s, j + w.size());
                    if (k < s.size() && s[k] == '}') {
                        return {k + 1 - i, ","};
                    }
                }
            }
        }
    }
    if (r.size() >= 2 && r[0] == '\\' && is_space(r[1]) && (i == 0 || s[i - 1] != '\\')) {
        return {2, " "};
    }
    if (r.starts_with("infinity")) {
        return {8, "\\infty"};
    }
    {
        const size_t j = i < s.size() && s[i] == ',' ? i + 1 : i;
        if (s.substr(j).starts_with("\\ldots")) {
            return {j + 6 - i, " "};
        }
    }
    for (auto [word, text] : {std::pair{"percentage", "\\text{percentage}"},
                              {"percent", "\\text{percent}"},
                              {"pct", "\\text{pct}"}}) {
        if (const size_t e = spaced_word(s, i, word); e != std::string_view::npos) {
            return {e - i, "\\%"};
        }
        if (r.starts_with(text)) {
            return {std::string_view(text).size(), "%"};
        }
    }
    if (r.starts_with("inf") && !r.starts_with("infinity") && (i == 0 || s[i - 1] != '\\')) {
        return {3, "\\infty"};
    }
    if (r.starts_with(" sqrt")) {
        return {5, "\\sqrt"};
    }
    return {0, ""};
}

std::string replace_in_latex(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const auto [length, to] = replacement_at(s, i);
        if (length > 0) {
            out.append(to);
            i += length;
        } else {
            out += s[i++];
        }
    }
    return out;
}

// \left( -> (, \right\} -> \}: the sizing commands before a delimiter go.
void drop_sizing(std::string& s) {
    static constexpr std::array kDelims = {
        "\\{",      "\\}",      "\\|",      "\\lbrace", "\\rbrace", "\\lbrack", "\\rbrack",
        "\\vert",   "\\lvert",  "\\rvert",  "\\lceil",  "\\rceil",  "\\lfloor", "\\rfloor",
        "\\langle", "\\rangle", "\\lgroup", "\\rgroup", "{",        "}",        "|",
        "[",        "]",        "(",        ")"};
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        bool dropped = false;
        for (std::string_view cmd : {"\\mleft", "\\mright", "\\left", "\\right"}) {
            if (std::string_view(s).substr(i).starts_with(cmd)) {
                const std::string_view rest = std::string_view(s).substr(i + cmd.size());
                for (std::string_view d : kDelims) {
                    if (rest.starts_with(d)) {
                        i += cmd.size();
                        dropped = true;
                        break;
                    }
                }
                break;
            }
        }
        if (!dropped) {
            out += s[i++];
        }
    }
    s = std::move(out);
}

// \mathrm{th}, \!, empty \text{}, dollars, unescaped quotes, \displaystyle.
void drop_noise(std::string& s) {
    std::string out;
    out.reserve(s.size());
    const std::string_view v = s;
    for (size_t i = 0; i < v.size();) {
        const std::string_view r = v.substr(i);
        if (r.starts_with("\\mathrm{th}")) {
            i += 11;
        } else if (r.starts_with("\\!")) {
            i = spaces_from(v, i + 2);
        } else if (r.starts_with("\\text")) {
            size_t j = spaces_from(v, i + 5);
            if (j < v.size() && v[j] == '{') {
                j = spaces_from(v, j + 1);
                if (j < v.size() && v[j] == '}') {
                    i = j + 1;
                    continue;
                }
            }
            out += v[i++];
        } else if (r.starts_with("\\$")) {
            i += 2;
        } else if (v[i] == '$') {
            ++i;
        } else if ((v[i] == '"' || v[i] == '\'') && (i == 0 || v[i - 1] != '\\')) {
            ++i;
        } else if (r.starts_with("\\displaystyle")) {
            i += 13;
        } else {
            out += v[i++];
        }
    }
    s = std::move(out);
}

// -- units ----------------------------------------------------------------------------------------

// latex2sympy2_extended's unit words, matched at the end of an answer after a digit, "}" or space
// (plural "s"/"es" allowed): "5 cm" -> "5", and also "2c" -> "2", as Math-Verify does.
constexpr std::array kUnits = {"integerpoint",
                               "feet",
                               "sue",
                               "digit",
                               "pound",
                               "meal",
                               "edge",
                               "student",
                               "children ticket",
                               "multiple",
                               "east",
                               "degree",
                               "mph",
                               "kmph",
                               "ft",
                               "m square",
                               " m east",
                               "sq m",
                               "deg",
                               "mile",
                               "q .",
                               "monkey",
                               "prime",
                               "ratio",
                               "profit of rs",
                               "rd",
                               "o",
                               "gm",
                               "p . m",
                               "lb",
                               "tile",
                               "per",
                               "dm",
                               "lt",
                               "gain",
                               "ab",
                               "way",
                               "west",
                               "a .",
                               "b .",
                               "c .",
                               "d .",
                               "e .",
                               "f .",
                               "g .",
                               "h .",
                               "t",
                               "h",
                               "no change",
                               "men",
                               "soldier",
                               "pie",
                               "bc",
                               "excess",
                               "st",
                               "inches",
                               "noon",
                               "cent",
                               "by",
                               "gal",
                               "kmh",
                               "c",
                               "acre",
                               "rise",
                               "a . m",
                               "th",
                               "π r 2",
                               "sq",
                               "mark",
                               "l",
                               "toy",
                               "coin",
                               "sq . m",
                               "gallon",
                               "° f",
                               "profit",
                               "minw",
                               "yr",
                               "women",
                               "am",
                               "pm",
                               "hr",
                               "cu cm",
                               "square",
                               "v â € ™",
                               "are",
                               "rupee",
                               "rounds",
                               "cubic",
                               "cc",
                               "mtr",
                               "s",
                               "ohm",
                               "number",
                               "day",
                               "hour",
                               "minute",
                               "min",
                               "second",
                               "man",
                               "woman",
                               "sec",
                               "cube",
                               "mt",
                               "sq inch",
                               "mp",
                               "∏ cm ³",
                               "hectare",
                               "more",
                               "unit",
                               "cu . m",
                               "cm 2",
                               "rs .",
                               "rs",
                               "kg",
                               "g",
                               "month",
                               "km",
                               "m",
                               "cm",
                               "mm",
                               "apple",
                               "liter",
                               "loss",
                               "yard",
                               "pure",
                               "year",
                               "increase",
                               "decrease",
                               "d",
                               "less",
                               "Surface",
                               "litre",
                               "pi sq m",
                               "s .",
                               "metre",
                               "meter",
                               "inch"};

// One pass of `(\d|\}|\s)\s*UNIT(s|es)?\s*$` -> `\1`: the leftmost place it matches.
std::string strip_unit_once(const std::string& s) {
    const std::string body = s.substr(0, s.find_last_not_of(" \t\n\r\f\v") + 1);
    size_t best = std::string::npos;  // index of the kept character
    for (std::string_view unit : kUnits) {
        for (std::string_view plural : {"", "s", "es"}) {
            const std::string word = std::string(unit) + std::string(plural);
            if (body.size() <= word.size() || !std::string_view(body).ends_with(word)) {
                continue;
            }
            size_t k = body.size() - word.size();  // the unit starts here
            size_t j = k;
            while (j > 0 && is_space(body[j - 1])) {
                --j;
            }
            size_t keep;
            if (j < k) {
                keep = (j > 0 && (is_digit(body[j - 1]) || body[j - 1] == '}')) ? j - 1 : j;
            } else if (j > 0 && (is_digit(body[j - 1]) || body[j - 1] == '}')) {
                keep = j - 1;
            } else {
                continue;
            }
            best = std::min(best, keep);
        }
    }
    return best == std::string::npos ? s : s.substr(0, best + 1);
}

// `(\\(?:text|mbox){.*?})(\^\d|\{\^\d\})?$` -> "": from the first \text{ or \mbox{ to the end,
// when the answer ends with its closing brace (and maybe a digit superscript).
std::string strip_trailing_text(const std::string& s) {
    std::string_view body = s;
    if (body.size() >= 2 && body[body.size() - 2] == '^' && is_digit(body.back())) {
        body.remove_suffix(2);
    } else if (body.size() >= 4 && body.ends_with("}") && body[body.size() - 4] == '{' &&
               body[body.size() - 3] == '^' && is_digit(body[body.size() - 2])) {
        body.remove_suffix(4);
    }
    if (!body.ends_with("}")) {
        return s;
    }
    size_t first = std::string::npos;
    for (std::string_view cmd : {"\\text{", "\\mbox{"}) {
        const size_t p = body.find(cmd);
        if (p != std::string_view::npos && p + cmd.size() < body.size()) {
            first = std::min(first, p);
        }
    }
    return first == std::string::npos ? s : s.substr(0, first);
}

// -- malformed operators --------------------------------------------------------------------------

// Rewrites `head`(\s?)X ... per `rewrite`, left to right, for every occurrence of `head`.
template <typename Rewrite>
std::string rewrite_each(const std::string& s, std::string_view head, Rewrite rewrite) {
    std::string out;
    size_t i = 0;
    for (size_t p = s.find(head); p != std::string::npos; p = s.find(head, i)) {
        out.append(s, i, p - i);
        size_t end = p + head.size();
        if (auto r = rewrite(std::string_view(s), end)) {
            out.append(*r);
            i = end;
        } else {
            out.append(head);
            i = p + head.size();
        }
    }
    return out.append(s, i);
}

size_t opt_space(std::string_view s, size_t i) {
    return i < s.size() && is_space(s[i]) ? i + 1 : i;
}

std::string fix_malformed(std::string s) {
    // ^(x) -> ^{x}
    s = rewrite_each(s, "^", [](std::string_view v, size_t& e) -> std::optional<std::string> {
        const size_t j = opt_space(v, e);
        const size_t close = j < v.size() && v[j] == '(' ? v.find(')', j) : std::string_view::npos;
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        std::string r = "^{" + std::string(v.substr(j + 1, close - j - 1)) + "}";
        e = close + 1;
        return r;
    });
    // sqrt(x) -> \sqrt{x}
    s = rewrite_each(s, "sqrt", [](std::string_view v, size_t& e) -> std::optional<std::string> {
        const size_t j = opt_space(v, e);
        const size_t close = j < v.size() && v[j] == '(' ? v.find(')', j) : std::string_view::npos;
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        std::string r = "\\sqrt{" + std::string(v.substr(j + 1, close - j - 1)) + "}";
        e = close + 1;
        return r;
    });
    // \frac12 -> \frac{1}{2}, \log_2 8 -> \log_{2}{8}
    for (auto [head, out_head] : {std::pair{"\\frac", "\\frac"}, {"\\log_", "\\log_"}}) {
        s = rewrite_each(s, head, [&](std::string_view v, size_t& e) -> std::optional<std::string> {
            size_t j = opt_space(v, e);
            if (j >= v.size() || !is_digit(v[j])) {
                return std::nullopt;
            }
            const char a = v[j];
            j = opt_space(v, j + 1);
            size_t k = j;
            while (k < v.size() && is_digit(v[k])) {
                ++k;
            }
            if (k == j) {
                return std::nullopt;
            }
            std::string r =
                std::string(out_head) + "{" + a + "}{" + std::string(v.substr(j, k - j)) + "}";
            e = k;
            return r;
        });
    }
    // \frac{a}2 -> \frac{a}{2} (the lazy `{(.*?)}\s?(\d)` of the original)
    s = rewrite_each(s, "\\frac", [](std::string_view v, size_t& e) -> std::optional<std::string> {
        const size_t j = opt_space(v, e);
        if (j >= v.size() || v[j] != '{') {
            return std::nullopt;
        }
        for (size_t close = v.find('}', j + 1); close != std::string_view::npos;
             close = v.find('}', close + 1)) {
            const size_t d = opt_space(v, close + 1);
            if (d < v.size() && is_digit(v[d])) {
                std::string r =
                    "\\frac{" + std::string(v.substr(j + 1, close - j - 1)) + "}{" + v[d] + "}";
                e = d + 1;
                return r;
            }
        }
        return std::nullopt;
    });
    // \frac1{b} -> \frac{1}{b}
    s = rewrite_each(s, "\\frac", [](std::string_view v, size_t& e) -> std::optional<std::string> {
        size_t j = opt_space(v, e);
        if (j >= v.size() || !is_digit(v[j])) {
            return std::nullopt;
        }
        const char a = v[j];
        j = opt_space(v, j + 1);
        const size_t close = j < v.size() && v[j] == '{' ? v.find('}', j) : std::string_view::npos;
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        std::string r =
            std::string("\\frac{") + a + "}{" + std::string(v.substr(j + 1, close - j - 1)) + "}";
        e = close + 1;
        return r;
    });
    // \sqrt2 -> \sqrt{2}
    s = rewrite_each(s, "\\sqrt", [](std::string_view v, size_t& e) -> std::optional<std::string> {
        const size_t j = opt_space(v, e);
        if (j >= v.size() || !is_digit(v[j])) {
            return std::nullopt;
        }
        std::string r = std::string("\\sqrt{") + v[j] + "}";
        e = j + 1;
        return r;
    });
    replace_all(s, " sqrt", "\\sqrt");
    return s;
}

// \sqrt x -> \sqrt{x} (hendrycks' _fix_sqrt).
std::string fix_sqrt(const std::string& s) {
    return rewrite_each(s, "\\sqrt",
                        [](std::string_view v, size_t& e) -> std::optional<std::string> {
                            const size_t j = spaces_from(v, e);
                            if (j >= v.size() || v[j] == '{' || v[j] == '[') {
                                return std::nullopt;
                            }
                            std::string r = std::string("\\sqrt{") + v[j] + "}";
                            e = j + 1;
                            return r;
                        });
}

// \frac ab -> \frac{a}{b}, \frac a{b} -> \frac{a}{b} (hendrycks' _fix_fracs).
std::string fix_fracs(const std::string& s) {
    return rewrite_each(s, "\\frac",
                        [](std::string_view v, size_t& e) -> std::optional<std::string> {
                            const size_t j = spaces_from(v, e);
                            if (j >= v.size() || v[j] == '{' || j + 1 >= v.size()) {
                                return std::nullopt;
                            }
                            const char a = v[j], b = v[j + 1];
                            e = j + 2;
                            if (b == '{') {
                                return std::string("\\frac{") + a + "}{";
                            }
                            return std::string("\\frac{") + a + "}{" + b + "}";
                        });
}

// "2/3" (the whole answer) -> \frac{2}{3}.
std::string fix_a_slash_b(const std::string& s) {
    const size_t slash = s.find('/');
    if (slash == std::string::npos || s.find('/', slash + 1) != std::string::npos) {
        return s;
    }
    auto integer = [](std::string_view v) {
        const size_t start = !v.empty() && v[0] == '-' ? 1 : 0;
        if (v.size() == start || (v.size() > start + 1 && v[start] == '0')) {
            return false;
        }
        for (size_t k = start; k < v.size(); ++k) {
            if (!is_digit(v[k])) {
                return false;
            }
        }
        return true;
    };
    const std::string a = s.substr(0, slash), b = s.substr(slash + 1);
    if (!integer(a) || !integer(b)) {
        return s;
    }
    return "\\frac{" + a + "}{" + b + "}";
}

}  // namespace

std::string boxed_contents(std::string_view text, Boxed mode) {
    std::vector<std::string> results;  // right to left
    size_t limit = text.size();        // boxes are searched before this
    size_t later_start = std::string_view::npos;
    while (true) {
        const size_t b = text.rfind("\\boxed", limit == 0 ? 0 : limit - 1);
        const size_t f = text.rfind("\\fbox", limit == 0 ? 0 : limit - 1);
        const bool has_b = b != std::string_view::npos && b < limit;
        const bool has_f = f != std::string_view::npos && f < limit;
        if (!has_b && !has_f) {
            break;
        }
        const size_t start = (has_b && (!has_f || b > f)) ? b : f;
        size_t open = spaces_from(text, start + (start == b && has_b ? 6 : 5));
        if (open >= limit || text[open] != '{') {
            if (results.empty() && open < limit) {
                results.emplace_back(text.substr(open, limit - open));
            }
            break;
        }
        int depth = 0;
        size_t close = std::string_view::npos;
        for (size_t k = open; k < limit; ++k) {
            depth += text[k] == '{' ? 1 : (text[k] == '}' ? -1 : 0);
            if (depth == 0) {
                close = k;
                break;
            }
        }
        if (close == std::string_view::npos) {
            if (results.empty()) {
                results.emplace_back(text.substr(open, limit - open));
            }
            break;
        }
        const std::string content = trim(text.substr(open + 1, close - open - 1));
        if (mode == Boxed::last && later_start != std::string_view::npos &&
            !joins(text.substr(close + 1, later_start - close - 1), content,
                   results.empty() ? "" : results.back())) {
            break;
        }
        if (results.empty() || results.back() != content) {
            results.push_back(content);
        }
        later_start = start;
        limit = start;
    }
    if (results.empty()) {
        return std::string(text);
    }
    std::string out;
    for (size_t k = results.size(); k-- > 0;) {
        out += results[k];
        if (k > 0) {
            out += ",";
        }
    }
    return out;
}

std::string normalize_latex(std::string_view text, Boxed mode) {
    std::string s = boxed_contents(text, mode);
    // basic LaTeX
    replace_all(s, "\\mathrm{T}", "T");
    replace_all(s, "\\mathrm{d}", "d");
    replace_all(s, "{\\rm d}", "d");
    replace_all(s, "\\left[\\begin{matrix}", "\\begin{bmatrix}");
    replace_all(s, "\\end{matrix}\\right]", "\\end{bmatrix}");
    drop_sizing(s);
    drop_noise(s);
    s = replace_in_latex(s);
    for (char& c : s) {
        c = (c == '\n' || c == '\t') ? ' ' : c;
    }
    if (s.find("matrix") == std::string::npos) {  // \\frac -> \frac
        std::string out;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\\' && i + 2 < s.size() && s[i + 1] == '\\' && is_letter(s[i + 2])) {
                continue;
            }
            out += s[i];
        }
        s = std::move(out);
    }
    // units
    if (std::string t = trim(strip_trailing_text(s)); !t.empty() && t != s) {
        s = t;
    }
    for (int pass = 0; pass < 2; ++pass) {
        if (std::string t = strip_unit_once(s); !t.empty() && t != s) {
            s = t;
        }
    }
    // nits
    if (!s.empty() && s[0] == '.') {
        s = "0" + s;
    }
    if (s == "0.5") {
        s = "\\frac{1}{2}";
    }
    s = fix_a_slash_b(fix_fracs(fix_sqrt(fix_malformed(std::move(s)))));
    return trim(s);
}

}  // namespace r1::rewards::math
