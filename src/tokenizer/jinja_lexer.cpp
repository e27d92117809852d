// jinja2's lexer as transformers configures it (trim_blocks, lstrip_blocks, no trailing newline):
// template text, {{ }} and {% %} tags with -/+ whitespace control, {# #} comments, {% raw %}.
#include "r1/util/utf8.h"

#include <algorithm>

#include "tokenizer/jinja_ast.h"
#include "tokenizer/jinja_text.h"

namespace r1::tokenizer::jinja {

Source make_source(std::string_view text, std::string origin) {
    Source source{.text = {}, .origin = std::move(origin)};
    source.text.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {  // jinja2 reads \r\n and \r as \n
        if (text[i] == '\r') {
            source.text += '\n';
            i += i + 1 < text.size() && text[i + 1] == '\n' ? 1 : 0;
        } else {
            source.text += text[i];
        }
    }
    if (!source.text.empty() && source.text.back() == '\n') {  // keep_trailing_newline=False
        source.text.pop_back();
    }
    return source;
}

util::Location Source::where(size_t offset) const {
    offset = std::min(offset, text.size());
    const auto line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
    const size_t newline = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
    const size_t line_start = newline == std::string::npos ? 0 : newline + 1;
    const auto column =
        text::length(std::string_view(text).substr(line_start, offset - line_start));
    return util::Location{.source = origin,
                          .line = static_cast<int64_t>(line),
                          .column = static_cast<int64_t>(column) + 1};
}

void Source::fail(size_t offset, const std::string& message) const {
    throw util::FormatError(message, where(offset));
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c) {
    return is_name_start(c) || is_digit(c);
}

class Lexer {
  public:
    explicit Lexer(const Source& source) : src_(source), s_(source.text) {}

    std::vector<Token> run() {
        while (pos_ < s_.size()) {
            text_then_tag();
        }
        out_.push_back({TokenKind::eof, "", s_.size()});
        return std::move(out_);
    }

  private:
    bool at(size_t i, std::string_view what) const { return s_.substr(i, what.size()) == what; }

    size_t skip_space(size_t i) const { return i + text::leading_space(s_.substr(i)); }

    size_t find_tag(size_t from) const;
    size_t raw_begin_end(size_t tag) const;
    void text_then_tag();
    void emit_text(size_t begin, size_t end, char sign, bool lstrip);
    void comment(size_t tag);
    void raw();
    void tag(TokenKind begin, size_t tag);
    bool tag_end(TokenKind begin);
    void token(std::vector<char>& brackets);
    void number();
    void string();
    size_t escape(size_t i, std::string& value) const;
    size_t hex_escape(size_t i, int digits, std::string& value) const;
    void op(std::vector<char>& brackets);

    const Source& src_;
    std::string_view s_;
    size_t pos_ = 0;
    bool line_starting_ = true;  // the last match ended a line (jinja2's lstrip_blocks rule)
    std::vector<Token> out_;
};

size_t Lexer::find_tag(size_t from) const {
    for (size_t i = s_.find('{', from); i != std::string_view::npos; i = s_.find('{', i + 1)) {
        if (i + 1 < s_.size() && (s_[i + 1] == '{' || s_[i + 1] == '%' || s_[i + 1] == '#')) {
            return i;
        }
    }
    return std::string_view::npos;
}

// Where `{% raw %}` starting at `tag` ends, or npos if the tag is no raw tag.
size_t Lexer::raw_begin_end(size_t tag) const {
    size_t i = tag + 2;
    i += i < s_.size() && (s_[i] == '-' || s_[i] == '+') ? 1 : 0;
    i = skip_space(i);
    if (!at(i, "raw")) {
        return std::string_view::npos;
    }
    i = skip_space(i + 3);
    if (at(i, "-%}")) {
        return skip_space(i + 3);
    }
    return at(i, "%}") ? i + 2 : std::string_view::npos;
}

void Lexer::text_then_tag() {
    const size_t tag_at = find_tag(pos_);
    if (tag_at == std::string_view::npos) {
        out_.push_back({TokenKind::data, std::string(s_.substr(pos_)), pos_});
        pos_ = s_.size();
        return;
    }
    const char kind = s_[tag_at + 1];
    const size_t after = tag_at + 2;
    const char sign = after < s_.size() && (s_[after] == '-' || s_[after] == '+') ? s_[after] : 0;
    const size_t raw_end = kind == '%' ? raw_begin_end(tag_at) : std::string_view::npos;
    emit_text(pos_, tag_at, sign, kind != '{');
    if (raw_end != std::string_view::npos) {
        line_starting_ = s_[raw_end - 1] == '\n';
        pos_ = raw_end;
        raw();
        return;
    }
    pos_ = after + (sign != 0 ? 1 : 0);
    line_starting_ = false;
    if (kind == '#') {
        comment(tag_at);
    } else {
        tag(kind == '%' ? TokenKind::block_begin : TokenKind::var_begin, tag_at);
    }
}

// The text before a tag: `-` strips all whitespace before it; lstrip_blocks strips the spaces
// and tabs from a line's start up to a block or comment tag, unless the tag says `+`.
void Lexer::emit_text(size_t begin, size_t end, char sign, bool lstrip) {
    std::string_view text = s_.substr(begin, end - begin);
    if (sign == '-') {
        text.remove_suffix(text::trailing_space(text));
    } else if (sign != '+' && lstrip) {
        const size_t newline = text.rfind('\n');
        const size_t line = newline == std::string_view::npos ? 0 : newline + 1;
        const std::string_view tail = text.substr(line);
        if ((line > 0 || line_starting_) && !tail.empty() &&
            text::trailing_space(tail) == tail.size()) {
            text = text.substr(0, line);
        }
    }
    if (!text.empty()) {
        out_.push_back({TokenKind::data, std::string(text), begin});
    }
}

void Lexer::comment(size_t tag_at) {
    const size_t close = s_.find("#}", pos_);
    if (close == std::string_view::npos) {
        src_.fail(tag_at, "missing end of comment tag '#}'");
    }
    const char sign =
        close > pos_ && (s_[close - 1] == '-' || s_[close - 1] == '+') ? s_[close - 1] : 0;
    size_t i = close + 2;
    if (sign == '-') {
        i = skip_space(i);
    } else if (sign != '+' && i < s_.size() && s_[i] == '\n') {  // trim_blocks
        ++i;
    }
    line_starting_ = s_[i - 1] == '\n';
    pos_ = i;
}

// {% raw %} ... {% endraw %}: the text between is data, whitespace control as before a tag.
void Lexer::raw() {
    for (size_t p = s_.find("{%", pos_); p != std::string_view::npos; p = s_.find("{%", p + 1)) {
        size_t i = p + 2;
        const char sign = i < s_.size() && (s_[i] == '-' || s_[i] == '+') ? s_[i++] : 0;
        i = skip_space(i);
        if (!at(i, "endraw")) {
            continue;
        }
        i = skip_space(i + 6);
        if (at(i, "+%}")) {
            i += 3;
        } else if (at(i, "-%}")) {
            i = skip_space(i + 3);
        } else if (at(i, "%}")) {
            i += 2 + (at(i + 2, "\n") ? 1 : 0);
        } else {
            continue;
        }
        emit_text(pos_, p, sign, true);
        line_starting_ = s_[i - 1] == '\n';
        pos_ = i;
        return;
    }
    src_.fail(pos_, "missing {% endraw %}");
}

void Lexer::tag(TokenKind begin, size_t tag_at) {
    out_.push_back({begin, "", tag_at});
    std::vector<char> brackets;  // closers expected; the tag ends only outside brackets
    while (true) {
        pos_ = skip_space(pos_);
        if (pos_ >= s_.size()) {
            src_.fail(tag_at, begin == TokenKind::block_begin ? "missing end of tag '%}'"
                                                              : "missing end of tag '}}'");
        }
        if (brackets.empty() && tag_end(begin)) {
            return;
        }
        token(brackets);
    }
}

bool Lexer::tag_end(TokenKind begin) {
    const size_t at_end = pos_;
    if (begin == TokenKind::block_begin) {
        if (at(pos_, "+%}")) {  // `+` keeps the newline trim_blocks would remove
            pos_ += 3;
        } else if (at(pos_, "-%}")) {
            pos_ = skip_space(pos_ + 3);
        } else if (at(pos_, "%}")) {
            pos_ += 2 + (at(pos_ + 2, "\n") ? 1 : 0);
        } else {
            return false;
        }
    } else if (at(pos_, "-}}")) {
        pos_ = skip_space(pos_ + 3);
    } else if (at(pos_, "}}")) {
        pos_ += 2;
    } else {
        return false;
    }
    out_.push_back(
        {begin == TokenKind::block_begin ? TokenKind::block_end : TokenKind::var_end, "", at_end});
    line_starting_ = s_[pos_ - 1] == '\n';
    return true;
}

void Lexer::token(std::vector<char>& brackets) {
    const char c = s_[pos_];
    if (is_digit(c)) {
        number();
    } else if (is_name_start(c)) {
        const size_t begin = pos_;
        while (pos_ < s_.size() && is_name_char(s_[pos_])) {
            ++pos_;
        }
        out_.push_back({TokenKind::name, std::string(s_.substr(begin, pos_ - begin)), begin});
    } else if (c == '\'' || c == '"') {
        string();
    } else {
        op(brackets);
    }
}

void Lexer::number() {
    const size_t begin = pos_;
    const bool after_dot = begin > 0 && s_[begin - 1] == '.';  // `x.0` is an index, not 0.0
    auto digits = [&] {
        while (pos_ < s_.size() && is_digit(s_[pos_])) {
            ++pos_;
        }
    };
    digits();
    bool floating = false;
    if (!after_dot && at(pos_, ".") && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1])) {
        ++pos_;
        digits();
        floating = true;
    }
    if (!after_dot && pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
        size_t i = pos_ + 1;
        i += i < s_.size() && (s_[i] == '+' || s_[i] == '-') ? 1 : 0;
        if (i < s_.size() && is_digit(s_[i])) {
            pos_ = i;
            digits();
            floating = true;
        }
    }
    if (!floating &&
        s_[begin] == '0') {  // jinja2's integers: "0", or no leading zero ("01" is 0, 1)
        pos_ = begin + 1;
        while (pos_ < s_.size() && s_[pos_] == '0') {
            ++pos_;
        }
    }
    out_.push_back({floating ? TokenKind::floating : TokenKind::integer,
                    std::string(s_.substr(begin, pos_ - begin)), begin});
}

void Lexer::string() {
    const size_t begin = pos_;
    const char quote = s_[pos_++];
    std::string value;
    while (pos_ < s_.size() && s_[pos_] != quote) {
        if (s_[pos_] != '\\') {
            value += s_[pos_++];
        } else if (pos_ + 1 < s_.size()) {
            pos_ = escape(pos_ + 1, value);
        } else {
            break;
        }
    }
    if (pos_ >= s_.size()) {
        src_.fail(begin, "unterminated string literal");
    }
    ++pos_;
    out_.push_back({TokenKind::string, std::move(value), begin});
}

// Python's escapes: jinja2 decodes string literals with the "unicode-escape" codec.
size_t Lexer::escape(size_t i, std::string& value) const {
    const char e = s_[i];
    static constexpr std::string_view kSimple = "\\'\"abfnrtv";
    static constexpr std::string_view kMeaning = "\\'\"\a\b\f\n\r\t\v";
    if (const size_t k = kSimple.find(e); k != std::string_view::npos) {
        value += kMeaning[k];
        return i + 1;
    }
    if (e == '\n') {  // a backslash before a newline continues the line
        return i + 1;
    }
    if (e == 'x' || e == 'u' || e == 'U') {
        return hex_escape(i + 1, e == 'x' ? 2 : e == 'u' ? 4 : 8, value);
    }
    if (e >= '0' && e <= '7') {
        char32_t code = 0;
        size_t n = 0;
        for (; n < 3 && i + n < s_.size() && s_[i + n] >= '0' && s_[i + n] <= '7'; ++n) {
            code = code * 8 + (s_[i + n] - '0');
        }
        util::append_utf8(value, code);
        return i + n;
    }
    if (e == 'N') {
        src_.fail(i - 1, "\\N{...} escapes are not supported");
    }
    value += '\\';  // Python keeps unknown escapes as written
    return i;
}

size_t Lexer::hex_escape(size_t i, int digits, std::string& value) const {
    char32_t code = 0;
    for (int k = 0; k < digits; ++k) {
        const char c = i + k < s_.size() ? s_[i + k] : 0;
        const int d = is_digit(c)                              ? c - '0'
                      : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                               : -1;
        if (d < 0) {
            src_.fail(i - 2, "truncated \\x, \\u or \\U escape in a string literal");
        }
        code = code * 16 + static_cast<char32_t>(d);
    }
    if (code > 0x10ffff) {
        src_.fail(i - 2, "escape beyond U+10FFFF in a string literal");
    }
    util::append_utf8(value, code);
    return i + digits;
}

void Lexer::op(std::vector<char>& brackets) {
    static constexpr std::string_view kTwoChar[] = {"//", "**", "==", "!=", ">=", "<="};
    for (std::string_view two : kTwoChar) {
        if (at(pos_, two)) {
            out_.push_back({TokenKind::op, std::string(two), pos_});
            pos_ += 2;
            return;
        }
    }
    const char c = s_[pos_];
    if (std::string_view("+-/*%~[](){}<>=.:|,;").find(c) == std::string_view::npos) {
        src_.fail(pos_, std::string("unexpected character '") + c + "' in a tag");
    }
    if (c == '(' || c == '[' || c == '{') {
        brackets.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
        if (brackets.empty() || brackets.back() != c) {
            src_.fail(
                pos_,
                std::string("unexpected '") + c + "'" +
                    (brackets.empty() ? "" : std::string(", expected '") + brackets.back() + "'"));
        }
        brackets.pop_back();
    }
    out_.push_back({TokenKind::op, std::string(1, c), pos_++});
}

}  // namespace

std::vector<Token> lex(const Source& source) {
    return Lexer(source).run();
}

}  // namespace r1::tokenizer::jinja
