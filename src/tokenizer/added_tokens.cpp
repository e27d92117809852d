#include "r1/tokenizer/added_tokens.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <utf8proc.h>

namespace r1::tokenizer {

namespace {

// Unicode White_Space, which HF's `\s` (Rust regex) means.
bool is_space(int32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

// Rust regex's `\w`: letters, marks, decimal digits, letter numbers, connector punctuation,
// joiners.
bool is_word(int32_t c) {
    if (c < 0) {
        return false;
    }
    switch (utf8proc_category(c)) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
        case UTF8PROC_CATEGORY_ME:
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_PC:
            return true;
        default:
            return c == 0x200C || c == 0x200D;
    }
}

// The code point starting at `i` and its length (-1 and 1 for an invalid byte).
std::pair<int32_t, size_t> char_at(std::string_view s, size_t i) {
    utf8proc_int32_t c = -1;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    static_cast<utf8proc_ssize_t>(s.size() - i), &c);
    return n > 0 ? std::pair{c, static_cast<size_t>(n)} : std::pair{-1, size_t{1}};
}

// The code point ending at `end` and its length.
std::pair<int32_t, size_t> char_before(std::string_view s, size_t end) {
    size_t begin = end - 1;
    while (begin > 0 && end - begin < 4 && (static_cast<unsigned char>(s[begin]) & 0xC0) == 0x80) {
        --begin;
    }
    auto [c, n] = char_at(s, begin);
    return begin + n == end ? std::pair{c, n} : std::pair{-1, size_t{1}};
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens,
                                     std::vector<std::string> patterns)
    : tokens_(std::move(tokens)), patterns_(std::move(patterns)) {
    for (size_t i = 0; i < patterns_.size(); ++i) {
        if (!patterns_[i].empty()) {
            by_first_byte_[static_cast<unsigned char>(patterns_[i][0])].push_back(
                static_cast<uint32_t>(i));
        }
    }
    for (auto& candidates : by_first_byte_) {  // longest first; ties keep the file's order
        std::stable_sort(candidates.begin(), candidates.end(), [&](uint32_t a, uint32_t b) {
            return patterns_[a].size() > patterns_[b].size();
        });
    }
}

bool AddedTokenMatcher::find(std::string_view text, size_t from, Match& match) const {
    for (size_t i = from; i < text.size(); ++i) {
        for (uint32_t t : by_first_byte_[static_cast<unsigned char>(text[i])]) {
            const std::string& p = patterns_[t];
            if (p.size() <= text.size() - i &&
                std::memcmp(text.data() + i, p.data(), p.size()) == 0) {
                match = {i, i + p.size(), t};  // leftmost, and longest at that position
                return true;
            }
        }
    }
    return false;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<TextPiece>& out) const {
    size_t start_offset = 0;  // HF's find_matches, rule for rule
    Match m{};
    for (size_t from = 0; find(text, from, m); from = m.end) {
        const AddedToken& token = tokens_[m.token];
        size_t start = m.begin;
        size_t stop = m.end;
        if (token.single_word) {
            const bool start_space = start == 0 || !is_word(char_before(text, start).first);
            const bool stop_space = stop == text.size() || !is_word(char_at(text, stop).first);
            if (!start_space || !stop_space) {
                continue;
            }
        }
        if (token.lstrip) {
            size_t s = start;
            while (s > 0) {
                auto [c, n] = char_before(text, s);
                if (!is_space(c)) {
                    break;
                }
                s -= n;
            }
            start = std::max(s, start_offset);
        }
        if (token.rstrip) {
            while (stop < text.size()) {
                auto [c, n] = char_at(text, stop);
                if (!is_space(c)) {
                    break;
                }
                stop += n;
            }
        }
        if (start_offset < start) {
            out.push_back({text.substr(start_offset, start - start_offset), -1});
        }
        out.push_back({text.substr(start, stop - start), token.id});
        start_offset = stop;
    }
    if (start_offset < text.size()) {
        out.push_back({text.substr(start_offset), -1});
    }
}

}  // namespace r1::tokenizer
