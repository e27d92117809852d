#include "rewards/math_extract.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "rewards/math_chars.h"

namespace r1::rewards::math {
namespace {

size_t skip_spaces(std::string_view s, size_t i) {
    while (i < s.size() && is_space(s[i])) {
        ++i;
    }
    return i;
}

bool starts_with_ci(std::string_view s, size_t i, std::string_view word) {
    if (i + word.size() > s.size()) {
        return false;
    }
    for (size_t k = 0; k < word.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(s[i + k])) != word[k]) {
            return false;
        }
    }
    return true;
}

// Every start of `word` in `s`, case-insensitively.
std::vector<size_t> find_all_ci(std::string_view s, std::string_view word) {
    std::vector<size_t> out;
    for (size_t i = 0; i + word.size() <= s.size(); ++i) {
        if (starts_with_ci(s, i, word)) {
            out.push_back(i);
        }
    }
    return out;
}

// -- math environments ----------------------------------------------------------------------------

struct Env {
    size_t start = 0, end = 0;  // the whole match, percent suffix included
    Piece piece;
};

// `\s*(\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct)` after an environment.
size_t percent_suffix(std::string_view s, size_t i, bool& percent) {
    const size_t j = skip_spaces(s, i);
    for (std::string_view w : {"\\%", "%", "Percent", "percent", "Pct", "pct"}) {
        if (s.substr(j).starts_with(w)) {
            percent = true;
            return j + w.size();
        }
    }
    return i;
}

// The environment starting at i, if one does: $$..$$, \[..\], $..$, \(..\) or " [..] ".
std::optional<Env> env_at(std::string_view s, size_t i) {
    const bool escaped = i > 0 && s[i - 1] == '\\';
    size_t open = 0, close = std::string_view::npos, close_len = 0;
    if (!escaped && s.substr(i).starts_with("$$")) {
        open = 2;
        close = s.find("$$", i + 3);
        close_len = 2;
        if (close != std::string_view::npos && s[close - 1] == '\\') {
            close = std::string_view::npos;
        }
    } else if (!escaped && s.substr(i).starts_with("\\[")) {
        open = 2;
        close = s.find("\\]", i + 3);
        close_len = 2;
        if (close != std::string_view::npos && s[close - 1] == '\\') {
            close = std::string_view::npos;
        }
    } else if (!escaped && s[i] == '$' && (i == 0 || !is_digit(s[i - 1]))) {
        open = 1;
        close_len = 1;
        for (size_t j = i + 1; j < s.size() && s[j] != '\n'; ++j) {
            if (s[j] == '$' && s[j - 1] != '\\' && j > i + 1) {
                close = j;
                break;
            }
        }
    } else if (!escaped && s.substr(i).starts_with("\\(")) {
        open = 2;
        close_len = 2;
        for (size_t j = i + 2; j + 1 < s.size() && s[j] != '\n'; ++j) {
            if (s[j] == '\\' && s[j + 1] == ')') {
                if (j > i + 2 && s[j - 1] != '\\') {
                    close = j;
                }
                break;
            }
        }
    } else if (is_space(s[i]) && i + 1 < s.size() && s[i + 1] == '[') {
        open = 2;
        close_len = 1;
        for (size_t j = i + 2; j < s.size() && s[j] != '\n' && s[j] != '['; ++j) {
            if (s[j] == ']') {
                if (j > i + 2 && j + 1 < s.size() && is_space(s[j + 1])) {
                    close = j;
                    close_len = 2;
                }
                break;
            }
        }
    } else {
        return std::nullopt;
    }
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    Env e;
    e.start = i;
    e.piece.text = std::string(s.substr(i + open, close - i - open));
    e.end = percent_suffix(s, close + close_len, e.piece.percent);
    if (close_len == 2 && s[close] == ']') {  // " [..] ": the trailing space belongs to the match
        e.end = percent_suffix(s, close + 1, e.piece.percent);
    }
    return e;
}

// `-?\\frac{N}{N}` with N = `-?\d+([.,]\d+)?`.
std::optional<Env> bare_fraction(std::string_view s, size_t i) {
    size_t j = i;
    if (j < s.size() && s[j] == '-') {
        ++j;
    }
    if (!s.substr(j).starts_with("\\frac{")) {
        return std::nullopt;
    }
    j += 5;
    for (int part = 0; part < 2; ++part) {
        if (j >= s.size() || s[j] != '{') {
            return std::nullopt;
        }
        ++j;
        if (j < s.size() && s[j] == '-') {
            ++j;
        }
        const size_t digits = j;
        while (j < s.size() && is_digit(s[j])) {
            ++j;
        }
        if (j == digits) {
            return std::nullopt;
        }
        if (j + 1 < s.size() && (s[j] == '.' || s[j] == ',') && is_digit(s[j + 1])) {
            ++j;
            while (j < s.size() && is_digit(s[j])) {
                ++j;
            }
        }
        if (j >= s.size() || s[j] != '}') {
            return std::nullopt;
        }
        ++j;
    }
    Env e;
    e.start = i;
    e.piece.text = std::string(s.substr(i, j - i));
    e.end = percent_suffix(s, j, e.piece.percent);
    return e;
}

// All environments and bare \frac{1}{2}, left to right and non-overlapping, as re.finditer
// finds them.
std::vector<Env> scan_envs(std::string_view s) {
    std::vector<Env> out;
    for (size_t i = 0; i < s.size();) {
        auto e = env_at(s, i);
        if (!e) {
            e = bare_fraction(s, i);
        }
        if (e) {
            i = e->end;
            out.push_back(std::move(*e));
        } else {
            ++i;
        }
    }
    return out;
}

// `\s*(,?and|,?or|,)\s*` exactly spans [a, b).
bool separator(std::string_view s, size_t a, size_t b) {
    size_t i = skip_spaces(s, a);
    const bool comma = i < b && s[i] == ',';
    if (comma) {
        ++i;
    }
    bool word = false;
    for (std::string_view w : {"and", "or"}) {
        if (s.substr(i, b - i).starts_with(w)) {
            i += w.size();
            word = true;
            break;
        }
    }
    return (comma || word) && skip_spaces(s, i) == b;  // spaces alone do not join
}

// The chain of up to six environments joined by separators that starts at envs[k].
Candidate chain_at(std::string_view s, const std::vector<Env>& envs, size_t k, int priority) {
    Candidate c;
    c.priority = priority;
    c.pieces.push_back(envs[k].piece);
    c.end = envs[k].end;
    for (size_t n = k + 1;
         n < envs.size() && c.pieces.size() < 6 && separator(s, envs[n - 1].end, envs[n].start);
         ++n) {
        c.pieces.push_back(envs[n].piece);
        c.end = envs[n].end;
    }
    return c;
}

// Every chain, left to right, as re.finditer finds them.
std::vector<Candidate> chains(std::string_view s, const std::vector<Env>& envs, int priority) {
    std::vector<Candidate> out;
    for (size_t k = 0; k < envs.size(); k += out.back().pieces.size()) {
        out.push_back(chain_at(s, envs, k, priority));
    }
    return out;
}

// The chain starting at the first environment that begins in [from, to] (envs sorted by start).
std::optional<Candidate> chain_from(
    std::string_view s, const std::vector<Env>& envs, size_t from, size_t to, int priority) {
    const auto it = std::lower_bound(envs.begin(), envs.end(), from,
                                     [](const Env& e, size_t v) { return e.start < v; });
    if (it == envs.end() || it->start > to) {
        return std::nullopt;
    }
    return chain_at(s, envs, static_cast<size_t>(it - envs.begin()), priority);
}

// -- plain numbers and expressions ----------------------------------------------------------------

struct Plain {
    size_t start = 0, end = 0;  // start: the anchoring character (or 0 at the text's start)
    Piece piece;
};

bool expr_char(char c) {
    return is_digit(c) || c == '.' || is_space(c) || c == '+' || c == '-' || c == '*' || c == '/' ||
           c == '^' || c == '(' || c == ')';
}

bool op_char(char c) {
    return c == '+' || c == '-' || c == '*' || c == '/' || c == '^' || c == '(' || c == ')';
}

// After the anchor: an expression with an operator, `-?\(?-?\d[class]*[op][class]+\)?`, then a
// suffix `(\*\*)?(\.|,|:|\s|\)|\$|$)`. Returns the body and the match end.
std::optional<std::pair<std::string, size_t>> expr_after(std::string_view s, size_t i) {
    size_t j = i;
    if (j < s.size() && s[j] == '-')
        ++j;
    if (j < s.size() && s[j] == '(')
        ++j;
    if (j < s.size() && s[j] == '-')
        ++j;
    if (j >= s.size() || !is_digit(s[j])) {
        return std::nullopt;
    }
    size_t run = j + 1;
    while (run < s.size() && expr_char(s[run])) {
        ++run;
    }
    for (size_t e = run; e > j + 1; --e) {  // greedy: the longest body with a valid suffix
        const std::string_view body = s.substr(j + 1, e - j - 1);
        size_t op = std::string_view::npos;
        for (size_t k = 0; k + 1 < body.size(); ++k) {
            if (op_char(body[k])) {
                op = k;
                break;
            }
        }
        if (op == std::string_view::npos) {
            return std::nullopt;
        }
        size_t after = e;
        if (s.substr(after).starts_with("**")) {
            after += 2;
        }
        if (after == s.size()) {
            return std::pair{std::string(s.substr(i, e - i)), after};
        }
        const char c = s[after];
        if (c == '.' || c == ',' || c == ':' || is_space(c) || c == ')' || c == '$') {
            return std::pair{std::string(s.substr(i, e - i)), after + 1};
        }
    }
    return std::nullopt;
}

// A number after the anchor: thousands groups ("1 000", "1,234.5"), a decimal point or comma
// ("3,5"), a leading decimal (".4"), or digits; then an optional percent word.
std::optional<Plain> number_after(std::string_view s, size_t i) {
    static const std::vector<std::string_view> kCurrency = {"$", "€", "£", "¥", "₹", "₽", "₩"};
    for (std::string_view c : kCurrency) {
        if (s.substr(i).starts_with(c)) {
            i += c.size();
            break;
        }
    }
    if (i > 0 && is_digit(s[i - 1])) {
        return std::nullopt;
    }
    size_t j = i;
    const bool minus = j < s.size() && s[j] == '-';
    if (minus)
        ++j;
    const size_t d0 = j;
    while (j < s.size() && is_digit(s[j]))
        ++j;
    std::string integer(s.substr(d0, j - d0)), decimal;
    size_t end = j;
    // 1: [1-9]\d{0,2}([ ,]\d{3})+ (\.\d+)?
    if (!integer.empty() && integer[0] != '0' && integer.size() <= 3) {
        size_t g = j;
        std::string grouped = integer;
        while (g + 4 <= s.size() && (s[g] == ' ' || s[g] == ',') && is_digit(s[g + 1]) &&
               is_digit(s[g + 2]) && is_digit(s[g + 3])) {
            grouped.append(s.substr(g + 1, 3));
            g += 4;
        }
        if (g > j) {
            integer = grouped;
            end = g;
            if (end + 1 < s.size() && s[end] == '.' && is_digit(s[end + 1])) {
                size_t k = end + 1;
                while (k < s.size() && is_digit(s[k]))
                    ++k;
                decimal = std::string(s.substr(end + 1, k - end - 1));
                end = k;
            }
        }
    }
    if (end == j && decimal.empty()) {
        if (!integer.empty() && j + 1 < s.size() && (s[j] == '.' || s[j] == ',') &&
            is_digit(s[j + 1])) {
            size_t k = j + 1;
            while (k < s.size() && is_digit(s[k]))
                ++k;
            decimal = std::string(s.substr(j + 1, k - j - 1));
            end = k;
        } else if (integer.empty()) {
            if (minus || j + 1 >= s.size() || s[j] != '.' || !is_digit(s[j + 1])) {
                return std::nullopt;
            }
            size_t k = j + 1;
            while (k < s.size() && is_digit(s[k]))
                ++k;
            decimal = std::string(s.substr(j + 1, k - j - 1));
            end = k;
        }
    }
    Plain p;
    p.end = end;
    integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size()));
    p.piece.text = (minus ? "-" : "") + (integer.empty() ? std::string("0") : integer) +
                   (decimal.empty() ? "" : "." + decimal);
    p.piece.latex = false;
    size_t k = p.end;
    const size_t sp = skip_spaces(s, k);
    for (std::string_view w :
         {"%", "Percent", "percent", "Percentage", "percentage", "Pct", "pct"}) {
        if (s.substr(sp).starts_with(w)) {
            p.piece.percent = true;
            p.end = sp + w.size();
            break;
        }
    }
    return p;
}

// An anchor: the text's start, a space or "=", then optional "**".
std::optional<size_t> body_after_anchor(std::string_view s, size_t a) {
    size_t i = a;
    if (a > 0 || (!s.empty() && (is_space(s[0]) || s[0] == '='))) {
        if (!(is_space(s[a]) || s[a] == '=')) {
            return std::nullopt;
        }
        i = a + 1;
    }
    if (s.substr(i).starts_with("**")) {
        i += 2;
    }
    return i;
}

// re.finditer over the anchored expression pattern, then over the anchored number pattern.
std::vector<Plain> scan_plain(std::string_view s) {
    std::vector<Plain> out;
    for (size_t a = 0; a < s.size();) {
        const auto i = body_after_anchor(s, a);
        auto m = i ? expr_after(s, *i) : std::nullopt;
        if (!m) {
            ++a;
            continue;
        }
        Plain p;
        p.start = a;
        p.end = m->second;
        p.piece.text = m->first;
        p.piece.latex = false;
        out.push_back(std::move(p));
        a = m->second;
    }
    for (size_t a = 0; a < s.size();) {
        const auto i = body_after_anchor(s, a);
        auto m = i ? number_after(s, *i) : std::nullopt;
        if (!m) {
            ++a;
            continue;
        }
        m->start = a;
        out.push_back(*m);
        a = std::max(m->end, a + 1);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Plain& x, const Plain& y) { return x.start < y.start; });
    return out;
}

Candidate single(const Plain& p, int priority) {
    return Candidate{{p.piece}, p.end, priority};
}

// The first plain match anchored in [from, to] and not followed by "=" (plains sorted by start).
std::optional<Candidate> plain_from(
    std::string_view s, const std::vector<Plain>& plains, size_t from, size_t to, int priority) {
    auto it = std::lower_bound(plains.begin(), plains.end(), from,
                               [](const Plain& p, size_t v) { return p.start < v; });
    for (; it != plains.end() && it->start <= to; ++it) {
        const size_t k = skip_spaces(s, it->end);
        if (k >= s.size() || s[k] != '=') {
            return single(*it, priority);
        }
    }
    return std::nullopt;
}

// -- anchored patterns ----------------------------------------------------------------------------

void answer_phrases(std::string_view s,
                    const std::vector<Env>& envs,
                    const std::vector<Plain>& plains,
                    std::vector<Candidate>& out) {
    for (size_t a : find_all_ci(s, "final answer is")) {  // 0: "... is $X$. I hope"
        size_t i = a + 15;
        if (i < s.size() && s[i] == ':')
            ++i;
        auto add_if_hope = [&](std::optional<Candidate> c) {
            if (!c) {
                return;
            }
            size_t k = c->end;
            if (k < s.size() && s[k] == '.')
                ++k;
            if (k < s.size() && is_space(s[k]))
                ++k;
            if (s.substr(k).starts_with("I hope")) {
                c->end = k + 6;
                out.push_back(*c);
            }
        };
        add_if_hope(chain_from(s, envs, skip_spaces(s, i), skip_spaces(s, i), 0));
        add_if_hope(plain_from(s, plains, i, skip_spaces(s, i), 0));
    }
    for (size_t a : find_all_ci(s, "final answer")) {  // 50: "final answer ... is $X$"
        const size_t limit = std::min(s.size(), a + 12 + 101);
        for (size_t k = a + 12; k < limit; ++k) {
            if (!is_space(s[k])) {
                continue;
            }
            const size_t is = skip_spaces(s, k);
            if (!s.substr(is).starts_with("is")) {
                continue;
            }
            size_t i = is + 2;
            if (i < s.size() && s[i] == ':')
                ++i;
            auto c = chain_from(s, envs, i, skip_spaces(s, i), 50);
            if (!c) {
                c = plain_from(s, plains, i, skip_spaces(s, i), 50);
            }
            if (c) {
                out.push_back(*c);
                break;
            }
        }
    }
    for (size_t a : find_all_ci(s, "answer")) {  // 100: "answer: ... X"; 200: "answer ... X"
        const size_t after = a + 6;
        const bool colon = after < s.size() && s[after] == ':';
        for (int priority : {100, 200}) {
            if (priority == 100 && !colon) {
                continue;
            }
            const size_t from = priority == 100 ? after + 1 : after;
            if (auto c = chain_from(s, envs, from, from + 50, priority)) {
                out.push_back(*c);
            }
            // Plain patterns are not DOTALL: their ".{0,100}" stops at a newline.
            const size_t line_end = std::min(s.find('\n', from), s.size());
            std::optional<Candidate> last_eq;  // ".{0,100}=\s*X": the last "=" in reach
            for (size_t k = from; k < std::min(line_end, from + 101); ++k) {
                if (s[k] == '=') {
                    if (auto c = plain_from(s, plains, k, skip_spaces(s, k + 1), priority)) {
                        last_eq = c;
                    }
                }
            }
            if (auto c = last_eq ? last_eq
                                 : plain_from(s, plains, from, std::min(line_end, from + 50),
                                              priority)) {
                out.push_back(*c);
            }
        }
    }
}

// 50: environments holding a \boxed{}, and the bare "\boxed{...}" up to the text's last "}".
void boxed(std::string_view s, const std::vector<Env>& envs, std::vector<Candidate>& out) {
    std::vector<Env> holding;
    for (const Env& e : envs) {
        const size_t b = e.piece.text.find("\\boxed{");
        if (b != std::string::npos && e.piece.text.find('}', b + 8) != std::string::npos) {
            holding.push_back(e);
        }
    }
    for (auto& c : chains(s, holding, 50)) {
        out.push_back(std::move(c));
    }
    const size_t first = s.find("\\boxed{");
    const size_t last = s.rfind('}');
    if (first != std::string_view::npos && last != std::string_view::npos && last > first + 7) {
        Piece p;
        p.text = std::string(s.substr(first, last + 1 - first));
        p.boxed_last = true;
        out.push_back(Candidate{{p}, last + 1, 50});
    }
}

}  // namespace

std::vector<Candidate> find_candidates(std::string_view text) {
    const std::vector<Env> envs = scan_envs(text);
    const std::vector<Plain> plains = scan_plain(text);
    std::vector<Candidate> out;
    answer_phrases(text, envs, plains, out);
    boxed(text, envs, out);  // a bare \frac{1}{2} holds no box, so one scan serves both
    for (auto& c : chains(text, envs, 300)) {
        out.push_back(std::move(c));
    }
    for (const Plain& p : plains) {
        out.push_back(single(p, 300));
    }
    std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
        return a.priority != b.priority ? a.priority < b.priority : a.end > b.end;
    });
    return out;
}

}  // namespace r1::rewards::math
