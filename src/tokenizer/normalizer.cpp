#include "r1/tokenizer/normalizer.h"

#include <cstdlib>

#include <utf8proc.h>

namespace r1::tokenizer {

namespace {

// Code points that are NFC_QC=Yes with combining class 0 and compose with nothing before them: a
// text made only of these is already NFC. Covers ASCII, Latin, Cyrillic, kana, CJK ideographs,
// fullwidth forms and emoji, so most text skips utf8proc's decompose-recompose round trip.
bool stable(char32_t c) {
    return c < 0x300 || (c >= 0x400 && c <= 0x482) || (c >= 0x48A && c <= 0x4FF) ||
           (c >= 0x3001 && c <= 0x3029) || (c >= 0x3041 && c <= 0x3096) ||
           (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xFF01 && c <= 0xFFEF) || (c >= 0x1F300 && c <= 0x1FAFF);
}

bool surely_nfc(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            ++i;
            continue;
        }
        const size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
        if (n == 0 || i + n > text.size()) {
            return false;  // let utf8proc judge (it rejects invalid UTF-8)
        }
        char32_t c = b & (0x7F >> n);
        for (size_t k = 1; k < n; ++k) {
            c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        }
        if (!stable(c)) {
            return false;
        }
        i += n;
    }
    return true;
}

}  // namespace

bool normalize(Normalizer normalizer, std::string_view text, std::string& out) {
    if (normalizer == Normalizer::none || surely_nfc(text)) {
        return false;
    }
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                     static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                     static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (n < 0) {  // invalid UTF-8: HF never sees such text (Rust strings); r1 keeps the bytes as
                  // they are
        return false;
    }
    const std::string_view result(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
    const bool changed = result != text;
    if (changed) {
        out.assign(result);
    }
    std::free(mapped);
    return changed;
}

}  // namespace r1::tokenizer
