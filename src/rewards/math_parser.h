// Private to the math verifier: the recursive-descent reader behind parse_latex() and
// parse_plain(). math_parse.cpp reads an answer's structure (lists, relations, sets, sums,
// products, powers); math_parse_atoms.cpp its atoms (numbers, brackets, letters, commands,
// \text, functions, matrices). Every nested rule takes a Depth, every node counts against the
// budget, so no answer can recurse or grow past Limits.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rewards/math_ast.h"
#include "rewards/math_chars.h"
#include "rewards/math_parse.h"

namespace r1::rewards::math {

template <size_t N>
bool one_of(std::string_view word, const std::array<const char*, N>& words) {
    return std::any_of(words.begin(), words.end(), [&](const char* w) { return word == w; });
}

struct Unreadable {};  // not an expression: the parse fails as a whole

class Parser {
  public:
    Parser(std::string_view s, Budget& budget, bool plain)
        : s_(s), budget_(budget), plain_(plain), complex_(!plain && reads_complex(s)) {}

    std::optional<Tree> run() {
        if (s_.size() > budget_.limits().max_chars) {
            return std::nullopt;
        }
        try {
            int32_t root = list_until("");
            skip();
            if (i_ != s_.size()) {
                return std::nullopt;
            }
            tree_.root = root;
            return std::move(tree_);
        } catch (const Unreadable&) {
            return std::nullopt;
        }
    }

  private:
    // -- nodes and input --------------------------------------------------------------------------
    int32_t add(Node n) {
        budget_.tick();
        if (static_cast<int>(tree_.nodes.size()) >= budget_.limits().max_nodes) {
            throw Unreadable{};
        }
        tree_.nodes.push_back(std::move(n));
        return static_cast<int32_t>(tree_.nodes.size() - 1);
    }

    int32_t node(Kind kind, std::vector<int32_t> kids = {}, std::string name = {}) {
        Node n;
        n.kind = kind;
        n.kids = std::move(kids);
        n.name = std::move(name);
        return add(std::move(n));
    }

    int32_t integer(int64_t v) {
        Node n;
        n.rational = {v, 1};
        return add(std::move(n));
    }

    int32_t negate(int32_t x) { return node(Kind::mul, {integer(-1), x}); }

    int32_t inverse(int32_t x) { return node(Kind::pow, {x, integer(-1)}); }

    // Guards every nested rule, so that 50,000 braces fail fast instead of exhausting the stack.
    struct Depth {
        explicit Depth(Parser& p) : p_(p) {
            if (++p_.depth_ > p_.budget_.limits().max_depth) {
                throw Unreadable{};
            }
        }

        ~Depth() { --p_.depth_; }

        Parser& p_;
    };

    // Spaces, and LaTeX's spacing commands (\, \; \: \quad), which latex2sympy also skips.
    void skip() {
        while (i_ < s_.size()) {
            if (is_space(s_[i_])) {
                ++i_;
                continue;
            }
            const std::string_view rest = s_.substr(i_);
            if (rest.starts_with("\\,") || rest.starts_with("\\;") || rest.starts_with("\\:")) {
                i_ += 2;
            } else if (rest.starts_with("\\qquad")) {
                i_ += 6;
            } else if (rest.starts_with("\\quad")) {
                i_ += 5;
            } else {
                return;
            }
        }
    }

    bool at_end() {
        skip();
        return i_ >= s_.size();
    }

    char peek() {
        skip();
        return i_ < s_.size() ? s_[i_] : '\0';
    }

    bool lookahead(std::string_view token) {
        skip();
        return s_.substr(i_).starts_with(token);
    }

    bool eat(std::string_view token) {
        if (!lookahead(token)) {
            return false;
        }
        i_ += token.size();
        return true;
    }

    void expect(std::string_view token) {
        if (!eat(token)) {
            throw Unreadable{};
        }
    }

    // The name of the command at the cursor (\frac -> "frac", \{ -> "{"), without consuming it.
    std::string_view command() {
        skip();
        if (i_ + 1 >= s_.size() || s_[i_] != '\\') {
            return {};
        }
        size_t j = i_ + 1;
        if (!is_letter(s_[j])) {
            return s_.substr(j, 1);
        }
        while (j < s_.size() && is_letter(s_[j])) {
            ++j;
        }
        return s_.substr(i_ + 1, j - i_ - 1);
    }

    bool eat_command(std::string_view name) {
        if (command() != name) {
            return false;
        }
        i_ += 1 + name.size();
        return true;
    }

    // -- lists, relations, sets -------------------------------------------------------------------
    bool at_closer(std::string_view closers);

    // Items separated by , or ; up to one of `closers` (not consumed); a set when several.
    std::vector<int32_t> items_until(std::string_view closers);

    int32_t list_until(std::string_view closers);

    std::optional<std::string> relation_op();

    // a op b op c: one relation, or their conjunction; "x \approx 11" is 11.
    int32_t relation();

    // Sets joined by \cup, and one set minus another (\mathbb{R} \setminus [a, b]).
    int32_t set_expr();

    // -- arithmetic -------------------------------------------------------------------------------
    // a + b - c; "a \pm b" is the set {a - b, a + b}, as latex2sympy reads it.
    int32_t sum();

    int32_t signed_product();

    bool starts_factor();

    // Factors joined by \cdot, \times, *, /, \div or nothing (implicit product).
    int32_t product();

    bool integer_literal(int32_t k) const;

    // \frac{3}{4} with integer literals: mul(3, pow(4, -1)), recorded in `fractions_`.
    bool integer_fraction(int32_t k) const { return fractions_.count(k) > 0; }

    int32_t unary();

    // atom, then ^{...}, !, \%, ' in any order.
    int32_t postfix();

    // A superscript or a command's single argument: {group}, or one token.
    int32_t script();

    // -- atoms ------------------------------------------------------------------------------------
    int32_t atom();

    // Digits with an optional decimal part; 1,234,567 is one number (latex2sympy), 1,23 is two.
    int32_t number();

    // (a) a group; (a, b) an open interval when a < b, else a tuple; [a, b) an interval.
    int32_t bracket();

    // A letter: e, i, a function f(x), or a symbol with its subscript and primes.
    int32_t letter();

    int32_t symbol_with_subscript(std::string name);

    // {argument}: a braced group, required.
    int32_t braced();

    int32_t command_atom();

    // \text{Monday}: a word is the symbol "monday"; a number is the number.
    int32_t text();

    // \sin x, \sin^2(x), \log_2 8, \ln(e^3): an optional power, then the argument.
    int32_t function(const std::string& name);

    // \begin{pmatrix} a & b \\ c & d \end{pmatrix}
    int32_t matrix();

    std::string_view s_;
    size_t i_ = 0;
    int depth_ = 0;
    Budget& budget_;
    bool plain_;
    bool complex_;
    Tree tree_;
    std::set<int32_t> fractions_;  // nodes written \frac{int}{int}
};

}  // namespace r1::rewards::math
