#include "rewards/math_sets.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "rewards/math_value.h"

namespace r1::rewards::math {
namespace {

bool nonempty(const Span& p) {
    return p.lo < p.hi || (p.lo == p.hi && !p.lo_open && !p.hi_open);
}

// a \ b, piece by piece: each piece of b cuts every piece of a in up to two.
RealSet minus(RealSet a, const RealSet& b) {
    for (const Span& cut : b) {
        RealSet next;
        for (const Span& p : a) {
            const Span left{p.lo, std::min(p.hi, cut.lo), p.lo_open,
                            cut.lo < p.hi ? !cut.lo_open : p.hi_open};
            const Span right{std::max(p.lo, cut.hi), p.hi, cut.hi > p.lo ? !cut.hi_open : p.lo_open,
                             p.hi_open};
            if (cut.hi < p.lo || cut.lo > p.hi) {
                next.push_back(p);
                continue;
            }
            if (nonempty(left) && left.hi <= cut.lo) {
                next.push_back(left);
            }
            if (nonempty(right) && right.lo >= cut.hi) {
                next.push_back(right);
            }
        }
        a = std::move(next);
    }
    return a;
}

bool bound_equal(double a, double b) {
    if (std::isinf(a) || std::isinf(b)) {
        return a == b;
    }
    return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(a));
}

}  // namespace

std::string flipped(const std::string& op) {
    return op == "<" ? ">" : op == ">" ? "<" : op == "<=" ? ">=" : op == ">=" ? "<=" : op;
}

std::optional<Linear> linear_in_one_variable(const Tree& t, int32_t relation, Budget& budget) {
    std::map<std::string, int> names;
    free_symbols(t, relation, names);
    if (names.size() != 1) {
        return std::nullopt;
    }
    const std::string x = names.begin()->first;
    const Node& n = t.at(relation);
    auto f = [&](double v) -> std::optional<double> {
        const auto l = evaluate(t, n.kids[0], {{x, v}}, budget);
        const auto r = evaluate(t, n.kids[1], {{x, v}}, budget);
        if (!l || !r || !l->real() || !r->real()) {
            return std::nullopt;
        }
        return l->z.real() - r->z.real();
    };
    const auto f0 = f(0.0), f1 = f(1.0), f2 = f(2.0);
    if (!f0 || !f1 || !f2) {
        return std::nullopt;
    }
    const double slope = *f1 - *f0;
    if (std::fabs(slope) < 1e-12 ||
        std::fabs(*f2 - *f0 - 2 * slope) > 1e-9 * std::max(1.0, std::fabs(slope))) {
        return std::nullopt;
    }
    return Linear{x, slope, -*f0 / slope};
}

std::optional<RealSet> real_set(const Tree& t, int32_t i, Budget& budget) {
    const Node& n = t.at(i);
    RealSet out;
    switch (n.kind) {
        case Kind::empty_set:
            return out;
        case Kind::interval: {
            const auto lo = real_value(t, n.kids[0], budget);
            const auto hi = real_value(t, n.kids[1], budget);
            if (!lo || !hi) {
                return std::nullopt;
            }
            out.push_back({*lo, *hi, n.left_open, n.right_open});
            return out;
        }
        case Kind::set:
            for (const int32_t kid : n.kids) {
                const auto v = real_value(t, kid, budget);
                if (!v) {
                    return std::nullopt;
                }
                out.push_back({*v, *v, false, false});
            }
            return out;
        case Kind::set_minus: {
            const auto a = real_set(t, n.kids[0], budget), b = real_set(t, n.kids[1], budget);
            if (!a || !b) {
                return std::nullopt;
            }
            return minus(*a, *b);
        }
        case Kind::union_of:
            for (const int32_t kid : n.kids) {
                auto part = real_set(t, kid, budget);
                if (!part) {
                    return std::nullopt;
                }
                out.insert(out.end(), part->begin(), part->end());
            }
            return out;
        default:
            return std::nullopt;
    }
}

// The solution set of a relation in one variable, linear in it ("x < 3", "-x > -1",
// "-793 < a < 10", "x != 3"); nullopt when it is not one.
std::optional<RealSet> solution_set(const Tree& t, int32_t i, Budget& budget) {
    const Node& n = t.at(i);
    if (n.kind == Kind::conj) {
        std::optional<RealSet> acc;
        for (const int32_t kid : n.kids) {
            auto part = solution_set(t, kid, budget);
            if (!part || part->size() != 1) {
                return std::nullopt;
            }
            if (!acc) {
                acc = part;
                continue;
            }
            Span& a = (*acc)[0];
            const Span& b = (*part)[0];
            if (b.lo > a.lo || (b.lo == a.lo && b.lo_open)) {
                a.lo = b.lo;
                a.lo_open = b.lo_open;
            }
            if (b.hi < a.hi || (b.hi == a.hi && b.hi_open)) {
                a.hi = b.hi;
                a.hi_open = b.hi_open;
            }
        }
        return acc;
    }
    if (n.kind != Kind::relation) {
        return std::nullopt;
    }
    const auto lin = linear_in_one_variable(t, i, budget);
    if (!lin) {
        return std::nullopt;
    }
    const double slope = lin->slope, root = lin->root;
    std::string op = n.name;
    if (slope < 0) {
        op = flipped(op);  // a x + b op 0 with a < 0: x flips side
    }
    if (op == "=") {
        return RealSet{{root, root, false, false}};
    }
    if (op == "!=") {
        return RealSet{{-HUGE_VAL, root, true, true}, {root, HUGE_VAL, true, true}};
    }
    const bool below = op == "<" || op == "<=";
    const bool open = op == "<" || op == ">";
    if (below) {
        return RealSet{{-HUGE_VAL, root, true, open}};
    }
    return RealSet{{root, HUGE_VAL, open, true}};
}

bool same_set(RealSet a, RealSet b) {
    auto order = [](const Span& x, const Span& y) { return x.lo < y.lo; };
    std::sort(a.begin(), a.end(), order);
    std::sort(b.begin(), b.end(), order);
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t k = 0; k < a.size(); ++k) {
        if (!bound_equal(a[k].lo, b[k].lo) || !bound_equal(a[k].hi, b[k].hi) ||
            a[k].lo_open != b[k].lo_open || a[k].hi_open != b[k].hi_open) {
            return false;
        }
    }
    return true;
}

}  // namespace r1::rewards::math
