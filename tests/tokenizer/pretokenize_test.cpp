#include "r1/tokenizer/pretokenize.h"

#include "r1/util/error.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::tokenizer {
namespace {

std::vector<std::string> split(const SplitStep& step, std::string_view text) {
    std::vector<Regex::Span> matches;
    std::vector<std::string_view> pieces;
    split_piece(step, text, matches, pieces);
    return {pieces.begin(), pieces.end()};
}

TEST(ByteLevelTest, MapMatchesGpt2) {
    EXPECT_EQ(byte_to_unicode()[' '], U'\u0120');   // 'Ġ'
    EXPECT_EQ(byte_to_unicode()['\n'], U'\u010A');  // 'Ċ'
    EXPECT_EQ(byte_to_unicode()['a'], U'a');
    EXPECT_EQ(byte_to_unicode()[0xAD], U'\u0143');  // the soft hyphen is the last shifted byte
    EXPECT_EQ(bytes_to_unicode("a b\n"), "a\u0120b\u010A");
    std::string all;
    for (int b = 0; b < 256; ++b) {
        all += static_cast<char>(b);
    }
    EXPECT_EQ(unicode_to_bytes(bytes_to_unicode(all)), all);
    EXPECT_EQ(unicode_to_bytes("\u4e2d"), std::nullopt);  // not a ByteLevel character
    EXPECT_EQ(unicode_to_bytes("\xff"), std::nullopt);    // not UTF-8
}

// The table of HF's SplitDelimiterBehavior docs: "the-final--countdown" split on "-".
TEST(SplitTest, BehaviorsMatchHuggingFaceDocs) {
    const std::string text = "the-final--countdown";
    auto step = [](SplitBehavior b, bool invert = false) {
        return SplitStep{Regex("-", true), b, invert};
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(split(step(SplitBehavior::removed), text), (V{"the", "final", "countdown"}));
    EXPECT_EQ(split(step(SplitBehavior::isolated), text),
              (V{"the", "-", "final", "-", "-", "countdown"}));
    EXPECT_EQ(split(step(SplitBehavior::merged_with_previous), text),
              (V{"the-", "final-", "-", "countdown"}));
    EXPECT_EQ(split(step(SplitBehavior::merged_with_next), text),
              (V{"the", "-final", "-", "-countdown"}));
    EXPECT_EQ(split(step(SplitBehavior::contiguous), text),
              (V{"the", "-", "final", "--", "countdown"}));
    EXPECT_EQ(split(step(SplitBehavior::removed, true), text), (V{"-", "-", "-"}));
}

TEST(SplitTest, Qwen2PatternSplitsUnicodeClasses) {
    const SplitStep step{Regex(kQwen2Pattern), SplitBehavior::isolated, false};
    using V = std::vector<std::string>;
    EXPECT_EQ(split(step, "Hello world's 123  \n\n x"),
              (V{"Hello", " world", "'s", " ", "1", "2", "3", "  \n\n", " x"}));
    EXPECT_EQ(split(step, "Привет, мир"), (V{"Привет", ",", " мир"}));
}

TEST(RegexTest, InvalidUtf8IsMatchedAroundNotRejected) {
    const Regex letters(R"(\p{L}+)");
    std::vector<Regex::Span> spans;
    letters.find_all(
        "ab\xff\xfe"
        "cd\xc3",
        spans);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].begin, 0u);
    EXPECT_EQ(spans[0].end, 2u);
    EXPECT_EQ(spans[1].begin, 4u);
    EXPECT_EQ(spans[1].end, 6u);
}

TEST(RegexTest, BadPatternIsFormatError) {
    const std::string message = test::error_of<util::FormatError>([] { Regex("(?<=a+)b["); });
    test::expect_contains(message, {"invalid regex", "at offset"});
}

TEST(RegexTest, LongWhitespaceRunNeedsNoDeepStack) {
    const Regex gpt2(kGpt2Pattern);
    std::vector<Regex::Span> spans;
    gpt2.find_all(std::string(1 << 20, ' ') + "x", spans);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].end, (1u << 20) - 1);  // \s+(?!\S) leaves the last space to " x"
}

TEST(PreTokenizerTest, ByteLevelPrefixSpaceAndGpt2Regex) {
    const PreTokenizer p({ByteLevelStep{.add_prefix_space = true, .use_regex = true}});
    Pieces pieces;
    p.split("Hello my friend,  how", pieces);
    const std::vector<std::string> got(pieces.views.begin(), pieces.views.end());
    EXPECT_EQ(got, (std::vector<std::string>{" Hello", " my", " friend", ",", " ", " how"}));
}

}  // namespace
}  // namespace r1::tokenizer
