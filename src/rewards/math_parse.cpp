#include "rewards/math_parser.h"
#include "rewards/math_value.h"

namespace r1::rewards::math {
namespace {

// Commands that end an expression or separate its parts: never the start of an implicit product.
constexpr std::array kStoppers = {
    "cdot", "times", "div",   "le",  "leq",    "leqslant", "ge",  "geq",      "geqslant",
    "lt",   "gt",    "ne",    "neq", "approx", "cup",      "cap", "setminus", "in",
    "pm",   "mp",    "right", "end", "rfloor", "rceil",    "}",   "quad",     "qquad"};

}  // namespace

bool Parser::at_closer(std::string_view closers) {
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

std::vector<int32_t> Parser::items_until(std::string_view closers) {
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

int32_t Parser::list_until(std::string_view closers) {
    auto items = items_until(closers);
    if (items.empty()) {
        throw Unreadable{};
    }
    return items.size() == 1 ? items[0] : node(Kind::set, std::move(items));
}

std::optional<std::string> Parser::relation_op() {
    skip();
    for (auto [token, op] :
         {std::pair{"<=", "<="}, {">=", ">="}, {"!=", "!="}, {"=", "="}, {"<", "<"}, {">", ">"}}) {
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

int32_t Parser::relation() {
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

int32_t Parser::set_expr() {
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

int32_t Parser::sum() {
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

int32_t Parser::signed_product() {
    if (eat("-")) {
        return negate(product());
    }
    eat("+");
    return product();
}

bool Parser::starts_factor() {
    const char c = peek();
    if (c == '\0') {
        return false;
    }
    if (is_digit(c) || is_letter(c) || c == '(' || c == '.') {
        return !(plain_ && is_letter(c) && !(c == 'e' || c == 'i'));
    }
    if (c == '\\') {
        const std::string_view name = command();
        if (name.empty() || one_of(name, kStoppers) || name == "\\" || name == "%" || name == ")" ||
            name == "]" || name == "," || name == ";" || name == "!") {
            return false;
        }
        return is_letter(name[0]) || name == "{";
    }
    return false;
}

int32_t Parser::product() {
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

bool Parser::integer_literal(int32_t k) const {
    const Node& n = tree_.at(k);
    return n.kind == Kind::number && !n.is_float && n.exact && n.rational.q == 1;
}

int32_t Parser::unary() {
    Depth d(*this);
    if (eat("-")) {
        return negate(unary());
    }
    if (eat("+")) {
        return unary();
    }
    return postfix();
}

int32_t Parser::postfix() {
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

int32_t Parser::script() {
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
