#include "rewards/math_parser.h"
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

}  // namespace

int32_t Parser::atom() {
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

int32_t Parser::number() {
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

int32_t Parser::bracket() {
    Depth d(*this);
    const char open = s_[i_++];
    auto items = items_until(")]");
    const char close = peek();
    if (close != ')' && close != ']') {
        throw Unreadable{};
    }
    ++i_;
    if (items.size() == 1 && (open == '(') == (close == ')')) {
        return items[0];  // (a) or [a]: a group
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

int32_t Parser::letter() {
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

int32_t Parser::symbol_with_subscript(std::string name) {
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

int32_t Parser::braced() {
    expect("{");
    const int32_t e = list_until("}");
    expect("}");
    return e;
}

int32_t Parser::command_atom() {
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

int32_t Parser::text() {
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

int32_t Parser::function(const std::string& name) {
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

int32_t Parser::matrix() {
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

}  // namespace r1::rewards::math
