#include "r1/tokenizer/bpe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace r1::tokenizer {
namespace {

// The merge loop written the slow, obvious way: repeatedly merge the adjacent pair of lowest rank
// (leftmost on ties). Bpe's heap must give the same ids.
std::vector<TokenId> naive_bpe(std::string_view word,
                               const std::vector<std::string>& tokens,
                               const std::vector<MergeRule>& merges) {
    std::vector<TokenId> s;
    for (unsigned char b : word) {
        s.push_back(b);
    }
    while (true) {
        size_t best_rank = merges.size(), best_pos = 0;
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            for (size_t r = 0; r < best_rank; ++r) {
                if (merges[r].left == s[i] && merges[r].right == s[i + 1]) {
                    best_rank = r;
                    best_pos = i;
                    break;
                }
            }
        }
        if (best_rank == merges.size()) {
            return s;
        }
        s[best_pos] = merges[best_rank].merged;
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(best_pos) + 1);
    }
}

TEST(BpeTest, HeapMergeEqualsNaiveMergeOnRandomWords) {
    // Tokens 0..255 are bytes; 40 random merges over a 4-letter alphabet make deep, overlapping
    // chains.
    std::mt19937 rng(3);
    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) {
        tokens.emplace_back(1, static_cast<char>(b));
    }
    std::vector<MergeRule> merges;
    std::unordered_map<std::string, TokenId> vocab;
    for (size_t id = 0; id < tokens.size(); ++id) {
        vocab[tokens[id]] = static_cast<TokenId>(id);
    }
    while (merges.size() < 40) {
        const auto pick = [&] {
            return rng() % 3 == 0 ? static_cast<TokenId>('a' + rng() % 4)
                                  : static_cast<TokenId>(
                                        256 + rng() % std::max<size_t>(1, tokens.size() - 256));
        };
        const TokenId l = pick(), r = pick();
        if (l >= static_cast<TokenId>(tokens.size()) || r >= static_cast<TokenId>(tokens.size()) ||
            vocab.count(tokens[l] + tokens[r]) != 0) {
            continue;
        }
        tokens.push_back(tokens[l] + tokens[r]);
        vocab[tokens.back()] = static_cast<TokenId>(tokens.size() - 1);
        merges.push_back({l, r, static_cast<TokenId>(tokens.size() - 1)});
    }
    const Bpe bpe(vocab, merges, {});
    for (int i = 0; i < 2000; ++i) {
        std::string word(1 + rng() % 40, 'a');
        for (char& c : word) {
            c = static_cast<char>('a' + rng() % 4);
        }
        std::vector<TokenId> ids;
        bpe.encode_word(word, ids);
        ASSERT_EQ(ids, naive_bpe(word, tokens, merges)) << word;
        ids.clear();
        bpe.encode_word(word, ids);  // second time from the cache
        ASSERT_EQ(ids, naive_bpe(word, tokens, merges)) << word;
    }
}

TEST(BpeTest, IgnoreMergesEmitsWholeWordsAndMissingBytesAreDropped) {
    // "abc" is a token but no merge builds it: only ignore_merges finds it (Llama 3's setting).
    std::unordered_map<std::string, TokenId> vocab{
        {"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"abc", 4}};
    const std::vector<MergeRule> merges{{0, 1, 3}};
    std::vector<TokenId> ids;
    Bpe(vocab, merges, {}).encode_word("abc", ids);
    EXPECT_EQ(ids, (std::vector<TokenId>{3, 2}));
    ids.clear();
    Bpe(vocab, merges, {.ignore_merges = true}).encode_word("abc", ids);
    EXPECT_EQ(ids, (std::vector<TokenId>{4}));
    ids.clear();
    // HF without unk_token skips an unknown symbol; its neighbours become adjacent and merge.
    Bpe(vocab, merges, {}).encode_word("axb", ids);
    EXPECT_EQ(ids, (std::vector<TokenId>{3}));
}

}  // namespace
}  // namespace r1::tokenizer
