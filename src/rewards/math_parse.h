// Private to the math verifier: reads one normalised LaTeX answer into a Tree, the way
// latex2sympy (Math-Verify's parser) reads it: a bare list is a set, "(a, b)" an open interval when
// a < b and a tuple otherwise, "x \approx 11" is 11, "\pm 2" the set {-2, 2}, a run of letters a
// product, \text{Yes} the symbol "yes".
#pragma once

#include <optional>
#include <string_view>

#include "rewards/math_ast.h"

namespace r1::rewards::math {

/// Whether the answer reads "i" as the imaginary unit: Math-Verify does so when an i stands alone
/// (" i", "\i", "\mathrm{i}") or the answer names complex numbers; "2i" alone is a symbol.
bool reads_complex(std::string_view latex);

/// The tree of `latex`, or nullopt when it is not an expression (or deeper, longer or larger than
/// `budget.limits()` allows). Throws OutOfTime past the deadline.
std::optional<Tree> parse_latex(std::string_view latex, Budget& budget);

/// The tree of a plain-text expression ("10/9", "2^10", "3*(4+1)") as Math-Verify's expression
/// extraction reads it: ^ is a power, no implicit LaTeX commands.
std::optional<Tree> parse_plain(std::string_view text, Budget& budget);

}  // namespace r1::rewards::math
