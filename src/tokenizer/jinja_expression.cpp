// jinja2's expression grammar, loosest binding first: tuples, `a if c else b`, or, and, not,
// comparisons, + -, ~, * / // %, **, signs, then primaries with .attr, [item], calls, filters,
// tests.
#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "tokenizer/jinja_parser.h"

namespace r1::tokenizer::jinja {

ExprPtr Parser::tuple(bool with_conditional,
                      std::initializer_list<std::string_view> ends,
                      bool in_parens) {
    const size_t offset = peek().offset;
    MutableExpr t = make(ExprKind::tuple, offset);
    bool is_tuple = false;
    while (true) {
        if (!t->kids.empty()) {
            expect_op(",");
        }
        const Token& at = peek();
        if (at.kind == TokenKind::var_end || at.kind == TokenKind::block_end || is_op(")") ||
            (at.kind == TokenKind::name &&
             std::find(ends.begin(), ends.end(), at.text) != ends.end())) {
            break;
        }
        t->kids.push_back(expression(with_conditional));
        if (!is_op(",")) {
            break;
        }
        is_tuple = true;
    }
    if (!is_tuple && t->kids.size() == 1) {
        return std::move(t->kids[0]);
    }
    if (!is_tuple && !in_parens) {
        fail("expected an expression, got " + describe(peek()));
    }
    return t;
}

ExprPtr Parser::expression(bool with_conditional) {
    return with_conditional ? conditional() : logical_or();
}

// `a if c else b`; without `else` the value is Undefined when c is false.
ExprPtr Parser::conditional() {
    Nesting nesting(depth_, src_);
    nesting.enter(peek().offset);
    ExprPtr e = logical_or();
    while (is_name("if")) {
        const size_t offset = next().offset;
        nesting.enter(offset);
        ExprPtr condition = logical_or();
        ExprPtr otherwise = skip_name("else") ? conditional() : nullptr;
        MutableExpr c = make(ExprKind::conditional, offset);
        c->kids.push_back(std::move(e));
        c->kids.push_back(std::move(condition));
        c->kids.push_back(std::move(otherwise));
        e = std::move(c);
    }
    return e;
}

ExprPtr Parser::logical_or() {
    Nesting nesting(depth_, src_);
    ExprPtr e = logical_and();
    while (is_name("or")) {
        const size_t offset = next().offset;
        nesting.enter(offset);
        e = make(ExprKind::logical_or, offset, std::move(e), logical_and());
    }
    return e;
}

ExprPtr Parser::logical_and() {
    Nesting nesting(depth_, src_);
    ExprPtr e = logical_not();
    while (is_name("and")) {
        const size_t offset = next().offset;
        nesting.enter(offset);
        e = make(ExprKind::logical_and, offset, std::move(e), logical_not());
    }
    return e;
}

ExprPtr Parser::logical_not() {
    if (!is_name("not")) {
        return compare();
    }
    const size_t offset = next().offset;
    Nesting nesting(depth_, src_);
    nesting.enter(offset);
    MutableExpr e = make(ExprKind::logical_not, offset);
    e->kids.push_back(logical_not());
    return e;
}

ExprPtr Parser::compare() {
    const size_t offset = peek().offset;
    ExprPtr first = math1();
    MutableExpr e = make(ExprKind::compare, offset);
    e->kids.push_back(std::move(first));
    while (true) {
        if (peek().kind == TokenKind::op &&
            (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
             peek().text == "<=" || peek().text == ">" || peek().text == ">=")) {
            e->names.push_back(next().text);
        } else if (skip_name("in")) {
            e->names.emplace_back("in");
        } else if (is_name("not") && is_name("in", 1)) {
            next();
            next();
            e->names.emplace_back("not in");
        } else {
            break;
        }
        e->kids.push_back(math1());
    }
    return e->names.empty() ? std::move(e->kids[0]) : ExprPtr(std::move(e));
}

ExprPtr Parser::math1() {
    Nesting nesting(depth_, src_);
    ExprPtr e = concat();
    while (is_op("+") || is_op("-")) {
        const Token& op = next();
        nesting.enter(op.offset);
        e = make(ExprKind::binary, op.offset, std::move(e), concat(), op.text);
    }
    return e;
}

ExprPtr Parser::concat() {
    const size_t offset = peek().offset;
    ExprPtr first = math2();
    if (!is_op("~")) {
        return first;
    }
    MutableExpr e = make(ExprKind::concat, offset);
    e->kids.push_back(std::move(first));
    while (skip_op("~")) {
        e->kids.push_back(math2());
    }
    return e;
}

ExprPtr Parser::math2() {
    Nesting nesting(depth_, src_);
    ExprPtr e = power();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
        const Token& op = next();
        nesting.enter(op.offset);
        e = make(ExprKind::binary, op.offset, std::move(e), power(), op.text);
    }
    return e;
}

ExprPtr Parser::power() {
    Nesting nesting(depth_, src_);
    ExprPtr e = unary(true);
    while (is_op("**")) {
        const size_t offset = next().offset;
        nesting.enter(offset);
        e = make(ExprKind::binary, offset, std::move(e), unary(true), "**");
    }
    return e;
}

// As jinja2: a sign binds tighter than filters (`-x | abs` is abs(-x)).
ExprPtr Parser::unary(bool with_filter) {
    const size_t offset = peek().offset;
    Nesting nesting(depth_, src_);
    nesting.enter(offset);
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
        MutableExpr n = make(ExprKind::sign, offset, next().text);
        n->kids.push_back(unary(false));
        e = std::move(n);
    } else {
        e = primary();
    }
    e = postfix(std::move(e));
    return with_filter ? filters_and_tests(std::move(e)) : std::move(e);
}

ExprPtr Parser::primary() {
    const Token& t = peek();
    MutableExpr e = make(ExprKind::literal, t.offset);
    if (t.kind == TokenKind::name) {
        next();
        if (t.text == "true" || t.text == "True" || t.text == "false" || t.text == "False") {
            e->value = t.text == "true" || t.text == "True";
        } else if (t.text == "none" || t.text == "None") {
            e->value = nullptr;
        } else {
            e->kind = ExprKind::name;
            e->name = t.text;
        }
    } else if (t.kind == TokenKind::string) {
        std::string s;
        while (peek().kind == TokenKind::string) {  // adjacent literals join, as in Python
            s += next().text;
        }
        e->value = std::move(s);
    } else if (t.kind == TokenKind::integer) {
        errno = 0;
        const long long v = std::strtoll(next().text.c_str(), nullptr, 10);
        if (errno == ERANGE) {
            src_.fail(t.offset, "integer literal beyond 64 bits");
        }
        e->value = static_cast<int64_t>(v);
    } else if (t.kind == TokenKind::floating) {
        e->value = std::strtod(next().text.c_str(), nullptr);
    } else if (skip_op("(")) {
        ExprPtr inner = tuple(true, {}, true);
        expect_op(")");
        return inner;
    } else if (is_op("[")) {
        return list();
    } else if (is_op("{")) {
        return dict();
    } else {
        fail("unexpected " + describe(t));
    }
    return e;
}

ExprPtr Parser::list() {
    MutableExpr e = make(ExprKind::list, next().offset);
    while (!is_op("]")) {
        if (!e->kids.empty()) {
            expect_op(",");
            if (is_op("]")) {
                break;
            }
        }
        e->kids.push_back(expression());
    }
    next();
    return e;
}

ExprPtr Parser::dict() {
    MutableExpr e = make(ExprKind::dict, next().offset);
    while (!is_op("}")) {
        if (!e->kids.empty()) {
            expect_op(",");
            if (is_op("}")) {
                break;
            }
        }
        e->kids.push_back(expression());
        expect_op(":");
        e->kids.push_back(expression());
    }
    next();
    return e;
}

ExprPtr Parser::postfix(ExprPtr e) {
    Nesting nesting(depth_, src_);
    while (true) {
        nesting.enter(peek().offset);
        if (is_op(".") || is_op("[")) {
            e = subscript(std::move(e));
        } else if (is_op("(")) {
            e = call(std::move(e));
        } else {
            return e;
        }
    }
}

ExprPtr Parser::filters_and_tests(ExprPtr e) {
    Nesting nesting(depth_, src_);
    while (true) {
        nesting.enter(peek().offset);
        if (is_op("|")) {
            e = filter(std::move(e));
        } else if (is_name("is")) {
            e = test(std::move(e));
        } else if (is_op("(")) {
            e = call(std::move(e));
        } else {
            return e;
        }
    }
}

ExprPtr Parser::subscript(ExprPtr e) {
    const size_t offset = peek().offset;
    if (skip_op(".")) {
        const Token& t = next();
        if (t.kind == TokenKind::name) {
            MutableExpr a = make(ExprKind::attr, offset, t.text);
            a->kids.push_back(std::move(e));
            return a;
        }
        if (t.kind != TokenKind::integer) {
            src_.fail(t.offset, "expected a name or a number after '.', got " + describe(t));
        }
        MutableExpr key = make(ExprKind::literal, t.offset);
        key->value = static_cast<int64_t>(std::strtoll(t.text.c_str(), nullptr, 10));
        return make(ExprKind::item, offset, std::move(e), std::move(key));
    }
    next();
    ExprPtr result = slice_or_item(std::move(e), offset);
    if (is_op(",")) {
        fail("unsupported: tuple subscripts (x[a, b])");
    }
    expect_op("]");
    return result;
}

// After `[`: `key` or `start:stop:step`, each part optional, as jinja2's parse_subscribed.
ExprPtr Parser::slice_or_item(ExprPtr e, size_t offset) {
    auto part_ends = [&] { return is_op(":") || is_op("]") || is_op(","); };
    MutableExpr s = make(ExprKind::slice, offset);
    s->kids.push_back(std::move(e));
    if (!is_op(":")) {
        ExprPtr key = expression();
        if (!is_op(":")) {
            return make(ExprKind::item, offset, std::move(s->kids[0]), std::move(key));
        }
        s->kids.push_back(std::move(key));
    } else {
        s->kids.push_back(nullptr);
    }
    next();  // the first ':'
    s->kids.push_back(part_ends() ? nullptr : expression());
    if (skip_op(":")) {
        s->kids.push_back(is_op("]") || is_op(",") ? nullptr : expression());
    } else {
        s->kids.push_back(nullptr);
    }
    return s;
}

ExprPtr Parser::call(ExprPtr callee) {
    MutableExpr e = make(ExprKind::call, peek().offset);
    e->kids.push_back(std::move(callee));
    arguments(*e);
    return e;
}

// `(a, b, key=c)`: positional kids first, then the keyword values named by e.names.
void Parser::arguments(Expr& e) {
    expect_op("(");
    const size_t first = e.kids.size();
    while (!is_op(")")) {
        if (e.kids.size() > first) {
            expect_op(",");
            if (is_op(")")) {
                break;
            }
        }
        if (is_op("*") || is_op("**")) {
            fail("unsupported: *args and **kwargs in calls");
        }
        if (peek().kind == TokenKind::name && is_op("=", 1)) {
            e.names.push_back(next().text);
            next();
        } else if (!e.names.empty()) {
            fail("positional argument follows keyword argument");
        }
        e.kids.push_back(expression());
    }
    next();
}

std::string Parser::dotted_name() {
    std::string name = expect_name();
    while (skip_op(".")) {
        name += "." + expect_name();
    }
    return name;
}

ExprPtr Parser::filter(ExprPtr subject) {
    Nesting nesting(depth_, src_);
    while (skip_op("|")) {
        const size_t offset = peek().offset;
        nesting.enter(offset);
        const std::string name = dotted_name();
        MutableExpr e = make(ExprKind::filter, offset, name);
        e->kids.push_back(std::move(subject));
        if (is_op("(")) {
            arguments(*e);
        }
        subject = std::move(e);
    }
    return subject;
}

// `x is [not] name`, `x is name(args)` or `x is name arg` (jinja2's parse_test).
ExprPtr Parser::test(ExprPtr subject) {
    const size_t offset = next().offset;
    const bool negated = skip_name("not");
    const size_t name_at = peek().offset;
    const std::string name = dotted_name();
    MutableExpr e = make(ExprKind::test, name_at, name);
    e->kids.push_back(std::move(subject));
    const Token& t = peek();
    const bool argument_start = t.kind == TokenKind::name || t.kind == TokenKind::string ||
                                t.kind == TokenKind::integer || t.kind == TokenKind::floating ||
                                is_op("[") || is_op("{");
    if (is_op("(")) {
        arguments(*e);
    } else if (argument_start && !is_name("else") && !is_name("or") && !is_name("and")) {
        if (is_name("is")) {
            fail("tests cannot be chained with 'is'");
        }
        e->kids.push_back(postfix(primary()));
    }
    if (!negated) {
        return e;
    }
    MutableExpr n = make(ExprKind::logical_not, offset);
    n->kids.push_back(std::move(e));
    return n;
}

}  // namespace r1::tokenizer::jinja
