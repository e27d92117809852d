// Private to math_answer.cpp: a small parser and evaluator for the scalar expressions final answers
// are written in (integers, decimals, \frac, + - * / ^, parentheses, \sqrt, \pi, e, one-letter
// variables, implicit multiplication), with exact rational arithmetic where the value is rational.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace r1::rewards::detail {

/// p/q in lowest terms, q > 0; arithmetic reports overflow by returning nullopt.
struct Rational {
    int64_t p = 0;
    int64_t q = 1;

    double to_double() const { return static_cast<double>(p) / static_cast<double>(q); }

    bool operator==(const Rational&) const = default;
};

/// A value: exact when rational arithmetic sufficed, else a double.
struct Number {
    std::optional<Rational> exact;
    double value = 0.0;
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

/// A parsed expression; `variables` lists its free one-letter symbols.
struct ParsedExpr {
    ExprPtr root;
    std::set<std::string> variables;
};

/// Parses a normalised answer ("2\\sqrt{3}+\\frac{1}{2}x"); nullopt when it is not an expression.
std::optional<ParsedExpr> parse_expr(std::string_view text);

/// Evaluates with the variables bound to `point`; nullopt on division by zero or a non-real value.
std::optional<Number> evaluate(const ParsedExpr& e, const std::map<std::string, double>& point);

}  // namespace r1::rewards::detail
