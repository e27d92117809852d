#include "r1/tokenizer/pretokenize.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include "r1/util/error.h"
#include "r1/util/str.h"
#include "r1/util/utf8.h"

#include <pcre2.h>

#include <algorithm>
#include <utility>

namespace r1::tokenizer {

// -- byte <-> unicode
// --------------------------------------------------------------------------------

const std::array<char32_t, 256>& byte_to_unicode() {
    // GPT-2: printable Latin-1 bytes stand for themselves; the other 68 shift to U+0100 and up.
    static const std::array<char32_t, 256> table = [] {
        std::array<char32_t, 256> t{};
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            t[b] = printable ? static_cast<char32_t>(b) : next++;
        }
        return t;
    }();
    return table;
}

namespace {

// The inverse map: code points 0..0x143 -> byte + 1 (0: not in the map).
const std::array<uint16_t, 0x144>& unicode_to_byte() {
    static const std::array<uint16_t, 0x144> table = [] {
        std::array<uint16_t, 0x144> t{};
        for (int b = 0; b < 256; ++b) {
            t[byte_to_unicode()[b]] = static_cast<uint16_t>(b + 1);
        }
        return t;
    }();
    return table;
}

}  // namespace

std::string bytes_to_unicode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        util::append_utf8(out, byte_to_unicode()[b]);
    }
    return out;
}

std::optional<std::string> unicode_to_bytes(std::string_view text) {
    // Every mapped code point is below U+0800: one or two UTF-8 bytes.
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto c0 = static_cast<unsigned char>(text[i]);
        char32_t cp = 0;
        if (c0 < 0x80) {
            cp = c0;
            i += 1;
        } else if ((c0 & 0xE0) == 0xC0 && i + 1 < text.size() &&
                   (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
            cp = ((c0 & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F);
            i += 2;
        } else {
            return std::nullopt;
        }
        if (cp >= unicode_to_byte().size() || unicode_to_byte()[cp] == 0) {
            return std::nullopt;
        }
        out += static_cast<char>(unicode_to_byte()[cp] - 1);
    }
    return out;
}

// -- Regex
// -------------------------------------------------------------------------------------------

struct Regex::Impl {
    pcre2_code* code = nullptr;
    bool jit = false;

    ~Impl() { pcre2_code_free(code); }
};

namespace {

// Per-thread match state: one ovector pair is all find_all needs, and a JIT stack larger than the
// 32 KiB default so long runs of whitespace under `\s+(?!\S)` never hit the limit.
struct MatchState {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, nullptr);

    MatchState() { pcre2_jit_stack_assign(context, nullptr, stack); }

    ~MatchState() {
        pcre2_jit_stack_free(stack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(data);
    }

    MatchState(const MatchState&) = delete;
    MatchState& operator=(const MatchState&) = delete;
};

MatchState& match_state() {
    thread_local MatchState state;
    return state;
}

std::string pcre2_message(int code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof buffer);
    return reinterpret_cast<const char*>(buffer);
}

}  // namespace

Regex::Regex(std::string_view pattern, bool literal) : pattern_(pattern) {
    auto impl = std::make_shared<Impl>();
    int error = 0;
    PCRE2_SIZE offset = 0;
    // PCRE2_LITERAL refuses PCRE2_UCP (it has no classes to apply it to).
    const uint32_t options =
        PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
    impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               options, &error, &offset, nullptr);
    if (impl->code == nullptr) {
        throw util::FormatError(util::str("invalid regex '", pattern, "': ", pcre2_message(error),
                                          " at offset ", offset));
    }
    impl->jit = pcre2_jit_compile(impl->code, PCRE2_JIT_COMPLETE) == 0;  // else: the interpreter
    impl_ = std::move(impl);
}

bool Regex::jit() const {
    return impl_->jit;
}

void Regex::find_all(std::string_view text, std::vector<Span>& out) const {
    MatchState& state = match_state();
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t offset = 0;
    while (offset <= text.size()) {
        int rc =
            pcre2_match(impl_->code, subject, text.size(), offset, 0, state.data, state.context);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {  // the interpreter keeps its frames on the heap
            rc = pcre2_match(impl_->code, subject, text.size(), offset, PCRE2_NO_JIT, state.data,
                             state.context);
        }
        if (rc == PCRE2_ERROR_NOMATCH) {
            return;
        }
        if (rc < 0) {
            throw util::FormatError(util::str("regex '", pattern_, "' failed on a ", text.size(),
                                              "-byte text: ", pcre2_message(rc)));
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
        const size_t begin = ovector[0];
        const size_t end = ovector[1];
        if (end > begin) {
            out.push_back({begin, end});
            offset = end;
            continue;
        }
        // An empty match: step over one character (one byte, then any continuation bytes).
        offset = begin + 1;
        while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) {
            ++offset;
        }
    }
}

// -- Split
// -------------------------------------------------------------------------------------------

namespace {

struct Segment {
    size_t begin;
    size_t end;
    bool is_match;
};

// HF's NormalizedString::split folds over (offsets, is_match) segments; these are its five folds.
void fold(SplitBehavior behavior, const std::vector<Segment>& segments, std::vector<Segment>& acc) {
    bool previous_match = false;
    switch (behavior) {
        case SplitBehavior::removed:
            for (const Segment& s : segments) {
                if (!s.is_match) {
                    acc.push_back(s);
                }
            }
            return;
        case SplitBehavior::isolated:
            acc = segments;
            return;
        case SplitBehavior::merged_with_previous:
        case SplitBehavior::contiguous:
            for (const Segment& s : segments) {
                const bool merge = behavior == SplitBehavior::contiguous
                                       ? s.is_match == previous_match
                                       : s.is_match && !previous_match;
                if (merge && !acc.empty()) {
                    acc.back().end = s.end;
                } else {
                    acc.push_back({s.begin, s.end, false});
                }
                previous_match = s.is_match;
            }
            return;
        case SplitBehavior::merged_with_next:
            for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
                if (it->is_match && !previous_match && !acc.empty()) {
                    acc.back().begin = it->begin;
                } else {
                    acc.push_back({it->begin, it->end, false});
                }
                previous_match = it->is_match;
            }
            std::reverse(acc.begin(), acc.end());
            return;
    }
}

}  // namespace

void split_piece(const SplitStep& step,
                 std::string_view piece,
                 std::vector<Regex::Span>& matches,
                 std::vector<std::string_view>& out) {
    if (piece.empty()) {
        return;
    }
    matches.clear();
    step.pattern.find_all(piece, matches);
    if (step.behavior == SplitBehavior::isolated &&
        !step.invert) {  // the common case, without copies
        size_t previous = 0;
        for (const Regex::Span& m : matches) {
            if (m.begin > previous) {
                out.push_back(piece.substr(previous, m.begin - previous));
            }
            out.push_back(piece.substr(m.begin, m.end - m.begin));
            previous = m.end;
        }
        if (previous < piece.size()) {
            out.push_back(piece.substr(previous));
        }
        return;
    }
    thread_local std::vector<Segment> segments;
    thread_local std::vector<Segment> acc;
    segments.clear();
    acc.clear();
    size_t previous = 0;
    for (const Regex::Span& m : matches) {
        if (m.begin > previous) {
            segments.push_back({previous, m.begin, step.invert});
        }
        segments.push_back({m.begin, m.end, !step.invert});
        previous = m.end;
    }
    if (previous < piece.size()) {
        segments.push_back({previous, piece.size(), step.invert});
    }
    fold(step.behavior, segments, acc);
    for (const Segment& s : acc) {
        if (s.end > s.begin) {
            out.push_back(piece.substr(s.begin, s.end - s.begin));
        }
    }
}

// -- PreTokenizer
// ------------------------------------------------------------------------------------

PreTokenizer::PreTokenizer(std::vector<PreTokenizerStep> steps) : steps_(std::move(steps)) {
    for (const PreTokenizerStep& step : steps_) {
        const auto* byte_level = std::get_if<ByteLevelStep>(&step);
        if (byte_level != nullptr && byte_level->use_regex && !gpt2_) {
            gpt2_.emplace(SplitStep{Regex(kGpt2Pattern), SplitBehavior::isolated, false});
        }
    }
}

void PreTokenizer::split(std::string_view text, Pieces& out) const {
    out.views.clear();
    out.arena.clear();
    if (text.empty()) {
        return;
    }
    out.views.push_back(text);
    for (const PreTokenizerStep& step : steps_) {
        out.scratch.clear();
        if (const auto* s = std::get_if<SplitStep>(&step)) {
            for (std::string_view piece : out.views) {
                split_piece(*s, piece, out.matches, out.scratch);
            }
        } else {
            const auto& b = std::get<ByteLevelStep>(step);
            for (std::string_view piece : out.views) {
                if (b.add_prefix_space && piece.front() != ' ') {
                    piece = out.arena.emplace_back(" " + std::string(piece));
                }
                if (b.use_regex) {
                    split_piece(*gpt2_, piece, out.matches, out.scratch);
                } else {
                    out.scratch.push_back(piece);
                }
            }
        }
        std::swap(out.views, out.scratch);
    }
}

}  // namespace r1::tokenizer
