// Private to the math verifier: character classes in the "C" locale, whatever the process's,
// and the small string steps every stage of reading an answer shares.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace r1::rewards::math {

inline bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

inline bool is_letter(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

inline bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

/// The first index at or after `i` that is not a space.
inline size_t skip_spaces(std::string_view s, size_t i) {
    while (i < s.size() && is_space(s[i])) {
        ++i;
    }
    return i;
}

/// `s` without leading and trailing spaces.
inline std::string trim(std::string_view s) {
    size_t a = skip_spaces(s, 0), b = s.size();
    while (b > a && is_space(s[b - 1])) {
        --b;
    }
    return std::string(s.substr(a, b - a));
}

/// Every `from` in `s` replaced by `to`, left to right, in one pass.
inline void replace_all(std::string& s, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(s.size());
    size_t start = 0;
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, start)) {
        out.append(s, start, pos - start).append(to);
        start = pos + from.size();
    }
    s = out.append(s, start);
}

}  // namespace r1::rewards::math
