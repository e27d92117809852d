// Private: a Jinja template's source with its error locations, its tokens (jinja_lexer.cpp), its
// expression and statement trees (jinja_parser.cpp), and the Program a JinjaTemplate holds.
#pragma once

#include "r1/tokenizer/jinja.h"
#include "r1/util/error.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/jinja_value.h"

namespace r1::tokenizer::jinja {

/// The text being parsed (newlines normalised as jinja2 does) and its name; turns byte offsets
/// into origin:line:column.
struct Source {
    std::string text;
    std::string origin;

    util::Location where(size_t offset) const;
    [[noreturn]] void fail(size_t offset, const std::string& message) const;
};

enum class TokenKind {
    data,         // template text, whitespace control applied
    block_begin,  // {%
    block_end,
    var_begin,  // {{
    var_end,
    name,
    string,  // text: the unescaped value
    integer,
    floating,
    op,  // text: the operator ("+", "//", "(", ...)
    eof,
};

struct Token {
    TokenKind kind;
    std::string text;
    size_t offset = 0;  // in Source::text
};

/// The text as jinja2 reads it: \r\n and \r as \n, one trailing newline dropped.
Source make_source(std::string_view text, std::string origin);

/// jinja2's lexer with trim_blocks and lstrip_blocks; comments leave no token.
std::vector<Token> lex(const Source& source);

enum class ExprKind {
    literal,      // value
    name,         // name
    list,         // kids: items
    tuple,        // kids: items
    dict,         // kids: key, value, key, value...
    attr,         // kids: object; name
    item,         // kids: object, key
    slice,        // kids: object, start, stop, step (nullptr when left out)
    call,         // kids: callee, arguments (the last names.size() ones named by names)
    filter,       // kids: subject, arguments; name; names: keywords
    test,         // kids: subject, arguments; name; names: keywords
    sign,         // kids: operand; name: - or +
    binary,       // kids: a, b; name: + - * / // % **
    concat,       // kids: parts (~)
    compare,      // kids: operands; names: operators (==, !=, <, <=, >, >=, in, not in)
    logical_and,  // kids: a, b
    logical_or,   // kids: a, b
    logical_not,  // kids: a
    conditional,  // kids: then, condition, else (nullptr when left out)
};

struct Expr;
using ExprPtr = std::unique_ptr<const Expr>;

struct Expr {
    ExprKind kind;
    size_t offset = 0;
    std::string name;
    Value value;
    std::vector<ExprPtr> kids;
    std::vector<std::string> names;
};

enum class NodeKind {
    text,        // text
    output,      // exprs: the value
    if_,         // exprs: conditions; bodies: one per condition, then the else body
    for_,        // names: targets; exprs: iterable, filter (nullptr if none); bodies: body, else
    set,         // names: targets; exprs: value
    set_attr,    // text: namespace; names: attribute; exprs: value
    set_block,   // text: variable; bodies: body
    macro,       // text: name; names: parameters; exprs: defaults (nullptr if none); bodies: body
    break_,      // {% break %} (jinja2.ext.loopcontrols, which transformers enables)
    continue_,   // {% continue %}
    generation,  // bodies: body
};

struct Node;
using Body = std::vector<Node>;

struct Node {
    NodeKind kind;
    size_t offset = 0;
    std::string text;
    std::vector<std::string> names;
    std::vector<ExprPtr> exprs;
    std::vector<Body> bodies;
};

/// The template as statements; FormatError (origin:line:column) for syntax errors and for
/// constructs r1 does not support.
Body parse(const Source& source);

/// Runs the statements with `context`'s keys as variables (jinja_eval.cpp).
Rendered evaluate(const Source& source, const Body& body, const nlohmann::ordered_json& context);

}  // namespace r1::tokenizer::jinja

namespace r1::tokenizer {

struct JinjaTemplate::Program {
    std::string source;  // as given
    jinja::Source normalized;
    jinja::Body body;
};

}  // namespace r1::tokenizer
