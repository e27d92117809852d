// Text normalisation before pre-tokenisation: Unicode NFC (what Qwen2's tokenizer.json asks for),
// via utf8proc. Text that is not valid UTF-8 passes through unchanged, so encode works on any
// bytes.
#pragma once

#include <string>
#include <string_view>

namespace r1::tokenizer {

enum class Normalizer { none, nfc };

/// Writes the normalised `text` into `out` and returns true, or returns false when it is unchanged
/// (ASCII, already NFC, no normaliser, or invalid UTF-8), leaving `out` alone.
bool normalize(Normalizer normalizer, std::string_view text, std::string& out);

}  // namespace r1::tokenizer
