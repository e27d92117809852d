#include "rewards/language_id.h"

#include <cstdio>  // compact_lang_det.h uses FILE without including it

#include <cld2/public/compact_lang_det.h>

namespace r1::rewards {

std::string normalize_language_code(std::string_view code) {
    if (code == "iw") {
        return "he";
    }
    if (code == "zh-Hant") {
        return "zh";
    }
    if (code == "nb" || code == "nn") {
        return "no";
    }
    return std::string(code);
}

std::optional<std::string> identify_language(std::string_view text) {
    CLD2::Language top3[3];
    int percent3[3];
    double score3[3];
    int text_bytes = 0, valid_prefix = 0;
    bool reliable = false;
    const CLD2::Language top = CLD2::ExtDetectLanguageSummaryCheckUTF8(
        text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, /*cld_hints=*/nullptr,
        /*flags=*/0, top3, percent3, score3, /*resultchunkvector=*/nullptr, &text_bytes, &reliable,
        &valid_prefix);
    if (!reliable || top == CLD2::UNKNOWN_LANGUAGE || top == CLD2::TG_UNKNOWN_LANGUAGE) {
        return std::nullopt;
    }
    return normalize_language_code(CLD2::LanguageCode(top));
}

}  // namespace r1::rewards
