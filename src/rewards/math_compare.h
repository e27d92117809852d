// Private to the math verifier: whether a predicted answer equals the gold one, by Math-Verify's
// rules (grader.py's sympy_expr_eq), on parsed trees:
//   - "x = 5" against 5: an assignment gold gives its value; an equation prediction its last side;
//   - relations compare as relations: same sign and lhs - rhs equal, or flipped (b > a is a < b),
//     or, for equations in one variable, the same solution; "x < 3" accepts (-\infty, 3);
//   - sets ignore order (both sorted by value), tuples keep it, intervals compare bounds and ends,
//     an open interval (a, b) also matches the pair {a, b};
//   - symbols compare by name (names longer than a letter case-insensitively);
//   - numbers: a decimal on either side compares rounded to `float_rounding` decimals, integers
//     exactly (28\% is 28), other values exactly or to 1e-12 relative;
//   - expressions in variables: the difference vanishes at five points (to 1e-9 relative), the
//     stated numeric check for symbolic identity.
#pragma once

#include "rewards/math_ast.h"

namespace r1::rewards::math {

/// Math-Verify's verdict on one gold and one prediction tree. Throws OutOfTime past the deadline.
bool answers_match(const Tree& gold, const Tree& pred, int float_rounding, Budget& budget);

}  // namespace r1::rewards::math
