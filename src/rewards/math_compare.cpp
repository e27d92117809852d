#include "rewards/math_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "rewards/math_sets.h"
#include "rewards/math_value.h"

namespace r1::rewards::math {
namespace {

// A node of one of the two trees.
struct Ref {
    const Tree* t = nullptr;
    int32_t i = -1;

    const Node& n() const { return t->at(i); }

    Kind kind() const { return n().kind; }

    Ref kid(size_t k) const { return {t, n().kids[k]}; }

    size_t size() const { return n().kids.size(); }
};

class Comparer {
  public:
    Comparer(int rounding, Budget& budget) : rounding_(rounding), budget_(budget) {}

    bool equal(Ref g, Ref p);

  private:
    // -- reading ----------------------------------------------------------------------------------

    static bool is_relation(Ref r) {
        if (r.kind() == Kind::relation) {
            return true;
        }
        if (r.kind() != Kind::conj) {
            return false;
        }
        for (size_t k = 0; k < r.size(); ++k) {
            if (r.kid(k).kind() != Kind::relation) {
                return false;
            }
        }
        return true;
    }

    static bool is_equation(Ref r) {
        if (r.kind() == Kind::relation) {
            return r.n().name == "=";
        }
        if (r.kind() != Kind::conj) {
            return false;
        }
        for (size_t k = 0; k < r.size(); ++k) {
            if (r.kid(k).kind() != Kind::relation || r.kid(k).n().name != "=") {
                return false;
            }
        }
        return true;
    }

    static bool only_symbols(Ref r) {
        if (r.kind() == Kind::symbol) {
            return true;
        }
        if (r.kind() != Kind::mul && r.kind() != Kind::add) {
            return false;
        }
        for (size_t k = 0; k < r.size(); ++k) {
            if (!only_symbols(r.kid(k))) {
                return false;
            }
        }
        return true;
    }

    static Ref first_relation(Ref r) { return r.kind() == Kind::conj ? r.kid(0) : r; }

    static Ref last_relation(Ref r) { return r.kind() == Kind::conj ? r.kid(r.size() - 1) : r; }

    static bool is_assignment(Ref r) {
        return is_equation(r) && only_symbols(first_relation(r).kid(0));
    }

    static bool set_like(Ref r) {
        const Kind k = r.kind();
        return k == Kind::set || k == Kind::interval || k == Kind::union_of ||
               k == Kind::empty_set || k == Kind::set_minus;
    }

    // -- numbers ----------------------------------------------------------------------------------

    // A sympy Number: a literal, a negated literal, or \frac of two integers.
    struct Atom {
        bool is_float = false;
        bool integer = false;
        bool percent = false;
    };

    static std::optional<Atom> atom(Ref r) {
        Atom a;
        if (r.kind() == Kind::percent) {
            a.percent = true;
            r = r.kid(0);
        }
        if (r.kind() == Kind::mul && r.size() == 2 && r.kid(0).kind() == Kind::number &&
            r.kid(0).n().rational == Rational{-1, 1} && r.kid(1).kind() == Kind::number) {
            r = r.kid(1);
        }
        if (r.kind() == Kind::number) {
            a.is_float = r.n().is_float;
            a.integer = !r.n().is_float && r.n().exact && r.n().rational.q == 1;
            return a;
        }
        return std::nullopt;
    }

    std::optional<Value> value(Ref r, const Point& point = {}) {
        return evaluate(*r.t, r.i, point, budget_);
    }

    bool close(const Value& a, const Value& b, double tol) {
        if (a.exact && b.exact) {
            return *a.exact == *b.exact;
        }
        const double scale = std::max({1.0, std::abs(a.z), std::abs(b.z)});
        return std::abs(a.z - b.z) <= tol * scale;
    }

    bool rounded_equal(const Value& a, const Value& b) {
        if (!a.real() || !b.real()) {
            return false;
        }
        const long double scale = std::pow(10.0L, rounding_);
        const long double x = std::round(static_cast<long double>(a.z.real()) * scale);
        const long double y = std::round(static_cast<long double>(b.z.real()) * scale);
        return x == y;
    }

    bool numeric_equal(Ref g, Ref p) {
        if (g.kind() == Kind::matrix && p.kind() == Kind::matrix) {
            if (g.n().rows != p.n().rows || g.n().cols != p.n().cols) {
                return false;
            }
            for (size_t k = 0; k < g.size(); ++k) {
                if (!equal(g.kid(k), p.kid(k))) {
                    return false;
                }
            }
            return true;
        }
        const auto ga = atom(g), pa = atom(p);
        if (ga || pa) {
            if ((ga && ga->is_float) || (pa && pa->is_float)) {
                const auto a = value(g), b = value(p);
                if (a && b && rounded_equal(*a, *b)) {
                    return true;
                }
            } else if (ga && pa && ga->integer && pa->integer) {  // 28\% is 28
                const auto a = value(ga->percent ? g.kid(0) : g);
                const auto b = value(pa->percent ? p.kid(0) : p);
                if (a && b && close(*a, *b, 0.0)) {
                    return true;
                }
            }
            const auto a = value(g), b = value(p);
            if (a && b && close(*a, *b, 1e-12)) {
                return true;
            }
        }
        return identical_functions(g, p);  // sympy's simplify(a - b) == 0
    }

    // Where identities are checked: five fixed points, each variable offset from the others so
    // that no two share a value; a single empty point when there are no variables.
    static std::vector<Point> sample_points(const std::map<std::string, int>& names) {
        if (names.empty()) {
            return {Point{}};
        }
        constexpr double kPoints[5] = {0.5377, 1.8339, -2.2588, 0.8622, 0.3188};
        std::vector<Point> out(5);
        for (int k = 0; k < 5; ++k) {
            int j = 0;
            for (const auto& [name, count] : names) {
                out[k][name] = kPoints[(k + j) % 5] + 0.1 * (j + 1);
                ++j;
            }
        }
        return out;
    }

    // The two expressions agree at every point of a fixed set (or are equal constants).
    bool identical_functions(Ref g, Ref p) {
        std::map<std::string, int> names;
        free_symbols(*g.t, g.i, names);
        free_symbols(*p.t, p.i, names);
        if (names.empty()) {
            const auto a = value(g), b = value(p);
            return a && b && close(*a, *b, 1e-12);
        }
        int checked = 0;
        for (const Point& point : sample_points(names)) {
            const auto a = value(g, point), b = value(p, point);
            if (a.has_value() != b.has_value()) {
                return false;
            }
            if (a) {
                if (!close(*a, *b, 1e-9)) {
                    return false;
                }
                ++checked;
            }
        }
        return checked >= 2;
    }

    // -- structure --------------------------------------------------------------------------------

    static bool same_tree(Ref a, Ref b) {
        const Node &x = a.n(), &y = b.n();
        if (x.kind != y.kind || x.name != y.name || x.kids.size() != y.kids.size() ||
            x.left_open != y.left_open || x.right_open != y.right_open || x.rows != y.rows) {
            return false;
        }
        if (x.kind == Kind::number && (x.exact != y.exact || x.rational != y.rational ||
                                       x.value != y.value || x.is_float != y.is_float)) {
            return false;
        }
        for (size_t k = 0; k < x.kids.size(); ++k) {
            if (!same_tree(a.kid(k), b.kid(k))) {
                return false;
            }
        }
        return true;
    }

    // -- relations --------------------------------------------------------------------------------

    // lhs_a - rhs_a == sign * (lhs_b - rhs_b) as functions.
    bool differences_equal(Ref a, Ref b, bool flip) {
        std::map<std::string, int> names;
        free_symbols(*a.t, a.i, names);
        free_symbols(*b.t, b.i, names);
        int checked = 0;
        for (const Point& point : sample_points(names)) {
            const auto al = value(a.kid(0), point), ar = value(a.kid(1), point);
            const auto bl = value(b.kid(0), point), br = value(b.kid(1), point);
            if (!al || !ar || !bl || !br) {
                return false;
            }
            const Value x{std::nullopt, al->z - ar->z};
            const Value y{std::nullopt, flip ? br->z - bl->z : bl->z - br->z};
            if (!close(x, y, 1e-9)) {
                return false;
            }
            ++checked;
        }
        return checked > 0;
    }

    bool relations_equal(Ref g, Ref p) {
        if (g.kind() == Kind::conj && p.kind() == Kind::conj) {
            if (g.size() != p.size()) {
                return false;
            }
            for (size_t k = 0; k < g.size(); ++k) {
                if (!relations_equal(g.kid(k), p.kid(k))) {
                    return false;
                }
            }
            return true;
        }
        if (g.kind() != Kind::relation || p.kind() != Kind::relation) {
            return false;
        }
        const std::string &a = g.n().name, &b = p.n().name;
        if (a == b && differences_equal(g, p, false)) {
            return true;
        }
        if (a == "!=") {
            return false;  // Math-Verify has no inverse for != and stops here
        }
        if (flipped(a) == b && differences_equal(g, p, true)) {
            return true;
        }
        if (a == "=" && b == "=") {
            const auto x = linear_in_one_variable(*g.t, g.i, budget_);
            const auto y = linear_in_one_variable(*p.t, p.i, budget_);
            return x && y && x->x == y->x &&
                   close(Value{std::nullopt, x->root}, Value{std::nullopt, y->root}, 1e-12);
        }
        return false;
    }

    // -- sets -------------------------------------------------------------------------------------

    // A key that puts equal elements of two sets in the same place: numbers by value, then
    // other shapes by kind and their parts' values (sympy sorts a set's elements by such a key).
    std::pair<int, std::string> sort_key(Ref r) {
        if (is_assignment(r)) {
            r = last_relation(r).kid(1);
        }
        if (const auto v = real_value(*r.t, r.i, budget_)) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%+.9e", *v);
            return {0, std::string(buf)};
        }
        std::string parts = r.n().name;
        for (size_t k = 0; k < r.size(); ++k) {
            parts += "|" + std::to_string(sort_key(r.kid(k)).first) + sort_key(r.kid(k)).second;
        }
        return {1 + static_cast<int>(r.kind()), parts};
    }

    std::vector<Ref> sorted_items(Ref r) {
        std::vector<std::pair<std::pair<int, std::string>, Ref>> keyed;
        for (size_t k = 0; k < r.size(); ++k) {
            keyed.emplace_back(sort_key(r.kid(k)), r.kid(k));
        }
        std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
            if (a.first.first != b.first.first) {
                return a.first.first < b.first.first;
            }
            if (a.first.first == 0) {  // numbers: by value, not by text
                return std::stod(a.first.second) < std::stod(b.first.second);
            }
            return a.first.second < b.first.second;
        });
        std::vector<Ref> out;
        for (const auto& [key, item] : keyed) {
            out.push_back(item);
        }
        return out;
    }

    std::vector<Ref> items(Ref r) {
        std::vector<Ref> out;
        for (size_t k = 0; k < r.size(); ++k) {
            out.push_back(r.kid(k));
        }
        return out;
    }

    bool elementwise(const std::vector<Ref>& g, const std::vector<Ref>& p) {
        if (g.size() != p.size()) {
            return false;
        }
        for (size_t k = 0; k < g.size(); ++k) {
            if (!equal(g[k], p[k])) {
                return false;
            }
        }
        return true;
    }

    // sympy_compare_sets: a non-set is the singleton holding it.
    bool sets_equal(Ref g, Ref p) {
        const bool gs = set_like(g) || g.kind() == Kind::tuple;
        const bool ps = set_like(p) || p.kind() == Kind::tuple;
        if (g.kind() == Kind::interval && p.kind() == Kind::interval) {
            return g.n().left_open == p.n().left_open && g.n().right_open == p.n().right_open &&
                   equal(g.kid(0), p.kid(0)) && equal(g.kid(1), p.kid(1));
        }
        if (gs && ps) {
            const auto a = real_set(*g.t, g.i, budget_), b = real_set(*p.t, p.i, budget_);
            if (a && b && same_set(*a, *b)) {
                return true;
            }
        }
        const bool g_list = !gs || g.kind() == Kind::set || g.kind() == Kind::tuple;
        const bool p_list = !ps || p.kind() == Kind::set || p.kind() == Kind::tuple;
        if (g_list && p_list) {  // a set gold sorts both sides; a tuple gold keeps both as written
            const bool sort = !gs || g.kind() == Kind::set;
            const auto listed = [&](Ref r, bool is_list) {
                return !is_list ? std::vector<Ref>{r} : sort ? sorted_items(r) : items(r);
            };
            return elementwise(listed(g, gs), listed(p, ps));
        }
        auto open_pair = [&](Ref interval, Ref list) {
            return interval.n().left_open && interval.n().right_open &&
                   (list.kind() == Kind::set || list.kind() == Kind::tuple) && list.size() == 2;
        };
        if (g.kind() == Kind::interval && open_pair(g, p)) {
            const std::vector<Ref> pi = p.kind() == Kind::set ? sorted_items(p) : items(p);
            return elementwise(items(g), pi);
        }
        if (p.kind() == Kind::interval && open_pair(p, g)) {
            const std::vector<Ref> gi = g.kind() == Kind::set ? sorted_items(g) : items(g);
            return elementwise(gi, items(p));
        }
        return false;
    }

    // -- symbols ----------------------------------------------------------------------------------

    static std::string lower(std::string s) {
        for (char& c : s) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return s;
    }

    // "ab" read as a * b against the symbol ab; letters joined.
    static std::optional<std::string> joined_letters(Ref r) {
        if (r.kind() != Kind::mul) {
            return std::nullopt;
        }
        std::string out;
        for (size_t k = 0; k < r.size(); ++k) {
            const Ref f = r.kid(k);
            if (f.kind() == Kind::symbol) {
                out += f.n().name;
            } else if (f.kind() == Kind::euler) {
                out += "e";
            } else {
                return std::nullopt;
            }
        }
        return out;
    }

    static bool symbols_equal(Ref g, Ref p) {
        if ((g.kind() == Kind::symbol && lower(g.n().name) == "e" && p.kind() == Kind::euler) ||
            (p.kind() == Kind::symbol && lower(p.n().name) == "e" && g.kind() == Kind::euler)) {
            return true;
        }
        if (g.kind() == Kind::symbol && p.kind() != Kind::symbol) {
            const auto joined = joined_letters(p);
            return joined ? lower(g.n().name) == lower(*joined) : same_tree(g, p);
        }
        if (p.kind() == Kind::symbol && g.kind() != Kind::symbol) {
            const auto joined = joined_letters(g);
            return joined ? lower(p.n().name) == lower(*joined) : same_tree(g, p);
        }
        std::string a = g.n().name, b = p.n().name;
        if (a.size() > 1) {
            a = lower(a);
        }
        if (b.size() > 1) {
            b = lower(b);
        }
        return a == b;
    }

    int rounding_;
    Budget& budget_;
};

bool Comparer::equal(Ref g, Ref p) {
    budget_.tick();
    const bool g_eq = is_equation(g), p_eq = is_equation(p);
    const bool g_assign = is_assignment(g);
    if (p_eq && !g_eq) {
        p = last_relation(p).kid(1);
    } else if (g_assign && !p_eq) {
        g = last_relation(g).kid(1);
    }
    if (is_relation(g) && set_like(p)) {
        const auto a = solution_set(*g.t, g.i, budget_), b = real_set(*p.t, p.i, budget_);
        if (a && b) {
            return same_set(*a, *b);
        }
    }
    if (same_tree(g, p)) {
        return true;
    }
    if (is_relation(g) && is_relation(p)) {
        return relations_equal(g, p);
    }
    if (set_like(g) || set_like(p) || g.kind() == Kind::tuple || p.kind() == Kind::tuple) {
        return sets_equal(g, p);
    }
    if (is_relation(g) || is_relation(p)) {
        return false;
    }
    if (g.kind() == Kind::symbol || p.kind() == Kind::symbol) {
        return symbols_equal(g, p);
    }
    return numeric_equal(g, p);
}

}  // namespace

bool answers_match(const Tree& gold, const Tree& pred, int float_rounding, Budget& budget) {
    Comparer c(float_rounding, budget);
    return c.equal(Ref{&gold, gold.root}, Ref{&pred, pred.root});
}

}  // namespace r1::rewards::math
