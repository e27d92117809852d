// language_consistency on hand-counted strings: words per script, the chain of thought, targets.
#include "r1/rewards/language.h"

#include <gtest/gtest.h>

namespace r1::rewards {
namespace {

TEST(LanguageTest, CountsWordsPerScript) {
    using M = std::map<Script, int64_t>;
    EXPECT_EQ(count_words("I think 答案 is 42."), (M{{Script::latin, 3}, {Script::han, 2}}));
    EXPECT_EQ(count_words("café naïve, x2y"), (M{{Script::latin, 4}}));  // digits split x2y
    EXPECT_EQ(count_words("Привет world"), (M{{Script::cyrillic, 1}, {Script::latin, 1}}));
    EXPECT_EQ(count_words("abcабв"),
              (M{{Script::latin, 1}, {Script::cyrillic, 1}}));  // a script switch splits
    EXPECT_EQ(count_words("これは日本語"), (M{{Script::kana, 3}, {Script::han, 3}}));
    EXPECT_EQ(count_words("안녕하세요 세계"), (M{{Script::hangul, 2}}));
    // math, code and LaTeX commands are not words
    EXPECT_EQ(count_words("Let $x^2$ be \\frac{1}{2} `code` 是 ```python\nprint(1)\n```"),
              (M{{Script::latin, 2}, {Script::han, 1}}));
    EXPECT_EQ(count_words("123 + 4 = 127 !?"), M{});
    EXPECT_EQ(count_words("3×4"), M{});
}

TEST(LanguageTest, ChainOfThought) {
    EXPECT_EQ(chain_of_thought("<think>abc</think><answer>x</answer>"), "abc");
    EXPECT_EQ(chain_of_thought("abc</think><answer>x</answer>"), "abc");  // prefilled <think>
    EXPECT_EQ(chain_of_thought("<think>unclosed"), "unclosed");
    EXPECT_EQ(chain_of_thought("no tags"), "no tags");
}

TEST(LanguageTest, RewardTable) {
    const std::string cot = "<think>I think 答案 is 42.</think><answer>中文 words here</answer>";
    EXPECT_DOUBLE_EQ(language_consistency({.completion = cot, .language = "en"}, {}).value.value(),
                     0.6);
    EXPECT_DOUBLE_EQ(language_consistency({.completion = cot, .language = "zh"}, {}).value.value(),
                     0.4);
    EXPECT_DOUBLE_EQ(language_consistency({.completion = cot, .language = "zh"}, {.language = "en"})
                         .value.value(),
                     0.6);  // options override the row
    EXPECT_DOUBLE_EQ(
        language_consistency({.completion = "<think>これは日本語</think>", .language = "ja"}, {})
            .value.value(),
        1.0);
    EXPECT_DOUBLE_EQ(
        language_consistency({.completion = "<think>これは日本語</think>", .language = "zh"}, {})
            .value.value(),
        0.5);
    // no language: the prompt's majority script decides
    EXPECT_DOUBLE_EQ(
        language_consistency({.prompt = "请回答这个问题 please", .completion = cot}, {})
            .value.value(),
        0.4);
    EXPECT_DOUBLE_EQ(language_consistency({.completion = "<think>42</think>", .language = "en"}, {})
                         .value.value(),
                     0.0);  // an empty chain of thought earns nothing
    EXPECT_FALSE(language_consistency({.completion = cot, .language = "xx"}, {}).value.has_value());
    EXPECT_FALSE(language_consistency({.completion = cot}, {}).value.has_value());
}

}  // namespace
}  // namespace r1::rewards
