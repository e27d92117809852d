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

// Matches `\s*\bword\b` at i; returns the end, or npos.
size_t spaced_word(std::string_view s, size_t i, std::string_view word) {
    const size_t j = skip_spaces(s, i);
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
        size_t j = skip_spaces(s, i);
        if (j < s.size() && s[j] == '{') {
            j = skip_spaces(s, j + 1);
            if (j < s.size() && s[j] == ',') {
                j = skip_spaces(s, j + 1);
                if (j < s.size() && s[j] == '}') {
                    return {j + 1 - i, ","};
                }
            }
        }
    }
    if (i == 0 || !is_letter(s[i - 1])) {  // ,?\s*(and|or) not inside a word
        size_t j = i < s.size() && s[i] == ',' ? i + 1 : i;
        j = skip_spaces(s, j);
        for (std::string_view w : {"and", "or"}) {
            if (s.substr(j).starts_with(w) &&
                (j + w.size() == s.size() || !is_letter(s[j + w.size()]))) {
                return {j + w.size() - i, ","};
            }
        }
    }
    {  // ,?\s*\text{\s*(and|or)\s*} -> ,
        size_t j = i < s.size() && s[i] == ',' ? i + 1 : i;
        j = skip_spaces(s, j);
        if (s.substr(j).starts_with("\\text{")) {
            j = skip_spaces(s, j + 6);
            for (std::string_view w : {"and", "or"}) {
                if (s.substr(j).starts_with(w)) {
                    const size_t k = skip_spaces(s, j + w.size());
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
            i = skip_spaces(v, i + 2);
        } else if (r.starts_with("\\text")) {
            size_t j = skip_spaces(v, i + 5);
            if (j < v.size() && v[j] == '{') {
                j = skip_spaces(v, j + 1);
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
        size_t open = skip_spaces(text, start + (start == b && has_b ? 6 : 5));
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
    s = strip_units(std::move(s));
    // nits
    if (!s.empty() && s[0] == '.') {
        s = "0" + s;
    }
    if (s == "0.5") {
        s = "\\frac{1}{2}";
    }
    s = fix_malformed_operators(std::move(s));
    return trim(s);
}

}  // namespace r1::rewards::math
