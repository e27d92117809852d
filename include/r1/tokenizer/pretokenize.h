// Pre-tokenisation as Hugging Face tokenizers does it: PCRE2 regex splits with HF's five delimiter
// behaviours, GPT-2's ByteLevel step (optional prefix space and regex), and GPT-2's byte <->
// unicode map that tokenizer.json vocabularies are written in.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace r1::tokenizer {

// -- GPT-2's byte <-> unicode map
// ------------------------------------------------------------------

/// The printable code point GPT-2's ByteLevel writes for each byte ('Ġ' for ' ', 'Ċ' for '\n').
const std::array<char32_t, 256>& byte_to_unicode();
/// Bytes -> their ByteLevel spelling in UTF-8 ("a b" -> "aĠb"), as vocab keys are written.
std::string bytes_to_unicode(std::string_view bytes);
/// The inverse; nullopt if `text` is not UTF-8 or holds a code point outside the map.
std::optional<std::string> unicode_to_bytes(std::string_view text);

// -- regex
// -------------------------------------------------------------------------------------------

/// A PCRE2 pattern compiled in UTF mode with Unicode properties (\p{L}, \s as Unicode),
/// JIT-compiled where the platform allows (falls back to the interpreter otherwise). Matching is
/// safe on invalid UTF-8 (PCRE2_MATCH_INVALID_UTF): bad bytes match nothing and stay in the gaps
/// between matches. Immutable after construction and safe to share across threads.
class Regex {
  public:
    struct Span {
        size_t begin = 0;
        size_t end = 0;
    };

    /// Throws util::FormatError("invalid regex ...: <PCRE2's message> at offset N") on a bad
    /// pattern. `literal`: the pattern is a plain string (HF's Split pattern {"String": ...}).
    explicit Regex(std::string_view pattern, bool literal = false);

    /// Appends every non-overlapping match of `text`, left to right (empty matches skipped).
    void find_all(std::string_view text, std::vector<Span>& out) const;

    const std::string& pattern() const { return pattern_; }

    bool jit() const;

  private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
    std::string pattern_;
};

/// GPT-2's split regex, which a ByteLevel pre-tokenizer with use_regex=true applies.
inline constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

/// Qwen2's split regex (also the default of r1's BPE trainer): contractions, letter runs with one
/// leading non-letter, single digits, punctuation runs, newline runs, whitespace.
inline constexpr std::string_view kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// -- pre-tokenizer steps
// -----------------------------------------------------------------------------

/// What a Split does with the matched delimiters (HF's SplitDelimiterBehavior).
enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

/// HF's Split (and Digits, which is a Split on \p{N} or \p{N}+).
struct SplitStep {
    Regex pattern;
    SplitBehavior behavior = SplitBehavior::isolated;
    bool invert = false;  // the pattern matches the pieces to keep, not the delimiters
};

/// HF's ByteLevel pre-tokenizer. The byte -> unicode mapping itself is implicit: r1 keeps raw bytes
/// and keys its vocabulary by bytes, so only the prefix space and the optional regex remain.
struct ByteLevelStep {
    bool add_prefix_space = false;  // prepend ' ' to every piece not starting with one
    bool use_regex = true;          // split with kGpt2Pattern
};

using PreTokenizerStep = std::variant<SplitStep, ByteLevelStep>;

/// Pieces of one text: views into the text or into `arena` (pieces a step had to rewrite).
struct Pieces {
    std::vector<std::string_view> views;
    std::deque<std::string> arena;
    std::vector<std::string_view> scratch;  // reused between steps
    std::vector<Regex::Span> matches;       // reused between calls
};

/// A sequence of steps applied in order, each to every piece the previous one produced; empty
/// pieces are dropped, as HF's PreTokenizedString::split does.
class PreTokenizer {
  public:
    PreTokenizer() = default;
    explicit PreTokenizer(std::vector<PreTokenizerStep> steps);

    /// Splits `text` into words, appending them to `out.views` (valid while `text` and `out` live).
    void split(std::string_view text, Pieces& out) const;

    const std::vector<PreTokenizerStep>& steps() const { return steps_; }

  private:
    std::vector<PreTokenizerStep> steps_;
    std::optional<SplitStep> gpt2_;  // GPT-2's split, compiled once when a ByteLevel step uses it
};

/// One Split applied to one piece: appends the resulting non-empty pieces to `out`.
void split_piece(const SplitStep& step,
                 std::string_view piece,
                 std::vector<Regex::Span>& matches,
                 std::vector<std::string_view>& out);

}  // namespace r1::tokenizer
