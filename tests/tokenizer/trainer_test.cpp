#include "r1/tokenizer/trainer.h"

#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::tokenizer {
namespace {

TEST(TrainerTest, MergesMostFrequentPairsFirst) {
    // Words (no split pattern: the whole text is one word per special-free chunk): "aaab" x3, "ab"
    // x2.
    const std::string corpus = "aaab<s>aaab<s>aaab<s>ab<s>ab";
    const BpeVocabulary v =
        train_bpe(corpus, {.vocab_size = 256 + 3 + 1, .specials = {"<s>"}, .split_pattern = ""});
    // Pair counts: aa 6, ab 5 -> "aa" first; then "aa"+"a" 3 vs "a"+"b" 5... -> "ab" (5); then
    // "aa"+"ab" 3.
    ASSERT_EQ(v.merges.size(), 3u);
    EXPECT_EQ(v.merges[0], (std::pair<std::string, std::string>{"a", "a"}));
    EXPECT_EQ(v.merges[1], (std::pair<std::string, std::string>{"a", "b"}));
    EXPECT_EQ(v.merges[2], (std::pair<std::string, std::string>{"aa", "ab"}));
    const Tokenizer tok = Tokenizer::from_json(to_tokenizer_json(v), "trained.json");
    EXPECT_EQ(tok.encode("aaab<s>ab"), (std::vector<TokenId>{258, 259, 257}));
    EXPECT_EQ(tok.decode(tok.encode("aaab<s>ab")), "aaab<s>ab");
}

TEST(TrainerTest, StopsAtMinFrequencyAndRejectsTinyVocab) {
    const BpeVocabulary v = train_bpe("xy ab ab", {.vocab_size = 1000, .specials = {}});
    for (const auto& [l, r] : v.merges) {
        EXPECT_NE(l + r, "xy");  // seen once: below min_frequency 2
    }
    const std::string message = test::error_of<util::ConfigError>(
        [] { train_bpe("x", {.vocab_size = 100, .specials = {"<s>"}}); });
    test::expect_contains(message, {"vocab_size 100", "256 bytes + 1 special"});
}

}  // namespace
}  // namespace r1::tokenizer
