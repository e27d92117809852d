// accuracy's extraction, normalisation and equivalence: hand tables, then agreement with
// Math-Verify on the pairs tests/reference/make_math_pairs.py labels at test time.
#include "r1/rewards/math_answer.h"

#include "r1/rewards/accuracy.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <map>

namespace r1::rewards {
namespace {

TEST(MathAnswerTest, LastBoxedMatchesNestedBraces) {
    EXPECT_EQ(last_boxed("\\boxed{1} then \\boxed{\\frac{1}{2}}").value(), "\\frac{1}{2}");
    EXPECT_EQ(last_boxed("\\fbox{7}").value(), "7");
    EXPECT_EQ(last_boxed("\\boxed{{a}{b}} \\boxed{unclosed").value(), "{a}{b}");
    EXPECT_FALSE(last_boxed("no box").has_value());
}

TEST(MathAnswerTest, ExtractModes) {
    const std::string text = "<think>maybe 3</think> <answer>The answer is 42</answer> and 7";
    EXPECT_EQ(extract_answer(text, ExtractMode::answer_tag).value(), "The answer is 42");
    EXPECT_EQ(extract_answer("<answer>\\boxed{5} or \\boxed{6}</answer>", ExtractMode::answer_tag)
                  .value(),
              "6");
    EXPECT_FALSE(extract_answer("no tag \\boxed{5}", ExtractMode::answer_tag).has_value());
    EXPECT_EQ(extract_answer(text, ExtractMode::last_number).value(), "7");
    EXPECT_EQ(extract_answer("it is 1,234.5.", ExtractMode::last_number).value(), "1,234.5");
    EXPECT_EQ(extract_answer("so $x$ is $\\frac12$", ExtractMode::latex).value(), "\\frac12");
    EXPECT_EQ(extract_answer("\\[ 3 \\] and \\boxed{4} then $5$", ExtractMode::latex).value(), "4");
    EXPECT_EQ(extract_answer("costs \\$5 and \\(6\\)", ExtractMode::latex).value(), "6");
    EXPECT_EQ(extract_answer("plain 12 words", ExtractMode::any).value(), "12");
    EXPECT_FALSE(extract_answer("nothing", ExtractMode::any).has_value());
    EXPECT_EQ(extract_gold("$\\frac{1}{2}$"), "\\frac{1}{2}");
    EXPECT_EQ(extract_gold("so \\boxed{3}"), "3");
}

TEST(MathAnswerTest, NormalizeTable) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"\\left( 1, 2 \\right)", "( 1, 2 )"},
        {"\\dfrac{1}{2}", "\\frac{1}{2}"},
        {"\\tfrac12", "\\frac12"},
        {"5\\text{ cm}", "5"},
        {"12 square feet", "12"},
        {"\\text{Monday}", "Monday"},
        {"90^\\circ", "90"},
        {"90^{\\circ}", "90"},
        {"\\$1,000", "1000"},
        {"1,234,567.5", "1234567.5"},
        {"1,23", "1,23"},
        {"x = 5", "5"},
        {"x_1 = -2", "-2"},
        {"x + y = 5", "x + y = 5"},
        {"50\\%", "50%"},
        {"7.", "7"},
        {"\\displaystyle\\frac{\\pi}{2}", "\\frac{\\pi}{2}"},
    };
    for (const auto& [in, out] : cases) {
        EXPECT_EQ(normalize_answer(in), out) << in;
    }
}

TEST(MathAnswerTest, EquivalenceTable) {
    struct Case {
        const char* gold;
        const char* pred;
        bool same;
    };

    const std::vector<Case> cases = {
        {"5", "5.000", true},
        {"5", "6", false},
        {"-3", "- 3", true},
        {"\\frac{1}{2}", "0.5", true},
        {"\\frac{1}{3}", "0.333", false},  // 6-decimal rounding (Math-Verify float_rounding=6)
        {"\\frac{1}{3}", "0.3333333", true},
        {"\\frac{6}{8}", "\\frac34", true},
        {"7\\frac{3}{4}", "7.75", true},  // mixed number
        {"2\\sqrt{2}", "\\sqrt{8}", true},
        {"\\sqrt{16}", "4", true},
        {"\\sqrt[3]{27}", "3", true},
        {"2\\pi", "6.283185", true},
        {"\\pi", "3.14", false},
        {"2^{10}", "1024", true},
        {"10\\%", "0.1", true},
        {"10\\%", "10", true},
        {"x+1", "1+x", true},
        {"x^2-1", "(x-1)(x+1)", true},
        {"x^2-1", "(x-1)^2", false},
        {"\\frac{x}{2}", "0.5x", true},
        {"(1, 2)", "(1,2)", true},
        {"(1, 2, 3)", "(1, 3, 2)", false},
        {"\\{1, 2, 3\\}", "\\{3, 1, 2\\}", true},
        {"[0, 1)", "[0,1)", true},
        {"[0, 1)", "[0, 1]", false},
        {"(0,1)\\cup(2,3)", "(2,3)\\cup(0,1)", true},
        {"x<3", "(-\\infty, 3)", true},   // gold inequality, predicted interval: accepted
        {"(-\\infty, 3)", "x<3", false},  // the reverse is not (Math-Verify's asymmetry)
        {"x \\ge 2", "[2, \\infty)", true},
        {"a<b", "b>a", true},
        {"\\text{Monday}", "monday", true},
        {"\\text{(B)}", "B", true},
        {"A", "a", true},
        {"B", "C", false},
        {"1,2", "2,1", true},
        {"1e3", "1000", false},  // e is Euler's number
        {"", "5", false},
        {"5", "", false},
        {"\\frac{1}{2}", "\\frac{1}{2}\\%", false},  // 1/2 % is 1/200
        {"0.005", "\\frac{1}{2}\\%", true},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(answers_equivalent(c.gold, c.pred), c.same) << c.gold << " vs " << c.pred;
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

// Math-Verify 0.9.0 labels each pair (tests/reference/make_math_pairs.py, run as a ctest fixture).
// Disagreements are printed. The "beyond" category was added after r1's rules were written, as a
// held-out check: r1 reads no \sin, \log, \ln, |x|, n!, \binom, \pm, \emptyset or "x \in S" yet
// (12 of its 30 pairs at the time of writing: 545/557 overall). One of those 12 is Math-Verify's
// mistake by the maths: it rejects "2i" vs "i \cdot 2" (r1 accepts). It also rejects "i^2" vs -1
// and "0.\overline{3}" vs 1/3, which are equal; r1 rejects them too, so they count as agreements.
TEST(MathAnswerTest, AgreesWithMathVerify) {
    const char* build = std::getenv("R1_BUILD_DIR");
    ASSERT_NE(build, nullptr) << "R1_BUILD_DIR is set by ctest";
    const std::string path = std::string(build) + "/reference/math_pairs.jsonl";
    std::ifstream file(path);
    ASSERT_TRUE(file.good()) << path << " missing: run through ctest (fixture rewards.math_pairs)";
    int64_t total = 0, agree = 0;
    std::map<std::string, std::pair<int, int>> per_category;  // agree, total
    std::string line;
    while (std::getline(file, line)) {
        const auto j = nlohmann::json::parse(line);
        const std::string gold = extract_gold(j["gold"].get<std::string>());
        const auto pred = extract_answer(j["pred"].get<std::string>(), ExtractMode::latex);
        const bool ours = pred && answers_equivalent(gold, *pred);
        const bool theirs = j["label"].get<bool>();
        auto& [a, t] = per_category[j["category"].get<std::string>()];
        ++t;
        ++total;
        if (ours == theirs) {
            ++a;
            ++agree;
        } else {
            std::cout << "disagree: gold " << j["gold"] << " pred " << j["pred"] << " math-verify "
                      << theirs << " r1 " << ours << "\n";
        }
    }
    for (const auto& [category, counts] : per_category) {
        std::cout << category << ": " << counts.first << "/" << counts.second << "\n";
    }
    std::cout << "agreement with math-verify: " << agree << "/" << total << "\n";
    ASSERT_GE(total, 300);
    EXPECT_GE(static_cast<double>(agree) / static_cast<double>(total), 0.95);
}

}  // namespace
}  // namespace r1::rewards
