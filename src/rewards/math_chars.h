// Private to the math verifier: character classes in the "C" locale, whatever the process's.
#pragma once

#include <cctype>

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

}  // namespace r1::rewards::math
