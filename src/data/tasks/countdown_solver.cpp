// solve_countdown(): exhaustive search by combining two items of the pool at a time, which covers
// every order and parenthesisation. Values are exact rationals; expressions are rebuilt only for
// the solution, from a node table that backtracking truncates.
#include "r1/data/tasks/countdown.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <numeric>

namespace r1::data::tasks {
namespace {

__extension__ using Int128 = __int128;  // numbers <= 10^3, 6 of them: products fit with room

struct Rational {
    Int128 num = 0;
    Int128 den = 1;  // > 0, gcd(num, den) = 1
};

Int128 gcd(Int128 a, Int128 b) {
    a = a < 0 ? -a : a;
    while (b != 0) {
        const Int128 t = a % b;
        a = b;
        b = t < 0 ? -t : t;
    }
    return a;
}

Rational make(Int128 num, Int128 den) {
    if (den < 0) {
        num = -num;
        den = -den;
    }
    const Int128 g = gcd(num, den);
    return g > 1 ? Rational{num / g, den / g} : Rational{num, den};
}

struct Node {
    char op = 0;  // 0 for a leaf
    int64_t leaf = 0;
    int left = -1;
    int right = -1;
};

int precedence(const std::vector<Node>& nodes, int i) {
    const char op = nodes[static_cast<size_t>(i)].op;
    return op == 0 ? 3 : (op == '*' || op == '/') ? 2 : 1;
}

std::string render(const std::vector<Node>& nodes, int i) {
    const Node& n = nodes[static_cast<size_t>(i)];
    if (n.op == 0) {
        return std::to_string(n.leaf);
    }
    const int p = n.op == '*' || n.op == '/' ? 2 : 1;
    const bool wrap_left = precedence(nodes, n.left) < p;
    const bool wrap_right = precedence(nodes, n.right) < p ||
                            (precedence(nodes, n.right) == p && (n.op == '-' || n.op == '/'));
    const auto side = [&](int c, bool wrap) {
        return wrap ? "(" + render(nodes, c) + ")" : render(nodes, c);
    };
    return side(n.left, wrap_left) + " " + n.op + " " + side(n.right, wrap_right);
}

struct Item {
    Rational value;
    int node;
};

class Search {
  public:
    explicit Search(Rational target) : target_(target) {}

    std::optional<int> run(std::vector<Item>& pool) {
        if (pool.size() == 1) {
            const Rational& v = pool[0].value;
            return v.num == target_.num && v.den == target_.den ? std::optional(pool[0].node)
                                                                : std::nullopt;
        }
        for (size_t i = 0; i < pool.size(); ++i) {
            for (size_t j = i + 1; j < pool.size(); ++j) {
                if (auto found = try_pair(pool, i, j)) {
                    return found;
                }
            }
        }
        return std::nullopt;
    }

    std::vector<Node> nodes;

  private:
    std::optional<int> try_pair(std::vector<Item>& pool, size_t i, size_t j) {
        const Item a = pool[i];
        const Item b = pool[j];
        const Rational& x = a.value;
        const Rational& y = b.value;

        struct Move {
            char op;
            const Item* l;
            const Item* r;
        };

        const Move moves[] = {{'+', &a, &b}, {'*', &a, &b}, {'-', &a, &b},
                              {'-', &b, &a}, {'/', &a, &b}, {'/', &b, &a}};
        std::vector<Item> rest;
        for (size_t k = 0; k < pool.size(); ++k) {
            if (k != i && k != j) {
                rest.push_back(pool[k]);
            }
        }
        for (const Move& m : moves) {
            const Rational& l = m.l->value;
            const Rational& r = m.r->value;
            if (m.op == '/' && r.num == 0) {
                continue;  // the one thing division may not do
            }
            Rational v;
            switch (m.op) {
                case '+':
                    v = make(x.num * y.den + y.num * x.den, x.den * y.den);
                    break;
                case '*':
                    v = make(x.num * y.num, x.den * y.den);
                    break;
                case '-':
                    v = make(l.num * r.den - r.num * l.den, l.den * r.den);
                    break;
                default:
                    v = make(l.num * r.den, l.den * r.num);
                    break;
            }
            const size_t mark = nodes.size();
            nodes.push_back({m.op, 0, m.l->node, m.r->node});
            rest.push_back({v, static_cast<int>(mark)});
            if (auto found = run(rest)) {
                return found;
            }
            rest.pop_back();
            nodes.resize(mark);
        }
        return std::nullopt;
    }

    Rational target_;
};

}  // namespace

std::optional<std::string> solve_countdown(const std::vector<int64_t>& numbers, int64_t target) {
    if (numbers.empty() || numbers.size() > 6) {
        throw util::UnsupportedError(
            util::str("solve_countdown: ", numbers.size(), " numbers; 1 to 6 are supported"));
    }
    for (const int64_t n : numbers) {
        if (n < -1000 || n > 1000) {
            throw util::UnsupportedError(
                util::str("solve_countdown: ", n, " is outside [-1000, 1000]"));
        }
    }
    Search search(Rational{target, 1});
    std::vector<Item> pool;
    for (const int64_t n : numbers) {
        pool.push_back({Rational{n, 1}, static_cast<int>(search.nodes.size())});
        search.nodes.push_back({0, n, -1, -1});
    }
    const auto root = search.run(pool);
    return root ? std::optional(render(search.nodes, *root)) : std::nullopt;
}

}  // namespace r1::data::tasks
