// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), for
// safetensors headers and tensor names.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace r1::io {

/// The offset of the first byte that does not belong to valid UTF-8, or nullopt if all is valid.
std::optional<size_t> first_invalid_utf8(std::string_view text);

}  // namespace r1::io
