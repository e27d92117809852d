// format and tag_count on shared vectors. Expected values are what Python's `re` gives for
// open-r1's regexes (re.match, DOTALL|MULTILINE for r1_strict), r1's loose one and TRL's
// think_format_reward, and open-r1's str.count rule for tag_count (checked with python3 when the
// table was written).
#include "r1/rewards/format.h"

#include <gtest/gtest.h>

namespace r1::rewards {
namespace {

struct Case {
    const char* text;
    bool strict, loose, think;
    double tags;
};

TEST(FormatTest, VariantsAndTagCountTable) {
    const std::vector<Case> cases = {
        // the canonical template
        {"<think>\nreason\n</think>\n<answer>\n42\n</answer>", true, true, true, 1.0},
        // empty reasoning and answer still match (.*? may be empty)
        {"<think>\n\n</think>\n<answer>\n\n</answer>", true, true, true, 1.0},
        // no newlines: loose only; tag_count finds none of its newline-delimited tags
        {"<think>r</think><answer>42</answer>", false, true, true, 0.0},
        // whitespace between the blocks: loose allows any, strict wants exactly "\n"
        {"<think>\nr\n</think>\n\n<answer>\n42\n</answer>", false, true, true, 1.0},
        // text after </answer>: open-r1's MULTILINE `$` lets "\n..." through; loose refuses
        {"<think>\nr\n</think>\n<answer>\n42\n</answer>\nextra", true, false, true, 1.0},
        // text after </answer> on the same line: nobody matches
        {"<think>\nr\n</think>\n<answer>\n42\n</answer> extra", false, false, true, 1.0},
        // one trailing newline: Python's `$` matches before it, for loose too
        {"<think>\nr\n</think>\n<answer>\n42\n</answer>\n", true, true, true, 1.0},
        // text before <think>
        {"ok <think>\nr\n</think>\n<answer>\n42\n</answer>", false, false, false, 1.0},
        // repeated blocks: the regexes still match (DOTALL), tag_count withholds credit
        {"<think>\na\n</think>\n<answer>\n1\n</answer>\n<think>\nb\n</think>\n<answer>\n2\n</"
         "answer>",
         true, true, false, 0.0},
        // nested think: TRL's negative lookahead rejects a second <think>
        // ("\n</think>\n" counts once: the first match consumes the second one's "\n")
        {"<think>\nouter <think>\ninner\n</think>\n</think>\n<answer>\n1\n</answer>", true, true,
         false, 0.75},
        // missing answer block
        {"<think>\nr\n</think>\n", false, false, true, 0.5},
        // unclosed think
        {"<think>\nr\n<answer>\n1\n</answer>", false, false, false, 0.75},
        {"", false, false, false, 0.0},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(matches_format(c.text, {.variant = FormatVariant::r1_strict}), c.strict)
            << c.text;
        EXPECT_EQ(matches_format(c.text, {.variant = FormatVariant::r1_loose}), c.loose) << c.text;
        EXPECT_EQ(matches_format(c.text, {.variant = FormatVariant::think}), c.think) << c.text;
        EXPECT_EQ(tag_count(c.text, TagCountOptions{}), c.tags) << c.text;
    }
}

TEST(FormatTest, PrefilledThinkPutsTheTagBack) {
    const std::string completion = "\nreason\n</think>\n<answer>\n42\n</answer>";
    EXPECT_FALSE(matches_format(completion, {.variant = FormatVariant::r1_strict}));
    EXPECT_TRUE(
        matches_format(completion, {.variant = FormatVariant::r1_strict, .prefilled_think = true}));
    EXPECT_EQ(tag_count(completion, TagCountOptions{}), 0.75);
    EXPECT_EQ(tag_count(completion, TagCountOptions{.prefilled_think = true}), 1.0);
    // a completion that repeats the tag is left alone
    EXPECT_TRUE(matches_format("<think>\nr\n</think>\n<answer>\n1\n</answer>",
                               {.variant = FormatVariant::r1_strict, .prefilled_think = true}));
}

TEST(FormatTest, RewardValues) {
    const RewardInput in{.completion = "<think>\nr\n</think>\n<answer>\n42\n</answer>"};
    EXPECT_EQ(format(in, FormatOptions{}).value, 1.0);
    EXPECT_EQ(format(RewardInput{.completion = "42"}, FormatOptions{}).value, 0.0);
    EXPECT_EQ(tag_count(in, TagCountOptions{}).value, 1.0);
    EXPECT_EQ(tag_count(in, TagCountOptions{}).reason, "4/4 tags");
}

}  // namespace
}  // namespace r1::rewards
