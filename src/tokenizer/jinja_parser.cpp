// jinja2's statements: text, {{ output }}, if, for, set, macro, break/continue, generation; then a
// check that names each unknown filter or test outside if blocks, as jinja2's compiler does.
#include "tokenizer/jinja_parser.h"

#include <algorithm>
#include <utility>

#include "tokenizer/jinja_builtins.h"

namespace r1::tokenizer::jinja {

std::string Parser::describe(const Token& t) const {
    switch (t.kind) {
        case TokenKind::eof:
            return "end of template";
        case TokenKind::block_end:
            return "'%}'";
        case TokenKind::var_end:
            return "'}}'";
        case TokenKind::block_begin:
            return "'{%'";
        case TokenKind::var_begin:
            return "'{{'";
        case TokenKind::data:
            return "template text";
        case TokenKind::string:
            return "a string";
        default:
            return "'" + t.text + "'";
    }
}

void Parser::expect_op(std::string_view op) {
    if (!skip_op(op)) {
        fail("expected '" + std::string(op) + "', got " + describe(peek()));
    }
}

void Parser::expect_end() {
    if (peek().kind != TokenKind::block_end) {
        fail("expected '%}', got " + describe(peek()));
    }
    next();
}

std::string Parser::expect_name() {
    if (peek().kind != TokenKind::name) {
        fail("expected a name, got " + describe(peek()));
    }
    return next().text;
}

void Parser::expect_end_tag(std::string_view name) {
    if (!skip_name(name)) {
        fail("expected '" + std::string(name) + "', got " + describe(peek()));
    }
    expect_end();
}

// Statements and text up to a {% tag %} named in `ends` (the closing tag first), which is left as
// the current token; with no `ends`, up to the end of the template.
Body Parser::body(std::initializer_list<std::string_view> ends) {
    Body out;
    while (true) {
        const Token& t = peek();
        if (t.kind == TokenKind::data) {
            out.push_back(Node{.kind = NodeKind::text, .offset = t.offset, .text = t.text});
            next();
        } else if (t.kind == TokenKind::var_begin) {
            next();
            Node node{.kind = NodeKind::output, .offset = t.offset};
            node.exprs.push_back(tuple(true));
            if (peek().kind != TokenKind::var_end) {
                fail("expected '}}', got " + describe(peek()));
            }
            next();
            out.push_back(std::move(node));
        } else if (t.kind == TokenKind::block_begin) {
            const size_t offset = next().offset;
            const Token& name = peek();
            if (name.kind == TokenKind::name &&
                std::find(ends.begin(), ends.end(), name.text) != ends.end()) {
                return out;
            }
            statement(out, offset);
        } else if (ends.size() > 0) {
            fail("unexpected end of template: missing {% " + std::string(*ends.begin()) + " %}");
        } else {
            return out;
        }
    }
}

void Parser::statement(Body& out, size_t offset) {
    Nesting nesting(depth_, src_);
    nesting.enter(offset);
    const std::string name = peek().kind == TokenKind::name ? peek().text : describe(peek());
    if (name == "if") {
        out.push_back(parse_if(offset));
    } else if (name == "for") {
        out.push_back(parse_for(offset));
    } else if (name == "set") {
        out.push_back(parse_set(offset));
    } else if (name == "macro") {
        out.push_back(parse_macro(offset));
    } else if (name == "generation") {
        out.push_back(parse_generation(offset));
    } else if (name == "break" || name == "continue") {
        if (loops_ == 0) {
            fail("'" + name + "' outside a for loop");
        }
        next();
        expect_end();
        out.push_back(Node{.kind = name == "break" ? NodeKind::break_ : NodeKind::continue_,
                           .offset = offset});
    } else if (std::find(std::begin(kUnsupportedTags), std::end(kUnsupportedTags), name) !=
               std::end(kUnsupportedTags)) {
        fail("unsupported tag '" + name + "' (r1's Jinja subset: if, for, set, macro, " +
             "break, continue, generation, raw)");
    } else {
        fail("unexpected tag '" + name + "'");
    }
}

Node Parser::parse_if(size_t offset) {
    Node node{.kind = NodeKind::if_, .offset = offset};
    next();
    node.exprs.push_back(tuple(false));
    expect_end();
    node.bodies.push_back(body({"endif", "elif", "else"}));
    while (true) {
        const std::string tag = next().text;
        if (tag == "elif") {
            node.exprs.push_back(tuple(false));
            expect_end();
            node.bodies.push_back(body({"endif", "elif", "else"}));
        } else if (tag == "else") {
            expect_end();
            node.bodies.push_back(body({"endif"}));
            expect_end_tag("endif");
            return node;
        } else {
            expect_end();
            return node;
        }
    }
}

// Loop and set targets: a name, or names separated by commas (optionally in parentheses).
std::vector<std::string> Parser::targets() {
    const bool parens = skip_op("(");
    std::vector<std::string> names{expect_name()};
    while (skip_op(",")) {
        if (is_name("in") || is_op(")")) {  // a trailing comma, as jinja2 allows there
            break;
        }
        names.push_back(expect_name());
    }
    if (parens) {
        expect_op(")");
    }
    return names;
}

Node Parser::parse_for(size_t offset) {
    Node node{.kind = NodeKind::for_, .offset = offset};
    next();
    node.names = targets();
    if (!skip_name("in")) {
        fail("expected 'in' in the for loop, got " + describe(peek()));
    }
    node.exprs.push_back(tuple(false, {"recursive"}));
    node.exprs.push_back(skip_name("if") ? expression() : nullptr);
    if (is_name("recursive")) {
        fail("unsupported: recursive for loops");
    }
    expect_end();
    ++loops_;
    node.bodies.push_back(body({"endfor", "else"}));
    --loops_;
    if (skip_name("else")) {
        expect_end();
        node.bodies.push_back(body({"endfor"}));
    } else {
        node.bodies.emplace_back();
    }
    expect_end_tag("endfor");
    return node;
}

Node Parser::parse_set(size_t offset) {
    next();
    if (peek().kind == TokenKind::name && is_op(".", 1)) {  // {% set ns.attr = value %}
        Node node{.kind = NodeKind::set_attr, .offset = offset, .text = next().text};
        next();
        node.names.push_back(expect_name());
        expect_op("=");
        node.exprs.push_back(tuple(true));
        expect_end();
        return node;
    }
    Node node{.kind = NodeKind::set, .offset = offset, .names = targets()};
    if (skip_op("=")) {
        node.exprs.push_back(tuple(true));
        expect_end();
        return node;
    }
    if (node.names.size() != 1 || is_op("|")) {
        fail("expected '=' in the set tag (filtered {% set %} blocks are not supported)");
    }
    expect_end();
    node.kind = NodeKind::set_block;
    node.text = node.names[0];
    node.bodies.push_back(body({"endset"}));
    expect_end_tag("endset");
    return node;
}

Node Parser::parse_macro(size_t offset) {
    Node node{.kind = NodeKind::macro, .offset = offset};
    next();
    node.text = expect_name();
    expect_op("(");
    while (!is_op(")")) {
        if (!node.names.empty()) {
            expect_op(",");
            if (is_op(")")) {
                break;
            }
        }
        node.names.push_back(expect_name());
        node.exprs.push_back(skip_op("=") ? expression() : nullptr);
        if (!node.exprs.back() && node.exprs.size() > 1 && node.exprs[node.exprs.size() - 2]) {
            fail("non-default argument follows default argument");
        }
    }
    next();
    expect_end();
    const int loops = std::exchange(loops_, 0);
    node.bodies.push_back(body({"endmacro"}));
    loops_ = loops;
    expect_end_tag("endmacro");
    return node;
}

// transformers' AssistantTracker extension: {% generation %} ... {% endgeneration %}.
Node Parser::parse_generation(size_t offset) {
    Node node{.kind = NodeKind::generation, .offset = offset};
    next();
    expect_end();
    const int loops = std::exchange(loops_, 0);  // the body is a macro in jinja2: no break
    node.bodies.push_back(body({"endgeneration"}));
    loops_ = loops;
    expect_end_tag("endgeneration");
    return node;
}

namespace {

// jinja2's compiler rejects an unknown filter or test up front, unless it sits in an if block or
// an inline if (a "soft" frame): there it fails only when reached, so a template can guard it
// with `is filter`. Loop bodies, macros and blocks are hard frames again.
class NameCheck {
  public:
    explicit NameCheck(const Source& source) : src_(source) {}

    void body(const Body& b, bool soft) {
        for (const Node& n : b) {
            node(n, soft);
        }
    }

  private:
    void node(const Node& n, bool soft);
    void expr(const Expr* e, bool soft);

    const Source& src_;
};

void NameCheck::node(const Node& n, bool soft) {
    switch (n.kind) {
        case NodeKind::if_:
            soft = true;
            break;
        case NodeKind::for_:
            expr(n.exprs[0].get(), soft);
            expr(n.exprs[1].get(), false);
            body(n.bodies[0], false);
            body(n.bodies[1], soft);
            return;
        case NodeKind::macro:
        case NodeKind::set_block:
        case NodeKind::generation:
            soft = false;
            break;
        default:
            break;
    }
    for (const ExprPtr& e : n.exprs) {
        expr(e.get(), soft);
    }
    for (const Body& b : n.bodies) {
        body(b, soft);
    }
}

void NameCheck::expr(const Expr* e, bool soft) {
    if (e == nullptr) {
        return;
    }
    soft = soft || e->kind == ExprKind::conditional;
    if (!soft && e->kind == ExprKind::filter && !is_filter(e->name)) {
        src_.fail(e->offset, "unknown filter '" + e->name + "'");
    }
    if (!soft && e->kind == ExprKind::test && !is_test(e->name)) {
        src_.fail(e->offset, "unknown test '" + e->name + "'");
    }
    for (const ExprPtr& kid : e->kids) {
        expr(kid.get(), soft);
    }
}

}  // namespace

Body parse(const Source& source) {
    Body body = Parser(source, lex(source)).run();
    NameCheck(source).body(body, false);
    return body;
}

}  // namespace r1::tokenizer::jinja
