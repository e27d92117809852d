// countdown: TinyZero's compute_score, every branch, and Python's arithmetic as its eval() sees it.
#include "r1/rewards/countdown.h"

#include <gtest/gtest.h>

#include <cmath>

namespace r1::rewards {
namespace {

TEST(CountdownTest, EveryBranchOfTinyZero) {
    const std::string prompt =
        "User: use [3, 5, 7] to make 22.\nAssistant: Let me solve this step by step.\n<think>";
    const auto score = [&](const std::string& completion, const std::string& p) {
        return countdown(
                   RewardInput{
                       .prompt = p, .completion = completion, .numbers = {3, 5, 7}, .target = 22.0},
                   CountdownOptions{})
            .value.value();
    };
    EXPECT_EQ(score(" 3*5+7 </think>\n<answer>3*5+7</answer>", prompt), 1.0);  // solution
    EXPECT_EQ(score("</think>\n<answer> (7+5)*3-14 </answer>", prompt), 0.1);  // numbers wrong
    EXPECT_EQ(score("</think>\n<answer>3+5+7</answer>", prompt), 0.1);      // numbers ok, 15 != 22
    EXPECT_EQ(score("</think>\n<answer>3*5+7=22</answer>", prompt), 0.1);   // numbers wrong (22)
    EXPECT_EQ(score("</think>\n<answer>3*5+x7</answer>", prompt), 0.1);     // bad characters
    EXPECT_EQ(score("</think>\n<answer>3*(5+7</answer>", prompt), 0.1);     // does not parse
    EXPECT_EQ(score("</think>\n<answer>3/(5-5)*7</answer>", prompt), 0.1);  // numbers wrong first
    EXPECT_EQ(score("</think>\n<answer>7/(5-5)+3</answer>", "Assistant:"),
              0.1);                                                        // numbers wrong (two 5s)
    EXPECT_EQ(score("<answer>3*5+7</answer>\nmore text", prompt), 0.0);    // not on the last line
    EXPECT_EQ(score("<answer>3*5+7</answer>", "User: no marker\n"), 0.0);  // no "Assistant:"
    EXPECT_EQ(score("<answer>3*5+7</answer>", "<|im_start|>assistant\n"), 1.0);  // Qwen marker
    EXPECT_EQ(score("no answer tag", prompt), 0.0);
    EXPECT_EQ(score("<answer>1</answer> <answer>3*5+7</answer>", prompt),
              1.0);  // the last one counts
    EXPECT_EQ(score("<answer>3*5+7</answer> <answer>1</answer>", prompt), 0.1);
    EXPECT_EQ(score("<answer>(3*5)(7)</answer>", prompt), 0.1);  // int is not callable
    // not a countdown row: None
    EXPECT_FALSE(countdown(RewardInput{.completion = "<answer>1</answer>"}, CountdownOptions{})
                     .value.has_value());
}

TEST(CountdownTest, DivisionByZeroIsFormatScore) {
    const RewardInput in{.prompt = "Assistant:",
                         .completion = "<answer>7/(5-5)</answer>",
                         .numbers = {5, 5, 7},
                         .target = 1.0};
    EXPECT_EQ(countdown(in, CountdownOptions{}).value, 0.1);
    EXPECT_EQ(countdown(in, CountdownOptions{}).reason, "does not evaluate");
}

TEST(CountdownTest, PythonArithmetic) {
    struct Case {
        const char* expr;
        std::optional<double> value;
    };

    const std::vector<Case> cases = {
        {"1+2*3", 7.0},       {"(1+2)*3", 9.0},       {"7/2", 3.5},          {"7//2", 3.0},
        {"-7//2", -4.0},      {"2**3**2", 512.0},     {"-2**2", -4.0},       {"2**-1", 0.5},
        {"- -3", 3.0},        {"1.5*2", 3.0},         {".5+1.", 1.5},        {"05+1", std::nullopt},
        {"00+1", 1.0},        {"1/0", std::nullopt},  {"2 3", std::nullopt}, {"()", std::nullopt},
        {"1+", std::nullopt}, {"1..2", std::nullopt}, {"3a", std::nullopt},  {"", std::nullopt},
    };
    for (const Case& c : cases) {
        const auto v = eval_arithmetic(c.expr);
        ASSERT_EQ(v.has_value(), c.value.has_value()) << c.expr;
        if (v) {
            EXPECT_DOUBLE_EQ(*v, *c.value) << c.expr;
        }
    }
}

}  // namespace
}  // namespace r1::rewards
