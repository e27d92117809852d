#include "rewards/math_value.h"

#include <cmath>
#include <numbers>
#include <vector>

namespace r1::rewards::math {
namespace {

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
        const Int128 r = a % b;
        a = b;
        b = r;
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

std::optional<Rational> add_exact(const Rational& x, const Rational& y) {
    return make_rational(Int128(x.p) * y.q + Int128(y.p) * x.q, Int128(x.q) * y.q);
}

std::optional<Rational> mul_exact(const Rational& x, const Rational& y) {
    return make_rational(Int128(x.p) * y.p, Int128(x.q) * y.q);
}

std::optional<int64_t> exact_root(int64_t v, int64_t n) {  // the integer n-th root of v, if any
    if (v < 0 && n % 2 == 0) {
        return std::nullopt;
    }
    const double guess =
        std::round(std::copysign(std::pow(std::fabs(static_cast<double>(v)), 1.0 / n), v));
    for (int64_t r = static_cast<int64_t>(guess) - 1; r <= static_cast<int64_t>(guess) + 1; ++r) {
        Int128 p = 1;
        for (int64_t k = 0; k < n && p <= INT64_MAX && p >= -INT64_MAX; ++k) {
            p *= r;
        }
        if (p == v) {
            return r;
        }
    }
    return std::nullopt;
}

std::optional<Rational> pow_exact(const Rational& base, const Rational& e) {
    if (e.q == 1 && std::llabs(e.p) <= 256) {
        Rational out{1, 1};
        for (int64_t k = 0; k < std::llabs(e.p); ++k) {
            auto next = mul_exact(out, base);
            if (!next) {
                return std::nullopt;
            }
            out = *next;
        }
        return e.p >= 0 ? std::optional(out) : make_rational(out.q, out.p);
    }
    if (e.q <= 16 && base.p >= 0) {  // x^(p/q) = (q-th root of x)^p when the root is exact
        const auto p = exact_root(base.p, e.q), q = exact_root(base.q, e.q);
        if (p && q) {
            return pow_exact(Rational{*p, *q}, Rational{e.p, 1});
        }
    }
    return std::nullopt;
}

Value inexact(std::complex<double> z) {
    return Value{std::nullopt, z};
}

Value exact(const Rational& r) {
    return Value{r, {r.to_double(), 0.0}};
}

bool finite(const Value& v) {
    return std::isfinite(v.z.real()) && std::isfinite(v.z.imag());
}

std::optional<Value> binom(const Value& n, const Value& k) {
    if (!n.exact || !k.exact || n.exact->q != 1 || k.exact->q != 1 || k.exact->p < 0 ||
        k.exact->p > 1000) {
        return std::nullopt;
    }
    Rational out{1, 1};
    for (int64_t j = 0; j < k.exact->p; ++j) {
        auto next = mul_exact(out, Rational{n.exact->p - j, j + 1});
        if (!next) {
            return std::nullopt;
        }
        out = *next;
    }
    return exact(out);
}

std::optional<Value> factorial(const Value& n) {
    if (!n.exact || n.exact->q != 1 || n.exact->p < 0 || n.exact->p > 170) {
        return std::nullopt;
    }
    Rational out{1, 1};
    double d = 1.0;
    bool fits = true;
    for (int64_t j = 2; j <= n.exact->p; ++j) {
        d *= static_cast<double>(j);
        if (fits) {
            auto next = mul_exact(out, Rational{j, 1});
            fits = next.has_value();
            out = next.value_or(out);
        }
    }
    return fits ? exact(out) : inexact(d);
}

std::optional<Value> power(const Value& b, const Value& e) {
    if (b.exact && e.exact) {
        if (auto r = pow_exact(*b.exact, *e.exact)) {
            return exact(*r);
        }
    }
    if (b.z == std::complex<double>(0.0, 0.0)) {
        return e.real() && e.z.real() > 0 ? std::optional(exact({0, 1})) : std::nullopt;
    }
    if (b.real() && e.real() && (b.z.real() > 0 || (e.exact && e.exact->q == 1))) {
        return inexact(std::pow(b.z.real(), e.z.real()));
    }
    return inexact(std::pow(b.z, e.z));
}

std::optional<Value> apply_function(const std::string& f, const std::vector<Value>& a) {
    using C = std::complex<double>;
    const C x = a[0].z;
    if (f == "sqrt") {
        const Value degree = a.size() > 1 ? a[1] : exact({2, 1});
        if (!degree.exact || degree.exact->p == 0) {
            return std::nullopt;
        }
        return power(a[0], exact(*make_rational(degree.exact->q, degree.exact->p)));
    }
    if (f == "log") {
        if (a[0].exact && a[1].exact && a[0].exact->q == 1 && a[1].exact->q == 1 &&
            a[1].exact->p > 1 && a[0].exact->p > 0) {  // log_b(b^k) = k exactly
            int64_t k = 0, v = a[0].exact->p;
            while (v % a[1].exact->p == 0) {
                v /= a[1].exact->p;
                ++k;
            }
            if (v == 1) {
                return exact({k, 1});
            }
        }
        return inexact(std::log(x) / std::log(a[1].z));
    }
    if (f == "abs") {
        if (a[0].exact) {
            return exact({std::llabs(a[0].exact->p), a[0].exact->q});
        }
        return inexact(std::abs(x));
    }
    if (f == "factorial") {
        return factorial(a[0]);
    }
    if (f == "binom") {
        return binom(a[0], a[1]);
    }
    if (f == "floor" || f == "ceil") {
        if (!a[0].real()) {
            return std::nullopt;
        }
        const double r = f == "floor" ? std::floor(x.real()) : std::ceil(x.real());
        return std::fabs(r) < 9e15 ? exact({static_cast<int64_t>(r), 1}) : inexact(r);
    }
    static const std::map<std::string, C (*)(const C&)> kUnary = {
        {"sin", [](const C& v) { return std::sin(v); }},
        {"cos", [](const C& v) { return std::cos(v); }},
        {"tan", [](const C& v) { return std::tan(v); }},
        {"cot", [](const C& v) { return 1.0 / std::tan(v); }},
        {"sec", [](const C& v) { return 1.0 / std::cos(v); }},
        {"csc", [](const C& v) { return 1.0 / std::sin(v); }},
        {"arcsin", [](const C& v) { return std::asin(v); }},
        {"arccos", [](const C& v) { return std::acos(v); }},
        {"arctan", [](const C& v) { return std::atan(v); }},
        {"sinh", [](const C& v) { return std::sinh(v); }},
        {"cosh", [](const C& v) { return std::cosh(v); }},
        {"tanh", [](const C& v) { return std::tanh(v); }}};
    const auto it = kUnary.find(f);
    if (it == kUnary.end() || a.size() != 1) {
        return std::nullopt;  // an undefined function f(x) has no value
    }
    return inexact(it->second(x));
}

}  // namespace

Node number_node(const std::string& digits, const std::string& fraction) {
    Node n;
    n.kind = Kind::number;
    n.is_float = !fraction.empty();
    std::string all = digits + fraction;
    all.erase(0, std::min(all.find_first_not_of('0'), all.size()));
    if (all.size() <= 18 && fraction.size() <= 18) {
        int64_t q = 1;
        for (size_t k = 0; k < fraction.size(); ++k) {
            q *= 10;
        }
        n.rational = *make_rational(all.empty() ? 0 : std::stoll(all), q);
    } else {
        n.exact = false;
        n.value =
            std::stod((digits.empty() ? "0" : digits) + "." + (fraction.empty() ? "0" : fraction));
    }
    return n;
}

std::optional<Value> evaluate(const Tree& t, int32_t i, const Point& point, Budget& budget) {
    budget.tick();
    const Node& n = t.at(i);
    switch (n.kind) {
        case Kind::number:
            return n.exact ? exact(n.rational) : inexact(n.value);
        case Kind::symbol: {
            const auto it = point.find(n.name);
            return it == point.end() ? std::nullopt : std::optional(inexact(it->second));
        }
        case Kind::pi:
            return inexact(std::numbers::pi);
        case Kind::euler:
            return inexact(std::numbers::e);
        case Kind::imag:
            return inexact({0.0, 1.0});
        case Kind::add:
        case Kind::mul: {
            const bool sum = n.kind == Kind::add;
            Value acc = exact({sum ? 0 : 1, 1});
            for (int32_t k : n.kids) {
                const auto v = evaluate(t, k, point, budget);
                if (!v) {
                    return std::nullopt;
                }
                std::optional<Rational> r;
                if (acc.exact && v->exact) {
                    r = sum ? add_exact(*acc.exact, *v->exact) : mul_exact(*acc.exact, *v->exact);
                }
                acc = r ? exact(*r) : inexact(sum ? acc.z + v->z : acc.z * v->z);
            }
            return acc;
        }
        case Kind::pow: {
            const auto b = evaluate(t, n.kids[0], point, budget);
            const auto e = evaluate(t, n.kids[1], point, budget);
            if (!b || !e) {
                return std::nullopt;
            }
            auto v = power(*b, *e);
            return v && finite(*v) ? v : std::nullopt;
        }
        case Kind::percent: {
            const auto v = evaluate(t, n.kids[0], point, budget);
            if (!v) {
                return std::nullopt;
            }
            auto r = v->exact ? mul_exact(*v->exact, {1, 100}) : std::nullopt;
            return r ? exact(*r) : inexact(v->z / 100.0);
        }
        case Kind::func: {
            std::vector<Value> args;
            for (int32_t k : n.kids) {
                auto v = evaluate(t, k, point, budget);
                if (!v) {
                    return std::nullopt;
                }
                args.push_back(*v);
            }
            auto v = apply_function(n.name, args);
            return v && finite(*v) ? v : std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

std::optional<double> real_value(const Tree& t, int32_t i, Budget& budget) {
    if (t.at(i).kind == Kind::infinity) {
        return HUGE_VAL;
    }
    const Node& n = t.at(i);
    if (n.kind == Kind::mul && n.kids.size() == 2 && t.at(n.kids[1]).kind == Kind::infinity) {
        const auto sign = real_value(t, n.kids[0], budget);  // -\infty parses as (-1) * \infty
        return sign ? std::optional(*sign * HUGE_VAL) : std::nullopt;
    }
    const auto v = evaluate(t, i, {}, budget);
    if (!v || !v->real()) {
        return std::nullopt;
    }
    return v->z.real();
}

void free_symbols(const Tree& t, int32_t i, std::map<std::string, int>& out) {
    const Node& n = t.at(i);
    if (n.kind == Kind::symbol) {
        ++out[n.name];
    }
    for (int32_t k : n.kids) {
        free_symbols(t, k, out);
    }
}

}  // namespace r1::rewards::math
