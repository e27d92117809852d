// language_consistency on hand-counted strings: words per script, the chain of thought, targets.
#include "r1/rewards/language.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rewards/language_id.h"

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

// Languages of one script: a chain of thought of labelled English, French and German sentences.
// The reward must be the share of words in the target language's sentences, counted here by brute
// force from the labels; with identify off, every Latin word counts (the script rule alone).
TEST(LanguageTest, TellsLanguagesOfOneScriptApart) {
    const std::vector<std::pair<std::string, std::string>> labelled = {
        {"en", "First we add the tens, forty and thirty, which gives seventy in total."},
        {"fr",
         "Ensuite on ajoute les unités, ce qui donne sept, donc la somme finale est "
         "soixante-dix-sept."},
        {"de", "Zuerst addieren wir die Zehner, vierzig und dreißig, das ergibt zusammen siebzig."},
        {"en", "Then we add the ones, which gives seven, so the final sum is seventy seven."},
        {"fr",
         "D'abord on additionne les dizaines, quarante et trente, ce qui donne soixante-dix."},
    };
    std::string cot = "<think>";
    std::map<std::string, int64_t> words;
    int64_t total = 0;
    for (const auto& [language, sentence] : labelled) {
        cot += sentence + "\n";
        const int64_t n = count_words(sentence).at(Script::latin);
        words[language] += n;
        total += n;
    }
    cot += "</think><answer>77</answer>";
    for (const std::string language : {"en", "fr", "de"}) {
        const auto r = language_consistency({.completion = cot, .language = language}, {});
        EXPECT_DOUBLE_EQ(r.value.value(),
                         static_cast<double>(words[language]) / static_cast<double>(total))
            << language << ": " << r.reason;
        EXPECT_DOUBLE_EQ(
            language_consistency({.completion = cot, .language = language}, {.identify = false})
                .value.value(),
            1.0);
    }
    // no language given: the prompt's, identified
    const auto french = language_consistency(
        {.prompt = "Quelle est la somme de 40 et 37 ? Réponds en français.", .completion = cot},
        {});
    EXPECT_DOUBLE_EQ(french.value.value(),
                     static_cast<double>(words["fr"]) / static_cast<double>(total));
}

// CLD2 on one sentence of worked arithmetic in each of eleven languages; where it is unsure (the
// Portuguese and Chinese sentences below) it must say so rather than name another language.
TEST(LanguageTest, IdentifiesSentencesInElevenLanguages) {
    const std::vector<std::pair<std::string, std::string>> sure = {
        {"en", "First we add the tens, forty and thirty, which gives seventy in total."},
        {"fr",
         "D'abord on additionne les dizaines, quarante et trente, ce qui donne soixante-dix."},
        {"de", "Zuerst addieren wir die Zehner, vierzig und dreißig, das ergibt zusammen siebzig."},
        {"es", "Primero sumamos las decenas, cuarenta y treinta, lo que da setenta en total."},
        {"it", "Prima sommiamo le decine, quaranta e trenta, il che fa settanta in totale."},
        {"nl", "Eerst tellen we de tientallen op, veertig en dertig, wat samen zeventig geeft."},
        {"pl",
         "Najpierw dodajemy dziesiątki, czterdzieści i trzydzieści, co daje razem "
         "siedemdziesiąt."},
        {"tr", "Önce onlar basamağını toplarız, kırk ve otuz toplamda yetmiş eder."},
        {"ru", "Сначала складываем десятки, сорок и тридцать, что в сумме даёт семьдесят."},
        {"ja", "まず十の位を足します。四十と三十で七十になり、次に一の位を足します。"},
        {"ko", "먼저 십의 자리를 더하면 사십 더하기 삼십은 칠십이 됩니다."},
    };
    for (const auto& [language, sentence] : sure) {
        EXPECT_EQ(identify_language(sentence).value_or("unsure"), language) << sentence;
    }
    const std::vector<std::pair<std::string, std::string>> unsure_or_right = {
        {"pt", "Primeiro somamos as dezenas, quarenta e trinta, o que dá setenta no total."},
        {"zh", "首先把十位相加，四十加三十等于七十，然后再加上个位的数字。"},
    };
    for (const auto& [language, sentence] : unsure_or_right) {
        EXPECT_EQ(identify_language(sentence).value_or(language), language) << sentence;
    }
    EXPECT_FALSE(identify_language("Let be .").has_value());  // too little to tell
    EXPECT_EQ(normalize_language_code("iw"), "he");
    EXPECT_EQ(normalize_language_code("zh-Hant"), "zh");
}

// Mixed Spanish and Italian reasoning with a Spanish target: the Italian sentences' words count
// against it, sentence by sentence.
TEST(LanguageTest, MixedSpanishAndItalian) {
    const std::string es1 = "Primero sumamos las decenas, cuarenta y treinta, lo que da setenta.";
    const std::string it1 =
        "Poi sommiamo le unità, il che fa sette, quindi la somma è settantasette.";
    const std::string es2 = "Entonces la respuesta final es setenta y siete, y la comprobamos.";
    const auto n = [](const std::string& s) { return count_words(s).at(Script::latin); };
    const std::string cot = "<think>" + es1 + " " + it1 + " " + es2 + "</think>";
    const auto r = language_consistency({.completion = cot, .language = "es"}, {});
    EXPECT_DOUBLE_EQ(r.value.value(), static_cast<double>(n(es1) + n(es2)) /
                                          static_cast<double>(n(es1) + n(it1) + n(es2)))
        << r.reason;
}

}  // namespace
}  // namespace r1::rewards
