// Added and special tokens (tokenizer.json's added_tokens): found in the text before
// pre-tokenisation and never split, as HF's AddedVocabulary does: leftmost-longest matching, then
// the single_word, lstrip and rstrip rules; tokens with normalized=true match the normalised text,
// the others the raw.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace r1::tokenizer {

using TokenId = int32_t;

struct AddedToken {
    TokenId id = 0;
    std::string content;
    bool single_word = false;  // only match between non-word characters
    bool lstrip = false;       // swallow the whitespace on the left
    bool rstrip = false;       // swallow the whitespace on the right
    bool normalized = true;  // match against normalised text (HF's default for non-special tokens)
    bool special = false;    // control token (<|im_end|>); decode can skip it
};

/// A piece of text: a run to pre-tokenise (id < 0) or an added token's match (its id).
struct TextPiece {
    std::string_view text;
    TokenId id = -1;
};

/// One matching set (HF's split_trie or split_normalized_trie): the tokens of one kind.
class AddedTokenMatcher {
  public:
    AddedTokenMatcher() = default;
    /// `patterns[i]` is what token `tokens[i]` looks like in the text it is matched against.
    AddedTokenMatcher(std::vector<AddedToken> tokens, std::vector<std::string> patterns);

    bool empty() const { return tokens_.empty(); }

    /// Splits `text` into pieces covering it; empty text gives no pieces.
    void split(std::string_view text, std::vector<TextPiece>& out) const;

  private:
    struct Match {
        size_t begin;
        size_t end;
        size_t token;
    };

    bool find(std::string_view text, size_t from, Match& match) const;

    std::vector<AddedToken> tokens_;
    std::vector<std::string> patterns_;
    std::array<std::vector<uint32_t>, 256> by_first_byte_;  // candidates, longest pattern first
};

}  // namespace r1::tokenizer
