// Private to the math verifier: answers read as sets of real numbers with constant bounds
// (intervals, finite sets, unions, \mathbb{R} \setminus [a, b]) and the solution sets of relations
// in one variable ("x < 3", "-x > -1", "-793 < a < 10", "x \neq 3"), so that Math-Verify's
// relation-against-set comparisons and its symmetric-difference test can be made on them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rewards/math_ast.h"

namespace r1::rewards::math {

/// One interval of a real set; a point is lo == hi, closed.
struct Span {
    double lo, hi;
    bool lo_open, hi_open;
};

using RealSet = std::vector<Span>;

/// lhs - rhs = slope * x + c in the relation's one variable x, and the root -c / slope; nullopt
/// when it has another number of variables or is not linear in its one.
struct Linear {
    std::string x;
    double slope, root;
};

std::optional<Linear> linear_in_one_variable(const Tree& t, int32_t relation, Budget& budget);

/// Node `i` as a real set; nullopt when it is not a set or a bound is not a real constant.
std::optional<RealSet> real_set(const Tree& t, int32_t i, Budget& budget);

/// The solution set of a relation (or a conjunction of them) linear in one variable.
std::optional<RealSet> solution_set(const Tree& t, int32_t i, Budget& budget);

/// Whether two real sets hold the same points (bounds to 1e-9 relative).
bool same_set(RealSet a, RealSet b);

/// "<" for ">", "<=" for ">=" and back; other relations are their own flip.
std::string flipped(const std::string& op);

}  // namespace r1::rewards::math
