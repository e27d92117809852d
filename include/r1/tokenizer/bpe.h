// The byte-level BPE model: one pre-tokenised word (raw bytes) -> token ids, merging adjacent
// symbols by merge rank exactly as HF's BPE (Word::merge_all): a min-heap on (rank, position) over
// a linked list of symbols, so a word of n bytes costs O(n log n) and no string is ever copied.
// Results for words up to 256 bytes are memoised in a bounded, sharded, thread-safe cache.
#pragma once

#include "r1/tokenizer/added_tokens.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace r1::tokenizer {

/// Merge rule number `rank` (its index in tokenizer.json's merges): left + right -> merged.
struct MergeRule {
    TokenId left = 0;
    TokenId right = 0;
    TokenId merged = 0;
};

struct BpeOptions {
    bool ignore_merges = false;  // a word that is itself a token is emitted whole (Llama 3)
    TokenId unk_id = -1;  // id for a byte without a token; -1: drop it (HF without unk_token)
    size_t cache_capacity = 1 << 16;  // words memoised; 0 disables the cache
};

class Bpe {
  public:
    /// `vocab` maps raw bytes to ids; `merges` in rank order (a repeated pair keeps the last rank).
    Bpe(std::unordered_map<std::string, TokenId> vocab,
        const std::vector<MergeRule>& merges,
        BpeOptions options);
    ~Bpe();
    Bpe(const Bpe&) = delete;
    Bpe& operator=(const Bpe&) = delete;

    /// Appends the ids of one word (its raw bytes) to `out`.
    void encode_word(std::string_view word, std::vector<TokenId>& out) const;
    /// The id of a whole byte string, or -1.
    TokenId find(std::string_view bytes) const;

    size_t merge_count() const { return merge_count_; }

  private:
    struct MergeTable;
    struct Cache;
    void merge(std::string_view word, std::vector<TokenId>& out) const;

    struct StringHash {
        using is_transparent = void;

        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>> vocab_;
    std::array<TokenId, 256> byte_ids_{};
    std::unique_ptr<MergeTable> merges_;
    std::unique_ptr<Cache> cache_;
    BpeOptions options_;
    size_t merge_count_ = 0;
};

}  // namespace r1::tokenizer
