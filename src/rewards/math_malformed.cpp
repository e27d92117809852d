#include <optional>

#include "rewards/math_chars.h"
#include "rewards/math_normalize.h"

namespace r1::rewards::math {
namespace {

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

// `head`(x) -> `out`{x}, the first ")" closing it (the original's lazy `\((.*?)\)`).
std::string parenthesised_to_braced(const std::string& s,
                                    std::string_view head,
                                    std::string_view out) {
    return rewrite_each(s, head, [&](std::string_view v, size_t& e) -> std::optional<std::string> {
        const size_t j = opt_space(v, e);
        const size_t close = j < v.size() && v[j] == '(' ? v.find(')', j) : std::string_view::npos;
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        std::string r = std::string(out) + "{" + std::string(v.substr(j + 1, close - j - 1)) + "}";
        e = close + 1;
        return r;
    });
}

std::string fix_malformed(std::string s) {
    s = parenthesised_to_braced(s, "^", "^");          // ^(x) -> ^{x}
    s = parenthesised_to_braced(s, "sqrt", "\\sqrt");  // sqrt(x) -> \sqrt{x}
    // \frac12 -> \frac{1}{2}, \log_2 8 -> \log_{2}{8}
    for (std::string_view head : {"\\frac", "\\log_"}) {
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
                std::string(head) + "{" + a + "}{" + std::string(v.substr(j, k - j)) + "}";
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
                            const size_t j = skip_spaces(v, e);
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
                            const size_t j = skip_spaces(v, e);
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

std::string fix_malformed_operators(std::string s) {
    return fix_a_slash_b(fix_fracs(fix_sqrt(fix_malformed(std::move(s)))));
}

}  // namespace r1::rewards::math
