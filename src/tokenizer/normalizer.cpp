#include "r1/tokenizer/normalizer.h"

#include <utf8proc.h>

#include <cstdlib>

namespace r1::tokenizer {

bool normalize(Normalizer normalizer, std::string_view text, std::string& out) {
    if (normalizer == Normalizer::none) {
        return false;
    }
    bool ascii = true;
    for (char c : text) {
        ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    }
    if (ascii) {  // NFC leaves ASCII alone: skip utf8proc's allocation
        return false;
    }
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                     &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (n < 0) {  // invalid UTF-8: HF never sees such text (Rust strings); r1 keeps the bytes as they are
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
