// Private: Python's str semantics on UTF-8 text, as Jinja templates see strings: code-point
// length, indexing and slicing, Unicode whitespace, strip/split/replace/find, repr() and
// json.dumps quoting. Case mapping is ASCII-only (Python maps every script).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1::tokenizer::jinja::text {

/// The code point at s[i], advancing i; an invalid byte reads as itself (one byte).
char32_t decode(std::string_view s, size_t& i);

/// Byte offset of each code point's start, then s.size().
std::vector<size_t> starts(std::string_view s);
size_t length(std::string_view s);
/// The code points of s, each as its bytes (Python iterates a str this way).
std::vector<std::string> chars(std::string_view s);

bool is_space(char32_t c);  // Python's str.isspace()
/// Bytes of the whitespace run at the start / end of s.
size_t leading_space(std::string_view s);
size_t trailing_space(std::string_view s);

/// str.strip / lstrip / rstrip: `chars` absent strips whitespace.
enum class Side { both, left, right };
std::string strip(std::string_view s, const std::optional<std::string>& chars, Side side);

/// str.split / rsplit: `sep` absent splits on whitespace runs; maxsplit < 0: no limit.
std::vector<std::string> split(std::string_view s,
                               const std::optional<std::string>& sep,
                               int64_t maxsplit);
std::vector<std::string> rsplit(std::string_view s,
                                const std::optional<std::string>& sep,
                                int64_t maxsplit);
std::vector<std::string> splitlines(std::string_view s);

/// str.replace; count < 0: every occurrence.
std::string replace(std::string_view s, std::string_view old, std::string_view to, int64_t count);
/// str.find / rfind / count, in code points.
int64_t find(std::string_view s, std::string_view sub, bool from_right);
int64_t count(std::string_view s, std::string_view sub);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);  // str.capitalize
std::string title(std::string_view s);       // str.title
std::string title_words(
    std::string_view s);  // Jinja's title filter (words split on -, space, brackets)

/// Python's repr() of a str: quotes and escapes as CPython does (code points Python 3.11 deems
/// unprintable are escaped, except unassigned ones).
std::string repr(std::string_view s);
/// json.dumps of a str: `ensure_ascii` escapes every non-ASCII code point as \uXXXX.
std::string json_quote(std::string_view s, bool ensure_ascii);

}  // namespace r1::tokenizer::jinja::text
