#include "rewards/math_expr.h"

#include <cctype>
#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

namespace r1::rewards::detail {

struct Expr {
    enum class Op { number, variable, pi, euler, infinity, neg, add, sub, mul, div, pow, root };
    Op op = Op::number;
    Number number;     // Op::number
    std::string name;  // Op::variable
    ExprPtr a, b;      // operands (root: a = degree, b = radicand)
};

namespace {

using Op = Expr::Op;

ExprPtr node(Op op, ExprPtr a = nullptr, ExprPtr b = nullptr) {
    auto e = std::make_shared<Expr>();
    e->op = op;
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
}

ExprPtr literal(Number n) {
    auto e = std::make_shared<Expr>();
    e->number = n;
    return e;
}

// -- exact arithmetic -----------------------------------------------------------------------------

__extension__ typedef __int128 Int128;  // products of two int64 before reduction (GCC and Clang)

std::optional<Rational> make_rational(Int128 p, Int128 q) {
    if (q == 0) {
        return std::nullopt;
    }
    if (q < 0) {
        p = -p;
        q = -q;
    }
    Int128 a = p < 0 ? -p : p, b = q;
    while (b != 0) {
        const Int128 t = a % b;
        a = b;
        b = t;
    }
    if (a > 1) {
        p /= a;
        q /= a;
    }
    constexpr Int128 kMax = INT64_MAX;
    if (p > kMax || p < -kMax || q > kMax) {
        return std::nullopt;
    }
    return Rational{static_cast<int64_t>(p), static_cast<int64_t>(q)};
}

std::optional<Rational> exact_op(Op op, const Rational& x, const Rational& y) {
    using I = Int128;
    switch (op) {
        case Op::add:
            return make_rational(I(x.p) * y.q + I(y.p) * x.q, I(x.q) * y.q);
        case Op::sub:
            return make_rational(I(x.p) * y.q - I(y.p) * x.q, I(x.q) * y.q);
        case Op::mul:
            return make_rational(I(x.p) * y.p, I(x.q) * y.q);
        case Op::div:
            return make_rational(I(x.p) * y.q, I(x.q) * y.p);
        default:
            return std::nullopt;
    }
}

std::optional<int64_t> exact_root(int64_t v, int64_t n) {  // the integer n-th root of v, if any
    if (v < 0 && n % 2 == 0) {
        return std::nullopt;
    }
    const double guess =
        std::round(std::copysign(std::pow(std::fabs(static_cast<double>(v)), 1.0 / n), v));
    for (int64_t r = static_cast<int64_t>(guess) - 1; r <= static_cast<int64_t>(guess) + 1; ++r) {
        Int128 p = 1;
        for (int64_t k = 0; k < n && p <= INT64_MAX; ++k) {
            p *= r;
        }
        if (p == v) {
            return r;
        }
    }
    return std::nullopt;
}

std::optional<Rational> exact_pow(const Rational& base, const Rational& exponent) {
    if (exponent.q == 1 && std::llabs(exponent.p) <= 128) {
        Rational out{1, 1};
        for (int64_t k = 0; k < std::llabs(exponent.p); ++k) {
            auto next = exact_op(Op::mul, out, base);
            if (!next) {
                return std::nullopt;
            }
            out = *next;
        }
        return exponent.p >= 0 ? std::optional(out) : exact_op(Op::div, Rational{1, 1}, out);
    }
    if (exponent.q <= 16) {  // x^(p/q) = (q-th root of x)^p when the root is exact
        const auto p = exact_root(base.p, exponent.q), q = exact_root(base.q, exponent.q);
        if (p && q) {
            return exact_pow(Rational{*p, *q}, Rational{exponent.p, 1});
        }
    }
    return std::nullopt;
}

// -- parsing --------------------------------------------------------------------------------------

class Parser {
  public:
    explicit Parser(std::string_view s) : s_(s) {}

    std::optional<ParsedExpr> run() {
        ExprPtr e = expr();
        skip();
        if (!e || i_ != s_.size()) {
            return std::nullopt;
        }
        return ParsedExpr{e, variables_};
    }

  private:
    void skip() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])) != 0) {
            ++i_;
        }
    }

    bool eat(std::string_view word) {
        skip();
        if (s_.substr(i_, word.size()) != word) {
            return false;
        }
        // a command must not continue with letters: \pi is not \pig
        if (word[0] == '\\' && i_ + word.size() < s_.size() &&
            std::isalpha(static_cast<unsigned char>(s_[i_ + word.size()])) != 0) {
            return false;
        }
        i_ += word.size();
        return true;
    }

    char peek() {
        skip();
        return i_ < s_.size() ? s_[i_] : '\0';
    }

    ExprPtr expr() {
        ExprPtr left = term();
        while (left) {
            if (eat("+")) {
                left = binary(Op::add, left, term());
            } else if (eat("-")) {
                left = binary(Op::sub, left, term());
            } else {
                break;
            }
        }
        return left;
    }

    static ExprPtr binary(Op op, ExprPtr a, ExprPtr b) {
        return b ? node(op, std::move(a), std::move(b)) : nullptr;
    }

    bool starts_atom() {
        const char c = peek();
        if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
            std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '(' || c == '{' || c == '.') {
            return true;
        }
        for (std::string_view cmd : {"\\frac", "\\sqrt", "\\pi", "\\infty"}) {
            if (s_.substr(i_, cmd.size()) == cmd) {
                return true;
            }
        }
        return false;
    }

    ExprPtr term() {
        ExprPtr left = unary();
        while (left) {
            if (eat("*") || eat("\\cdot") || eat("\\times")) {
                left = binary(Op::mul, left, unary());
            } else if (eat("/") || eat("\\div")) {
                left = binary(Op::div, left, unary());
            } else if (starts_atom()) {
                // 7\frac{3}{4} is a mixed number (Math-Verify reads it so); other juxtapositions
                // multiply
                const bool mixed = left->op == Op::number && left->number.exact &&
                                   left->number.exact->q == 1 && s_.substr(i_, 5) == "\\frac";
                left = binary(mixed ? Op::add : Op::mul, left, power());
            } else {
                break;
            }
        }
        return left;
    }

    ExprPtr unary() {
        if (eat("-")) {
            ExprPtr a = unary();
            return a ? node(Op::neg, a) : nullptr;
        }
        if (eat("+")) {
            return unary();
        }
        return power();
    }

    ExprPtr power() {
        ExprPtr base = atom();
        if (base && eat("^")) {
            ExprPtr exponent = peek() == '{' ? atom() : (peek() == '-' ? unary() : single());
            return binary(Op::pow, base, exponent);
        }
        return base;
    }

    // One character as an argument: \frac12, \sqrt2, x^2.
    ExprPtr single() {
        skip();
        if (i_ >= s_.size()) {
            return nullptr;
        }
        const char c = s_[i_];
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            ++i_;
            return literal(Number{Rational{c - '0', 1}, static_cast<double>(c - '0')});
        }
        if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '\\') {
            return atom();
        }
        return nullptr;
    }

    ExprPtr argument() { return peek() == '{' ? atom() : single(); }

    ExprPtr group(char close) {
        ExprPtr e = expr();
        return e && eat(std::string_view(&close, 1)) ? e : nullptr;
    }

    ExprPtr atom() {
        const char c = peek();
        if (eat("(")) {
            return group(')');
        }
        if (eat("{")) {
            return group('}');
        }
        if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.') {
            return number();
        }
        if (eat("\\frac")) {
            ExprPtr num = argument();
            ExprPtr den = num ? argument() : nullptr;
            return binary(Op::div, num, den);
        }
        if (eat("\\sqrt")) {
            ExprPtr degree = literal(Number{Rational{2, 1}, 2.0});
            if (eat("[")) {
                degree = group(']');
            }
            return degree ? binary(Op::root, degree, argument()) : nullptr;
        }
        if (eat("\\pi")) {
            return node(Op::pi);
        }
        if (eat("\\infty")) {
            return node(Op::infinity);
        }
        if (std::isalpha(static_cast<unsigned char>(c)) != 0) {
            ++i_;
            if (c == 'e') {
                return node(Op::euler);  // Math-Verify reads a lone e as Euler's number
            }
            auto v = std::make_shared<Expr>();
            v->op = Op::variable;
            v->name = std::string(1, c);
            variables_.insert(v->name);
            return v;
        }
        return nullptr;
    }

    ExprPtr number() {
        const size_t start = i_;
        int64_t p = 0, q = 1;
        bool overflow = false, dot = false, digits = false;
        for (; i_ < s_.size(); ++i_) {
            const char c = s_[i_];
            if (c == '.' && !dot) {
                dot = true;
            } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
                digits = true;
                overflow = overflow || __builtin_mul_overflow(p, 10, &p) ||
                           __builtin_add_overflow(p, c - '0', &p) ||
                           (dot && __builtin_mul_overflow(q, 10, &q));
            } else {
                break;
            }
        }
        if (!digits) {
            return nullptr;
        }
        const double value = std::stod(std::string(s_.substr(start, i_ - start)));
        return literal(overflow ? Number{std::nullopt, value} : Number{make_rational(p, q), value});
    }

    std::string_view s_;
    size_t i_ = 0;
    std::set<std::string> variables_;
};

std::optional<Number> combine(Op op, const Number& x, const Number& y) {
    Number out;
    if (x.exact && y.exact) {
        out.exact =
            op == Op::pow ? exact_pow(*x.exact, *y.exact) : exact_op(op, *x.exact, *y.exact);
    }
    switch (op) {
        case Op::add:
            out.value = x.value + y.value;
            break;
        case Op::sub:
            out.value = x.value - y.value;
            break;
        case Op::mul:
            out.value = x.value * y.value;
            break;
        case Op::div:
            if (y.value == 0.0) {
                return std::nullopt;
            }
            out.value = x.value / y.value;
            break;
        default:
            out.value = std::pow(x.value, y.value);
            break;
    }
    if (out.exact) {
        out.value = out.exact->to_double();
    }
    return std::isnan(out.value) ? std::nullopt : std::optional(out);
}

std::optional<Number> root(const Number& degree, const Number& x) {
    if (degree.value == 0.0) {
        return std::nullopt;
    }
    if (degree.exact && degree.exact->q == 1 && x.exact) {
        const auto p = exact_root(x.exact->p, degree.exact->p),
                   q = exact_root(x.exact->q, degree.exact->p);
        if (p && q) {
            return Number{Rational{*p, *q}, static_cast<double>(*p) / static_cast<double>(*q)};
        }
    }
    if (x.value < 0.0) {
        return std::nullopt;  // real answers only
    }
    return Number{std::nullopt, std::pow(x.value, 1.0 / degree.value)};
}

std::optional<Number> eval(const Expr& e, const std::map<std::string, double>& point) {
    switch (e.op) {
        case Op::number:
            return e.number;
        case Op::variable:
            return Number{std::nullopt, point.at(e.name)};
        case Op::pi:
            return Number{std::nullopt, std::numbers::pi};
        case Op::euler:
            return Number{std::nullopt, std::numbers::e};
        case Op::infinity:
            return Number{std::nullopt, INFINITY};
        case Op::neg: {
            auto a = eval(*e.a, point);
            if (a) {
                a->value = -a->value;
                if (a->exact) {
                    a->exact->p = -a->exact->p;
                }
            }
            return a;
        }
        default:
            break;
    }
    const auto a = eval(*e.a, point);
    const auto b = a ? eval(*e.b, point) : std::nullopt;
    if (!b) {
        return std::nullopt;
    }
    return e.op == Op::root ? root(*a, *b) : combine(e.op, *a, *b);
}

}  // namespace

std::optional<ParsedExpr> parse_expr(std::string_view text) {
    return Parser(text).run();
}

std::optional<Number> evaluate(const ParsedExpr& e, const std::map<std::string, double>& point) {
    return eval(*e.root, point);
}

}  // namespace r1::rewards::detail
