// UTF-8 code points, read and written: the one decoder the tokenizer's Jinja strings, the
// language reward's script counts and ByteLevel's byte map share.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace r1::util {

/// The code point starting at s[i], advancing i past it; nullopt (advancing one byte) for a byte
/// that does not start a whole, well-formed sequence. Callers choose what such a byte reads as.
std::optional<char32_t> next_code_point(std::string_view s, size_t& i);

/// Appends `c` encoded as UTF-8.
void append_utf8(std::string& out, char32_t c);

}  // namespace r1::util
