// Python's str methods on UTF-8 text (see jinja_text.h).
#include "tokenizer/jinja_text.h"

#include "r1/util/utf8.h"

#include <algorithm>
#include <array>
#include <functional>
#include <utility>

namespace r1::tokenizer::jinja::text {

char32_t decode(std::string_view s, size_t& i) {
    const auto byte = static_cast<unsigned char>(s[i]);
    return util::next_code_point(s, i).value_or(byte);
}

std::vector<size_t> starts(std::string_view s) {
    std::vector<size_t> out;
    for (size_t i = 0; i < s.size();) {
        out.push_back(i);
        decode(s, i);
    }
    out.push_back(s.size());
    return out;
}

size_t length(std::string_view s) {
    return starts(s).size() - 1;
}

std::vector<std::string> chars(std::string_view s) {
    const std::vector<size_t> at = starts(s);
    std::vector<std::string> out;
    for (size_t k = 0; k + 1 < at.size(); ++k) {
        out.emplace_back(s.substr(at[k], at[k + 1] - at[k]));
    }
    return out;
}

bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
           c == 0x202f || c == 0x205f || c == 0x3000;
}

size_t leading_space(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        size_t next = i;
        if (!is_space(decode(s, next))) {
            break;
        }
        i = next;
    }
    return i;
}

size_t trailing_space(std::string_view s) {
    const std::vector<size_t> at = starts(s);
    size_t k = at.size() - 1;  // code points kept: [0, k)
    while (k > 0) {
        size_t i = at[k - 1];
        if (!is_space(decode(s, i))) {
            break;
        }
        --k;
    }
    return s.size() - at[k];
}

namespace {

using Predicate = std::function<bool(char32_t)>;

Predicate strip_set(const std::optional<std::string>& chars) {
    if (!chars) {
        return is_space;
    }
    std::vector<char32_t> set;
    for (size_t i = 0; i < chars->size();) {
        set.push_back(decode(*chars, i));
    }
    return [set](char32_t c) { return std::find(set.begin(), set.end(), c) != set.end(); };
}

bool is_at(std::string_view s, size_t i, const Predicate& p) {
    return p(decode(s, i));
}

}  // namespace

std::string strip(std::string_view s, const std::optional<std::string>& chars, Side side) {
    const Predicate p = strip_set(chars);
    const std::vector<size_t> at = starts(s);
    size_t first = 0;
    size_t last = at.size() - 1;  // code points kept: [first, last)
    while (side != Side::right && first < last && is_at(s, at[first], p)) {
        ++first;
    }
    while (side != Side::left && last > first && is_at(s, at[last - 1], p)) {
        --last;
    }
    return std::string(s.substr(at[first], at[last] - at[first]));
}

namespace {

// Bytes of the whitespace code point at s[i] (0 if none), and of the one ending at s[j].
size_t space_at(std::string_view s, size_t i) {
    size_t next = i;
    return i < s.size() && is_space(decode(s, next)) ? next - i : 0;
}

size_t space_before(std::string_view s, size_t j) {
    if (j == 0) {
        return 0;
    }
    size_t i = j - 1;  // back to the start of the code point ending at j
    while (i > 0 && j - i < 4 && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) {
        --i;
    }
    return space_at(s, i) == j - i ? j - i : 0;
}

std::vector<std::string> split_space(std::string_view s, int64_t maxsplit) {
    std::vector<std::string> out;
    size_t i = 0;
    while (true) {
        while (size_t n = space_at(s, i)) {
            i += n;
        }
        if (i == s.size()) {
            break;
        }
        if (maxsplit-- == 0) {
            out.emplace_back(s.substr(i));
            break;
        }
        size_t j = i;
        while (j < s.size() && space_at(s, j) == 0) {
            size_t next = j;
            decode(s, next);
            j = next;
        }
        out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::vector<std::string> rsplit_space(std::string_view s, int64_t maxsplit) {
    std::vector<std::string> out;
    size_t j = s.size();
    while (true) {
        while (size_t n = space_before(s, j)) {
            j -= n;
        }
        if (j == 0) {
            break;
        }
        if (maxsplit-- == 0) {
            out.emplace_back(s.substr(0, j));
            break;
        }
        size_t i = j;
        while (i > 0 && space_before(s, i) == 0) {
            --i;
        }
        out.emplace_back(s.substr(i, j - i));
        j = i;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace

std::vector<std::string> split(std::string_view s,
                               const std::optional<std::string>& sep,
                               int64_t maxsplit) {
    if (!sep) {
        return split_space(s, maxsplit);
    }
    std::vector<std::string> out;
    size_t i = 0;
    for (size_t at; maxsplit-- != 0 && (at = s.find(*sep, i)) != std::string_view::npos;) {
        out.emplace_back(s.substr(i, at - i));
        i = at + sep->size();
    }
    out.emplace_back(s.substr(i));
    return out;
}

std::vector<std::string> rsplit(std::string_view s,
                                const std::optional<std::string>& sep,
                                int64_t maxsplit) {
    if (!sep) {
        return rsplit_space(s, maxsplit);
    }
    std::vector<std::string> out;
    size_t j = s.size();
    while (maxsplit-- != 0 && j >= sep->size()) {
        const size_t at = s.rfind(*sep, j - sep->size());
        if (at == std::string_view::npos) {
            break;
        }
        out.emplace_back(s.substr(at + sep->size(), j - at - sep->size()));
        j = at;
    }
    out.emplace_back(s.substr(0, j));
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<std::string> splitlines(std::string_view s) {
    std::vector<std::string> out;
    size_t begin = 0;
    for (size_t i = 0; i < s.size();) {
        const size_t at = i;
        const char32_t c = decode(s, i);
        const bool line_break = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c ||
                                (c >= 0x1c && c <= 0x1e) || c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!line_break) {
            continue;
        }
        out.emplace_back(s.substr(begin, at - begin));
        if (c == '\r' && i < s.size() && s[i] == '\n') {
            ++i;
        }
        begin = i;
    }
    if (begin < s.size()) {
        out.emplace_back(s.substr(begin));
    }
    return out;
}

std::string replace(std::string_view s, std::string_view old, std::string_view to, int64_t count) {
    std::string out;
    if (old.empty()) {  // Python inserts `to` before each code point and at the end
        const std::vector<size_t> at = starts(s);
        for (size_t k = 0; k < at.size(); ++k) {
            if (count-- != 0) {
                out += to;
            }
            if (k + 1 < at.size()) {
                out += s.substr(at[k], at[k + 1] - at[k]);
            }
        }
        return out;
    }
    size_t i = 0;
    for (size_t at; count-- != 0 && (at = s.find(old, i)) != std::string_view::npos;) {
        out += s.substr(i, at - i);
        out += to;
        i = at + old.size();
    }
    out += s.substr(i);
    return out;
}

int64_t find(std::string_view s, std::string_view sub, bool from_right) {
    const size_t at = from_right ? s.rfind(sub) : s.find(sub);
    if (at == std::string_view::npos) {
        return -1;
    }
    return static_cast<int64_t>(length(s.substr(0, at)));
}

int64_t count(std::string_view s, std::string_view sub) {
    if (sub.empty()) {
        return static_cast<int64_t>(length(s)) + 1;
    }
    int64_t n = 0;
    for (size_t at = s.find(sub); at != std::string_view::npos; at = s.find(sub, at + sub.size())) {
        ++n;
    }
    return n;
}

namespace {

char ascii_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
}

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool ascii_alpha(char c) {
    return ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z';
}

}  // namespace

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_upper);
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

std::string capitalize(std::string_view s) {
    std::string out = lower(s);
    if (!out.empty()) {
        out[0] = ascii_upper(out[0]);
    }
    return out;
}

std::string title(std::string_view s) {
    std::string out(s);
    bool after_letter = false;
    for (char& c : out) {
        if (ascii_alpha(c)) {
            c = after_letter ? ascii_lower(c) : ascii_upper(c);
        }
        after_letter = ascii_alpha(c);
    }
    return out;
}

std::string title_words(std::string_view s) {
    std::string out(s);
    bool word_start = true;
    for (size_t i = 0; i < out.size();) {
        const size_t at = i;
        const char32_t c = decode(out, i);
        const bool separator =
            c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_space(c);
        if (!separator) {
            out[at] = word_start ? ascii_upper(out[at]) : ascii_lower(out[at]);
        }
        word_start = separator;
    }
    return out;
}

namespace {

// Code points CPython 3.11's str.isprintable() rejects above ASCII (categories Cc, Cf, Zs but
// the space, Zl, Zp, Cs, Co; the unassigned Cn are left out).
constexpr std::array<std::pair<char32_t, char32_t>, 27> kUnprintable{{
    {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},       {0x61c, 0x61c},
    {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x890, 0x891},       {0x8e2, 0x8e2},
    {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},     {0x2028, 0x202f},
    {0x205f, 0x2064},   {0x2066, 0x206f},   {0x3000, 0x3000},     {0xd800, 0xf8ff},
    {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd},   {0x110cd, 0x110cd},
    {0x13430, 0x13438}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},   {0xe0001, 0xe0001},
    {0xe0020, 0xe007f}, {0xf0000, 0xffffd}, {0x100000, 0x10fffd},
}};

bool printable(char32_t c) {
    if (c < 0x80) {
        return c >= 0x20 && c < 0x7f;
    }
    return std::none_of(kUnprintable.begin(), kUnprintable.end(),
                        [c](const auto& r) { return c >= r.first && c <= r.second; });
}

void append_hex(std::string& out, const char* prefix, char32_t c, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += prefix;
    for (int k = digits - 1; k >= 0; --k) {
        out += kHex[(c >> (4 * k)) & 0xf];
    }
}

}  // namespace

std::string repr(std::string_view s) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const char quote = has_single && s.find('"') == std::string_view::npos ? '"' : '\'';
    std::string out(1, quote);
    for (size_t i = 0; i < s.size();) {
        const size_t at = i;
        const char32_t c = decode(s, i);
        if (c == static_cast<char32_t>(quote) || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\t' || c == '\n' || c == '\r') {
            out += c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r";
        } else if (printable(c)) {
            out += s.substr(at, i - at);
        } else if (c <= 0xff) {
            append_hex(out, "\\x", c, 2);
        } else {
            append_hex(out, c <= 0xffff ? "\\u" : "\\U", c, c <= 0xffff ? 4 : 8);
        }
    }
    out += quote;
    return out;
}

std::string json_quote(std::string_view s, bool ensure_ascii) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
        const size_t at = i;
        const char32_t c = decode(s, i);
        switch (c) {
            case '"':
                out += "\\\"";
                continue;
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            case '\b':
                out += "\\b";
                continue;
            case '\f':
                out += "\\f";
                continue;
            default:
                break;
        }
        if (c < 0x20 || (ensure_ascii && c >= 0x7f && c <= 0xffff)) {
            append_hex(out, "\\u", c, 4);
        } else if (ensure_ascii && c > 0xffff) {  // a UTF-16 surrogate pair, as Python writes it
            append_hex(out, "\\u", 0xd800 + ((c - 0x10000) >> 10), 4);
            append_hex(out, "\\u", 0xdc00 + ((c - 0x10000) & 0x3ff), 4);
        } else {
            out += s.substr(at, i - at);
        }
    }
    return out + "\"";
}

}  // namespace r1::tokenizer::jinja::text
