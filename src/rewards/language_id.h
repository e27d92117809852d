// Private: which language a text is in, by Chrome's Compact Language Detector 2 (Debian's
// libcld2-dev with its full tables: 160+ languages from character quadgrams and frequent words,
// with a reliability flag). Used by language_consistency to tell apart the languages of one script
// (English, French, German...).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace r1::rewards {

/// The text's language as an ISO 639-1 code ("en", "fr", "zh"), or nullopt when CLD2 is not sure
/// (too few letters, or no language scores far enough ahead).
std::optional<std::string> identify_language(std::string_view text);

/// ISO 639-1 for the codes CLD2 and older standards spell otherwise ("iw" -> "he", "zh-Hant" ->
/// "zh"); other codes unchanged.
std::string normalize_language_code(std::string_view code);

}  // namespace r1::rewards
