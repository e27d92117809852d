// Private to the math verifier: the LaTeX clean-up Math-Verify applies to an extracted answer
// before parsing it (latex2sympy2_extended's normalize_latex with Math-Verify's configuration):
// boxed contents, \left/\right, \dfrac and \cfrac, \text variants, "and"/"or" as commas, percent
// words, trailing units, leading decimals, malformed \frac12 and \sqrt2, a/b as a fraction.
#pragma once

#include <string>
#include <string_view>

namespace r1::rewards::math {

enum class Boxed {
    all,   // every \boxed{} joined by commas (answers found inside a math environment)
    last,  // the last \boxed{}, and those before it separated by "and", "or" or a comma
};

/// The contents of the \boxed{} / \fbox{} commands in `text` per `mode`; `text` itself when none.
/// An unclosed last box yields the rest of the text.
std::string boxed_contents(std::string_view text, Boxed mode);

/// `text` cleaned as Math-Verify cleans an extracted LaTeX answer.
std::string normalize_latex(std::string_view text, Boxed mode);

// -- normalize_latex's later steps, each in its own file ----------------------------------------

/// Trailing \text{...} units and unit words ("5 cm" -> "5"; math_units.cpp).
std::string strip_units(std::string s);

/// ^(x), sqrt(x), \frac12, \frac{a}2, \sqrt2, \sqrt x and a whole "2/3" written as LaTeX
/// means them (math_malformed.cpp).
std::string fix_malformed_operators(std::string s);

}  // namespace r1::rewards::math
