// Private: jinja2's recursive-descent parser for the statements (jinja_parser.cpp) and
// expressions (jinja_expression.cpp) chat templates use, producing jinja_ast.h's trees.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/jinja_ast.h"

namespace r1::tokenizer::jinja {

using MutableExpr = std::unique_ptr<Expr>;

inline MutableExpr make(ExprKind kind, size_t offset, std::string name = {}) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->offset = offset;
    e->name = std::move(name);
    return e;
}

inline ExprPtr make(ExprKind kind, size_t offset, ExprPtr a, ExprPtr b, std::string name = {}) {
    MutableExpr e = make(kind, offset, std::move(name));
    e->kids.push_back(std::move(a));
    e->kids.push_back(std::move(b));
    return e;
}

// Counts nesting while parsing, so input nested deeper than kMaxDepth is an error rather than a
// stack overflow (here, when evaluating, or when the tree is destroyed). Each link of a left-deep
// chain (a + b + c, x | f | g, a.b[0]) is one more level.
class Nesting {
  public:
    Nesting(int& depth, const Source& source) : depth_(depth), source_(source) {}

    ~Nesting() { depth_ -= levels_; }

    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

    void enter(size_t offset) {
        ++levels_;
        if (++depth_ > kMaxDepth) {
            source_.fail(offset,
                         "template nested deeper than " + std::to_string(kMaxDepth) + " levels");
        }
    }

  private:
    int& depth_;
    const Source& source_;
    int levels_ = 0;
};

// Tags of jinja2 that r1 leaves out, for a clearer error than "unknown tag".
inline constexpr std::string_view kUnsupportedTags[] = {"include",    "import", "from",   "extends",
                                                        "block",      "call",   "filter", "with",
                                                        "autoescape", "do",     "trans",  "debug"};

class Parser {
  public:
    Parser(const Source& source, std::vector<Token> tokens)
        : src_(source), tokens_(std::move(tokens)) {}

    Body run() { return body({}); }

  private:
    // Tokens.
    const Token& peek(size_t ahead = 0) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }

    const Token& next() { return tokens_[std::min(pos_++, tokens_.size() - 1)]; }

    bool is_op(std::string_view op, size_t ahead = 0) const {
        return peek(ahead).kind == TokenKind::op && peek(ahead).text == op;
    }

    bool is_name(std::string_view name, size_t ahead = 0) const {
        return peek(ahead).kind == TokenKind::name && peek(ahead).text == name;
    }

    bool skip_op(std::string_view op) { return is_op(op) && (next(), true); }

    bool skip_name(std::string_view name) { return is_name(name) && (next(), true); }

    [[noreturn]] void fail(const std::string& message) const { src_.fail(peek().offset, message); }

    std::string describe(const Token& t) const;
    void expect_op(std::string_view op);
    void expect_end();  // %}
    std::string expect_name();
    void expect_end_tag(std::string_view name);  // {% endfor %} and the like, once body() stopped

    // Statements.
    Body body(std::initializer_list<std::string_view> ends);
    void statement(Body& out, size_t offset);
    Node parse_if(size_t offset);
    Node parse_for(size_t offset);
    Node parse_set(size_t offset);
    Node parse_macro(size_t offset);
    Node parse_generation(size_t offset);
    std::vector<std::string> targets();

    // Expressions, loosest binding first.
    ExprPtr tuple(bool with_conditional,
                  std::initializer_list<std::string_view> ends = {},
                  bool in_parens = false);
    ExprPtr expression(bool with_conditional = true);
    ExprPtr conditional();
    ExprPtr logical_or();
    ExprPtr logical_and();
    ExprPtr logical_not();
    ExprPtr compare();
    ExprPtr math1();   // + -
    ExprPtr concat();  // ~
    ExprPtr math2();   // * / // %
    ExprPtr power();
    ExprPtr unary(bool with_filter);
    ExprPtr primary();
    ExprPtr list();
    ExprPtr dict();
    ExprPtr postfix(ExprPtr e);
    ExprPtr filters_and_tests(ExprPtr e);
    ExprPtr subscript(ExprPtr e);
    ExprPtr slice_or_item(ExprPtr e, size_t offset);
    ExprPtr call(ExprPtr callee);
    void arguments(Expr& e);
    ExprPtr filter(ExprPtr subject);
    ExprPtr test(ExprPtr subject);
    std::string dotted_name();

    const Source& src_;
    std::vector<Token> tokens_;
    size_t pos_ = 0;
    int depth_ = 0;
    int loops_ = 0;  // for loops around the statement being parsed (break/continue)
};

}  // namespace r1::tokenizer::jinja
