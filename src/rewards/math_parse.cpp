#include "rewards/math_parse.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "rewards/math_chars.h"
#include "rewards/math_value.h"

namespace r1::rewards::math {
namespace {

constexpr std::array kGreek = {
    "alpha",    "beta",    "gamma", "delta",  "epsilon", "varepsilon", "zeta",  "eta",   "theta",
    "vartheta", "iota",    "kappa", "lambda", "mu",      "nu",         "xi",    "rho",   "sigma",
    "tau",      "upsilon", "phi",   "varphi", "chi",     "psi",        "omega", "Gamma", "Delta",
    "Theta",    "Lambda",  "Xi",    "Sigma",  "Phi",     "Psi",        "Omega"};

constexpr std::array kFunctions = {"sin",    "cos",    "tan",    "cot",  "sec",  "csc",
                                   "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                                   "exp",    "ln",     "log",    "lg"};

// Commands that end an expression or separate its parts: never the start of an implicit product.
constexpr std::array kStoppers = {
    "cdot", "times", "div",   "le",  "leq",    "leqslant", "ge",  "geq",      "geqslant",
    "lt",   "gt",    "ne",    "neq", "approx", "cup",      "cap", "setminus", "in",
    "pm",   "mp",    "right", "end", "rfloor", "rceil",    "}",   "quad",     "qquad"};

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
    // -- nodes and input
    // ---------------------------------------------------------------------------

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

    // -- lists, relations, sets
    // --------------------------------------------------------------------

    bool at_closer(std::string_view closers) {
        const char c = peek();
        if (c == '\0') {
            return true;
        }
        if (command() == "}" || command() == "end" || lookahead("\\\\") ||
            (c == '&' && closers.find('&') != std::string_view::npos)) {
            return true;
        }
        return closers.find(c) != std::string_view::npos;
    }

    // Items separated by , or ; up to one of `closers` (not consumed); a set when several.
    std::vector<int32_t> items_until(std::string_view closers) {
        Depth d(*this);
        std::vector<int32_t> items;
        if (at_closer(closers)) {
            return items;
        }
        items.push_back(relation());
        while (eat(",") || eat(";")) {
            items.push_back(relation());
        }
        return items;
    }

    int32_t list_until(std::string_view closers) {
        auto items = items_until(closers);
        if (items.empty()) {
            throw Unreadable{};
        }
        return items.size() == 1 ? items[0] : node(Kind::set, std::move(items));
    }

    std::optional<std::string> relation_op() {
        skip();
        for (auto [token, op] : {std::pair{"<=", "<="},
                                 {">=", ">="},
                                 {"!=", "!="},
                                 {"=", "="},
                                 {"<", "<"},
                                 {">", ">"}}) {
            if (eat(token)) {
                return op;
            }
        }
        const std::string_view c = command();
        static constexpr std::array<std::pair<const char*, const char*>, 12> kOps = {
            {{"le", "<="},
             {"leq", "<="},
             {"leqslant", "<="},
             {"ge", ">="},
             {"geq", ">="},
             {"geqslant", ">="},
             {"lt", "<"},
             {"gt", ">"},
             {"ne", "!="},
             {"neq", "!="},
             {"in", "="},
             {"approx", "~"}}};
        for (auto [name, op] : kOps) {
            if (c == name) {
                eat_command(name);
                return op;
            }
        }
        return std::nullopt;
    }

    // a op b op c: one relation, or their conjunction; "x \approx 11" is 11.
    int32_t relation() {
        Depth d(*this);
        int32_t lhs = set_expr();
        std::vector<int32_t> chain;
        while (auto op = relation_op()) {
            const int32_t rhs = set_expr();
            if (*op == "~") {  // an approximation states its value
                chain.clear();
                lhs = rhs;
                continue;
            }
            chain.push_back(node(Kind::relation, {lhs, rhs}, *op));
            lhs = rhs;
        }
        if (chain.empty()) {
            return lhs;
        }
        return chain.size() == 1 ? chain[0] : node(Kind::conj, std::move(chain));
    }

    // Sets joined by \cup, and one set minus another (\mathbb{R} \setminus [a, b]).
    int32_t set_expr() {
        int32_t e = sum();
        if (eat_command("setminus")) {
            return node(Kind::set_minus, {e, sum()});
        }
        if (command() != "cup") {
            if (command() == "cap") {
                throw Unreadable{};
            }
            return e;
        }
        std::vector<int32_t> parts = {e};
        while (eat_command("cup")) {
            parts.push_back(sum());
        }
        return node(Kind::union_of, std::move(parts));
    }

    // -- arithmetic
    // --------------------------------------------------------------------------------

    // a + b - c; "a \pm b" is the set {a - b, a + b}, as latex2sympy reads it.
    int32_t sum() {
        Depth d(*this);
        std::vector<int32_t> terms;
        std::optional<int32_t> pm;  // the term after \pm
        auto take_pm = [&] {
            if (eat_command("pm") || eat_command("mp")) {
                if (pm) {
                    throw Unreadable{};
                }
                pm = product();
                return true;
            }
            return false;
        };
        if (!take_pm()) {
            terms.push_back(signed_product());
        }
        while (true) {
            if (take_pm()) {
                continue;
            }
            if (eat("+")) {
                terms.push_back(product());
            } else if (peek() == '-' && !lookahead("->")) {
                ++i_;
                terms.push_back(negate(product()));
            } else {
                break;
            }
        }
        if (!pm) {
            return terms.size() == 1 ? terms[0] : node(Kind::add, std::move(terms));
        }
        auto with = [&](int32_t t) {
            std::vector<int32_t> k = terms;
            k.push_back(t);
            return k.size() == 1 ? k[0] : node(Kind::add, std::move(k));
        };
        const int32_t minus = with(negate(*pm));
        return node(Kind::set, {minus, with(*pm)});
    }

    int32_t signed_product() {
        if (eat("-")) {
            return negate(product());
        }
        eat("+");
        return product();
    }

    bool starts_factor() {
        const char c = peek();
        if (c == '\0') {
            return false;
        }
        if (is_digit(c) || is_letter(c) || c == '(' || c == '.') {
            return !(plain_ && is_letter(c) && !(c == 'e' || c == 'i'));
        }
        if (c == '\\') {
            const std::string_view name = command();
            if (name.empty() || one_of(name, kStoppers) || name == "\\" || name == "%" ||
                name == ")" || name == "]" || name == "," || name == ";" || name == "!") {
                return false;
            }
            return is_letter(name[0]) || name == "{";
        }
        return false;
    }

    // Factors joined by \cdot, \times, *, /, \div or nothing (implicit product).
    int32_t product() {
        Depth d(*this);
        std::vector<int32_t> factors = {unary()};
        while (true) {
            if (eat_command("cdot") || eat_command("times") || eat("*") || eat("×")) {
                factors.push_back(unary());
            } else if (eat("/") || eat_command("div") || eat("÷")) {
                factors.push_back(inverse(unary()));
            } else if (starts_factor()) {
                factors.push_back(postfix());
            } else {
                break;
            }
        }
        if (factors.size() == 2 && integer_literal(factors[0]) && integer_fraction(factors[1])) {
            return node(Kind::add, std::move(factors));  // 7\frac{3}{4} is a mixed number
        }
        return factors.size() == 1 ? factors[0] : node(Kind::mul, std::move(factors));
    }

    bool integer_literal(int32_t k) const {
        const Node& n = tree_.at(k);
        return n.kind == Kind::number && !n.is_float && n.exact && n.rational.q == 1;
    }

    // \frac{3}{4} with integer literals: mul(3, pow(4, -1)), marked by `fraction_`.
    bool integer_fraction(int32_t k) const { return fractions_.count(k) > 0; }

    int32_t unary() {
        Depth d(*this);
        if (eat("-")) {
            return negate(unary());
        }
        if (eat("+")) {
            return unary();
        }
        return postfix();
    }

    // atom, then ^{...}, !, \%, ' in any order.
    int32_t postfix() {
        Depth d(*this);
        int32_t a = atom();
        for (int ops = 0;; ++ops) {
            if (ops > budget_.limits().max_depth) {
                throw Unreadable{};  // x^2^2^2...: each one nests the tree a level deeper
            }
            if (eat("^")) {
                if (eat_command("circ") || (lookahead("{\\circ}") && eat("{\\circ}"))) {
                    continue;  // degrees: latex2sympy reads 90^\circ as 90
                }
                a = node(Kind::pow, {a, script()});
            } else if (peek() == '!' && !lookahead("!=")) {
                ++i_;
                a = node(Kind::func, {a}, "factorial");
            } else if (eat_command("%") || eat("%")) {
                a = node(Kind::percent, {a});
            } else {
                return a;
            }
        }
    }

    // A superscript or a command's single argument: {group}, or one token.
    int32_t script() {
        Depth d(*this);
        skip();
        if (eat("{")) {
            const int32_t e = list_until("}");
            expect("}");
            return e;
        }
        if (plain_) {
            return unary();
        }
        if (i_ < s_.size() && is_digit(s_[i_])) {
            return integer(s_[i_++] - '0');
        }
        if (eat("-")) {
            return negate(script());
        }
        return atom();
    }

    // -- atoms
    // -------------------------------------------------------------------------------------

    int32_t atom() {
        Depth d(*this);
        const char c = peek();
        if (is_digit(c) || c == '.') {
            return number();
        }
        if (c == '(' || c == '[') {
            return bracket();
        }
        if (c == '{') {
            ++i_;
            const int32_t e = list_until("}");
            expect("}");
            return e;
        }
        if (c == '|') {
            ++i_;
            const int32_t e = sum();
            expect("|");
            return node(Kind::func, {e}, "abs");
        }
        if (is_letter(c)) {
            return letter();
        }
        if (c == '\\') {
            return command_atom();
        }
        throw Unreadable{};
    }

    // Digits with an optional decimal part; 1,234,567 is one number (latex2sympy), 1,23 is two.
    int32_t number() {
        std::string digits;
        while (i_ < s_.size() && is_digit(s_[i_])) {
            digits += s_[i_++];
        }
        const bool may_group = !plain_ && !digits.empty() && digits.size() <= 3;
        while (may_group && i_ + 4 <= s_.size() && s_[i_] == ',' && is_digit(s_[i_ + 1]) &&
               is_digit(s_[i_ + 2]) && is_digit(s_[i_ + 3]) &&
               (i_ + 4 == s_.size() || !is_digit(s_[i_ + 4]))) {
            digits.append(s_.substr(i_ + 1, 3));
            i_ += 4;
        }
        std::string fraction;
        if (i_ + 1 < s_.size() && s_[i_] == '.' && is_digit(s_[i_ + 1])) {
            ++i_;
            while (i_ < s_.size() && is_digit(s_[i_])) {
                fraction += s_[i_++];
            }
        } else if (digits.empty()) {
            throw Unreadable{};
        }
        return add(number_node(digits, fraction));
    }

    // (a) a group; (a, b) an open interval when a < b, else a tuple; [a, b) an interval.
    int32_t bracket() {
        Depth d(*this);
        const char open = s_[i_++];
        auto items = items_until(")]");
        const char close = peek();
        if (close != ')' && close != ']') {
            throw Unreadable{};
        }
        ++i_;
        if (items.size() == 1 && open == '(' && close == ')') {
            return items[0];
        }
        if (items.size() == 1 && open == '[' && close == ']') {
            return items[0];
        }
        if (items.size() == 2) {
            const auto lo = real_value(tree_, items[0], budget_);
            const auto hi = real_value(tree_, items[1], budget_);
            const bool symbolic = !lo || !hi;
            if (symbolic || *lo < *hi) {
                Node n;
                n.kind = Kind::interval;
                n.kids = std::move(items);
                n.left_open = open == '(';
                n.right_open = close == ')';
                return add(std::move(n));
            }
            if (open == '[' && close == ']') {
                return node(Kind::tuple, std::move(items));  // a point written in brackets
            }
            if (open != '(' || close != ')') {
                return node(Kind::empty_set);
            }
        }
        if (items.empty() || open != '(' || close != ')') {
            throw Unreadable{};
        }
        return node(Kind::tuple, std::move(items));
    }

    // A letter: e, i, a function f(x), or a symbol with its subscript and primes.
    int32_t letter() {
        const char c = s_[i_++];
        if (plain_ && c != 'e' && c != 'i') {
            throw Unreadable{};
        }
        if (c == 'e' && !lookahead("_")) {
            return node(Kind::euler);
        }
        std::string name(1, static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        if ((c == 'f' || c == 'g' || c == 'h') && peek() == '(') {
            ++i_;
            auto args = items_until(")");
            expect(")");
            return node(Kind::func, std::move(args), name);
        }
        return symbol_with_subscript(std::move(name));
    }

    int32_t symbol_with_subscript(std::string name) {
        if (eat("_")) {
            skip();
            if (i_ < s_.size() && s_[i_] == '{') {
                const size_t end = s_.find('}', i_);
                if (end == std::string_view::npos) {
                    throw Unreadable{};
                }
                name += "_" + std::string(s_.substr(i_, end + 1 - i_));
                i_ = end + 1;
            } else if (i_ < s_.size() && (is_digit(s_[i_]) || is_letter(s_[i_]))) {
                name += "_" + std::string(1, s_[i_++]);
            } else {
                throw Unreadable{};
            }
        }
        while (eat("'") || eat_command("prime")) {
            name += "'";
        }
        if (complex_) {
            name += "@C";  // latex2sympy's complex symbols are other symbols than its real ones
        }
        return node(Kind::symbol, {}, std::move(name));
    }

    // {argument}: a braced group, required.
    int32_t braced() {
        expect("{");
        const int32_t e = list_until("}");
        expect("}");
        return e;
    }

    int32_t command_atom() {
        const std::string name(command());
        if (name.empty()) {
            throw Unreadable{};
        }
        i_ += 1 + name.size();
        if (name == "frac") {
            const int32_t a = braced();
            const int32_t b = braced();
            const int32_t f = node(Kind::mul, {a, inverse(b)});
            if (integer_literal(a) && integer_literal(b)) {
                fractions_.insert(f);
            }
            return f;
        }
        if (name == "sqrt") {
            std::optional<int32_t> degree;
            if (eat("[")) {
                degree = list_until("]");
                expect("]");
            }
            const int32_t x = script();
            return degree ? node(Kind::func, {x, *degree}, "sqrt") : node(Kind::func, {x}, "sqrt");
        }
        if (name == "binom" || name == "dbinom" || name == "tbinom") {
            const int32_t a = braced();
            return node(Kind::func, {a, braced()}, "binom");
        }
        if (name == "pi") {
            return node(Kind::pi);
        }
        if (name == "infty") {
            return node(Kind::infinity);
        }
        if (name == "mathbb") {
            if (!eat("{R}")) {
                throw Unreadable{};
            }
            Node reals;
            reals.kind = Kind::interval;
            reals.left_open = reals.right_open = true;
            reals.kids = {negate(node(Kind::infinity)), node(Kind::infinity)};
            return add(std::move(reals));
        }
        if (name == "emptyset" || name == "varnothing") {
            return node(Kind::empty_set);
        }
        if (name == "{") {
            auto items = items_until("");
            if (!eat_command("}")) {
                throw Unreadable{};
            }
            return items.empty() ? node(Kind::empty_set) : node(Kind::set, std::move(items));
        }
        if (name == "text") {
            return text();
        }
        if (name == "lfloor" || name == "lceil") {
            const int32_t e = sum();
            if (!eat_command(name == "lfloor" ? "rfloor" : "rceil")) {
                throw Unreadable{};
            }
            return node(Kind::func, {e}, name == "lfloor" ? "floor" : "ceil");
        }
        if (name == "begin") {
            return matrix();
        }
        if (name == "i" || name == "imath") {
            return node(Kind::imag);
        }
        if (one_of(name, kGreek)) {
            std::string lower = name;
            lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
            return symbol_with_subscript(lower);
        }
        if (one_of(name, kFunctions)) {
            return function(name);
        }
        throw Unreadable{};
    }

    // \text{Monday}: a word is the symbol "monday"; a number is the number.
    int32_t text() {
        expect("{");
        const size_t end = s_.find('}', i_);
        if (end == std::string_view::npos) {
            throw Unreadable{};
        }
        std::string word;
        for (char ch : s_.substr(i_, end - i_)) {
            if (is_letter(ch) || is_digit(ch)) {
                word += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            }
        }
        i_ = end + 1;
        if (word.empty()) {
            throw Unreadable{};
        }
        if (std::all_of(word.begin(), word.end(), is_digit)) {
            return add(number_node(word, ""));
        }
        return node(Kind::symbol, {}, word);
    }

    // \sin x, \sin^2(x), \log_2 8, \ln(e^3): an optional power, then the argument.
    int32_t function(const std::string& name) {
        std::optional<int32_t> power, base;
        if (name == "log" && eat("_")) {
            base = script();
        }
        if (eat("^")) {
            power = script();
        }
        int32_t arg;
        if (peek() == '(' || peek() == '{') {
            const char close = peek() == '(' ? ')' : '}';
            ++i_;
            arg = list_until(std::string(1, close));
            expect(std::string(1, close));
        } else {
            arg = product();
        }
        int32_t f;
        if (name == "ln") {
            f = node(Kind::func, {arg, node(Kind::euler)}, "log");
        } else if (name == "log" || name == "lg") {
            f = node(Kind::func, {arg, base ? *base : integer(10)}, "log");
        } else if (name == "exp") {
            f = node(Kind::pow, {node(Kind::euler), arg});
        } else {
            f = node(Kind::func, {arg}, name);
        }
        return power ? node(Kind::pow, {f, *power}) : f;
    }

    // \begin{pmatrix} a & b \\ c & d \end{pmatrix}
    int32_t matrix() {
        expect("{");
        const size_t end = s_.find('}', i_);
        if (end == std::string_view::npos) {
            throw Unreadable{};
        }
        const std::string env(s_.substr(i_, end - i_));
        i_ = end + 1;
        if (env != "pmatrix" && env != "bmatrix" && env != "matrix" && env != "Bmatrix" &&
            env != "vmatrix" && env != "smallmatrix") {
            throw Unreadable{};
        }
        std::vector<std::vector<int32_t>> rows(1);
        while (true) {
            rows.back().push_back(relation());
            if (eat("&")) {
                continue;
            }
            if (eat("\\\\")) {
                if (command() == "end") {
                    break;
                }
                rows.emplace_back();
                continue;
            }
            break;
        }
        if (!eat_command("end") || !eat("{" + env + "}")) {
            throw Unreadable{};
        }
        Node m;
        m.kind = Kind::matrix;
        m.rows = static_cast<int32_t>(rows.size());
        m.cols = static_cast<int32_t>(rows[0].size());
        for (const auto& row : rows) {
            if (static_cast<int32_t>(row.size()) != m.cols) {
                throw Unreadable{};
            }
            m.kids.insert(m.kids.end(), row.begin(), row.end());
        }
        if (env == "vmatrix") {
            throw Unreadable{};  // a determinant: not read
        }
        return add(std::move(m));
    }

    std::string_view s_;
    size_t i_ = 0;
    int depth_ = 0;
    Budget& budget_;
    bool plain_;
    bool complex_;
    Tree tree_;
    std::set<int32_t> fractions_;  // nodes written \frac{int}{int}
};

}  // namespace

bool reads_complex(std::string_view s) {
    for (std::string_view marker :
         {"\\mathbb{C}", "\\imath", "\\text{i}", "\\mathrm{i}", "\\det", "\\operatorname{tr}",
          "\\operatorname{rank}", "\\text{rank}", "\\arg{", "\\Re{", "\\Im{"}) {
        if (s.find(marker) != std::string_view::npos) {
            return true;
        }
    }
    auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t k = 0; k < s.size(); ++k) {
        if (s[k] != 'i') {
            continue;
        }
        const bool left = k == 0 || !word_char(s[k - 1]);
        const bool right = k + 1 == s.size() || !word_char(s[k + 1]);
        if (left && right) {
            return true;  // "i" as a word (or "\i")
        }
    }
    return false;
}

std::optional<Tree> parse_latex(std::string_view latex, Budget& budget) {
    return Parser(latex, budget, false).run();
}

std::optional<Tree> parse_plain(std::string_view text, Budget& budget) {
    return Parser(text, budget, true).run();
}

}  // namespace r1::rewards::math
