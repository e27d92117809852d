// Private to the math verifier: the value of a parsed answer, exact while rational arithmetic
// suffices (int64 numerator and denominator, checked for overflow), complex doubles otherwise.
#pragma once

#include <complex>
#include <map>
#include <optional>
#include <string>

#include "rewards/math_ast.h"

namespace r1::rewards::math {

struct Value {
    std::optional<Rational> exact;  // set when the value is a rational computed exactly
    std::complex<double> z;

    bool real() const { return std::abs(z.imag()) <= 1e-12 * std::max(1.0, std::abs(z.real())); }
};

/// Symbols bound to numbers, for checking identities at points.
using Point = std::map<std::string, double>;

/// A number node from its decimal digits: "1234" and "5" for 1234.5 (is_float when `fraction`
/// was written). Too long for int64: kept as a double, not exact.
Node number_node(const std::string& digits, const std::string& fraction);

/// The value of node `i`, or nullopt when it has none (a free symbol not in `point`, a set, a
/// division by zero, an infinity). Recursion is bounded by the parser's depth limit.
std::optional<Value> evaluate(const Tree& t, int32_t i, const Point& point, Budget& budget);

/// The real value of a constant node, or nullopt.
std::optional<double> real_value(const Tree& t, int32_t i, Budget& budget);

/// The free symbols under node `i` (function names excluded).
void free_symbols(const Tree& t, int32_t i, std::map<std::string, int>& out);

}  // namespace r1::rewards::math
