// accuracy's answer search and verdicts: hand tables, then agreement with Math-Verify on the pairs
// tests/reference/make_math_pairs.py labels at test time.
#include "r1/rewards/math_answer.h"

#include "r1/rewards/accuracy.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

namespace r1::rewards {
namespace {

TEST(MathAnswerTest, LastBoxedMatchesNestedBraces) {
    EXPECT_EQ(last_boxed("\\boxed{1} then \\boxed{\\frac{1}{2}}").value(), "\\frac{1}{2}");
    EXPECT_EQ(last_boxed("\\fbox{7}").value(), "7");
    EXPECT_EQ(last_boxed("\\boxed{{a}{b}} \\boxed{unclosed").value(), "{a}{b}");
    EXPECT_FALSE(last_boxed("no box").has_value());
}

TEST(MathAnswerTest, AnswerRegions) {
    const std::string text = "<think>7 apples</think><answer>The answer is 42</answer>";
    EXPECT_EQ(answer_region(text, ExtractMode::answer_tag).value(), "The answer is 42");
    EXPECT_FALSE(answer_region("no tag \\boxed{5}", ExtractMode::answer_tag).has_value());
    EXPECT_EQ(answer_region(text, ExtractMode::last_number).value(), "42");
    EXPECT_EQ(answer_region("it is 1,234.5.", ExtractMode::last_number).value(), "1,234.5");
    EXPECT_EQ(answer_region("so \\boxed{5}", ExtractMode::boxed).value(), "5");
    EXPECT_EQ(answer_region("no tag", ExtractMode::any).value(), "no tag");
}

// Which answer a completion states, by Math-Verify's priorities (verdicts are its own).
TEST(MathAnswerTest, ExtractionPriorities) {
    struct Case {
        const char* gold;
        const char* completion;
        ExtractMode mode;
        bool correct;
    };

    const std::vector<Case> cases = {
        {"4", "\\[ 3 \\] and \\boxed{4} then $5$", ExtractMode::latex, true},  // box over later env
        {"6", "costs \\$5 and \\(6\\)", ExtractMode::latex, true},             // last environment
        {"7", "The final answer is $7$. I hope it is correct. \\boxed{8}", ExtractMode::latex,
         true},
        {"12", "plain 12 words", ExtractMode::latex, true},  // a plain number
        {"5", "<answer>\\boxed{5} or \\boxed{6}</answer>", ExtractMode::answer_tag,
         false},                                                           // hedge
        {"x+1", "<answer>x+1</answer>", ExtractMode::answer_tag, false},   // gold unread: see below
        {"$x+1$", "<answer>1+x</answer>", ExtractMode::answer_tag, true},  // tag read whole
        {"$\\frac{1}{2}$", "<answer>The answer is $0.5$</answer>", ExtractMode::answer_tag, true},
        {"3", "no tags, 3", ExtractMode::any, true},
        {"3", "\\boxed{3", ExtractMode::latex, false},  // an unclosed box states nothing
    };
    for (const Case& c : cases) {
        const MathVerdict v = verify_math(c.gold, c.completion, c.mode);
        if (std::string(c.gold) == "x+1") {
            EXPECT_FALSE(v.correct.has_value()) << "Math-Verify reads no answer in a plain \"x+1\"";
            continue;
        }
        EXPECT_EQ(v.correct, std::optional<bool>(c.correct)) << c.gold << " vs " << c.completion;
    }
}

TEST(AccuracyTest, RewardBranches) {
    AccuracyOptions o;
    RewardInput in{.completion = "<think>2+2</think><answer>\\boxed{4}</answer>", .answer = "4"};
    EXPECT_EQ(accuracy(in, o).value, 1.0);
    EXPECT_EQ(accuracy(in, o).extracted, "4");
    in.answer = "5";
    EXPECT_EQ(accuracy(in, o).value, 0.0);
    in.completion = "no tags, 5";
    EXPECT_EQ(accuracy(in, o).value, 0.0);
    EXPECT_EQ(accuracy(in, o).reason, "no answer found");
    o.mode = ExtractMode::last_number;
    EXPECT_EQ(accuracy(in, o).value, 1.0);
    in.answer = "$ $";
    EXPECT_FALSE(accuracy(in, o).value.has_value());  // unscorable gold: None, never 0
    in.answer = "5";
    in.kind = "code";
    EXPECT_FALSE(accuracy(in, o).value.has_value());
    in.kind = "math";
    o.values = {1.0, -1.0};
    in.completion = "6";
    EXPECT_EQ(accuracy(in, o).value, -1.0);
}

// The key `time_limit` bounds one comparison: past it the row is unscorable, never a 0 or a 1.
TEST(AccuracyTest, TimeLimitKeyMakesASlowComparisonUnscorable) {
    std::string sum = "x";
    for (int k = 0; k < 200; ++k) {
        sum += "+x";
    }
    AccuracyOptions o;
    RewardInput in{.completion = "<answer>$" + sum + "$</answer>", .answer = "$" + sum + "$"};
    EXPECT_EQ(accuracy(in, o).value, 1.0);
    o.time_limit = 1e-9;
    EXPECT_FALSE(accuracy(in, o).value.has_value());
}

// Math-Verify 0.9.0 labels each pair (tests/reference/make_math_pairs.py, run as a ctest fixture):
// golds in plain text and LaTeX, predictions from one-liners to long worked solutions, the shapes
// of issue #22 and near misses. A false accept (r1 says right, Math-Verify wrong) would teach a
// policy to hack, so none is allowed; false rejects are listed by category.
TEST(MathAnswerTest, AgreesWithMathVerify) {
    const char* build = std::getenv("R1_BUILD_DIR");
    ASSERT_NE(build, nullptr) << "R1_BUILD_DIR is set by ctest";
    const std::string path = std::string(build) + "/reference/math_pairs.jsonl";
    std::ifstream file(path);
    ASSERT_TRUE(file.good()) << path << " missing: run through ctest (fixture rewards.math_pairs)";
    int64_t total = 0, agree = 0, false_accepts = 0, false_rejects = 0;
    std::map<std::string, std::array<int, 3>> per_category;  // agree, false accepts, false rejects
    std::string line;
    while (std::getline(file, line)) {
        const auto j = nlohmann::json::parse(line);
        const auto v = verify_math(j["gold"].get<std::string>(), j["pred"].get<std::string>(),
                                   ExtractMode::latex);
        const bool ours = v.correct.value_or(false);
        const bool theirs = j["label"].get<bool>();
        auto& counts = per_category[j["category"].get<std::string>()];
        ++total;
        if (ours == theirs) {
            ++agree;
            ++counts[0];
            continue;
        }
        ++(ours ? false_accepts : false_rejects);
        ++counts[ours ? 1 : 2];
        std::cout << (ours ? "FALSE ACCEPT" : "false reject") << " [" << j["category"] << "] gold "
                  << j["gold"] << " pred " << j["pred"] << " read " << v.answer << "\n";
    }
    for (const auto& [category, c] : per_category) {
        std::cout << category << ": " << c[0] << " agree, " << c[1] << " false accepts, " << c[2]
                  << " false rejects\n";
    }
    std::cout << "agreement with math-verify: " << agree << "/" << total << ", false accepts "
              << false_accepts << ", false rejects " << false_rejects << "\n";
    ASSERT_GE(total, 1500);
    EXPECT_EQ(false_accepts, 0);
    EXPECT_GE(static_cast<double>(agree) / static_cast<double>(total), 0.98);
}

}  // namespace
}  // namespace r1::rewards
