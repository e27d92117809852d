#include <array>

#include "rewards/math_chars.h"
#include "rewards/math_normalize.h"

namespace r1::rewards::math {
namespace {

// latex2sympy2_extended's unit words, matched at the end of an answer after a digit, "}" or space
// (plural "s"/"es" allowed): "5 cm" -> "5", and also "2c" -> "2", as Math-Verify does.
// clang-format off
constexpr std::array kUnits = {
    "integerpoint", "feet", "sue", "digit", "pound", "meal", "edge", "student", "children ticket",
    "multiple", "east", "degree", "mph", "kmph", "ft", "m square", " m east", "sq m", "deg",
    "mile", "q .", "monkey", "prime", "ratio", "profit of rs", "rd", "o", "gm", "p . m", "lb",
    "tile", "per", "dm", "lt", "gain", "ab", "way", "west", "a .", "b .", "c .", "d .", "e .",
    "f .", "g .", "h .", "t", "h", "no change", "men", "soldier", "pie", "bc", "excess", "st",
    "inches", "noon", "cent", "by", "gal", "kmh", "c", "acre", "rise", "a . m", "th", "π r 2",
    "sq", "mark", "l", "toy", "coin", "sq . m", "gallon", "° f", "profit", "minw", "yr", "women",
    "am", "pm", "hr", "cu cm", "square", "v â € ™", "are", "rupee", "rounds", "cubic", "cc", "mtr",
    "s", "ohm", "number", "day", "hour", "minute", "min", "second", "man", "woman", "sec", "cube",
    "mt", "sq inch", "mp", "∏ cm ³", "hectare", "more", "unit", "cu . m", "cm 2", "rs .", "rs",
    "kg", "g", "month", "km", "m", "cm", "mm", "apple", "liter", "loss", "yard", "pure", "year",
    "increase", "decrease", "d", "less", "Surface", "litre", "pi sq m", "s .", "metre", "meter",
    "inch"};

// clang-format on

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

}  // namespace

std::string strip_units(std::string s) {
    if (std::string t = trim(strip_trailing_text(s)); !t.empty() && t != s) {
        s = t;
    }
    for (int pass = 0; pass < 2; ++pass) {
        if (std::string t = strip_unit_once(s); !t.empty() && t != s) {
            s = t;
        }
    }
    return s;
}

}  // namespace r1::rewards::math
