// The answer shapes of issue #22, one named test each. Every expected verdict is Math-Verify
// 0.9.0's own, computed by running it on the pair (verify(parse(gold), parse(pred)), defaults);
// where Math-Verify is wrong by the maths (1\,000 in LaTeX, plain golds it cannot read), r1
// agrees with it, and the comment says so. Then: answers of any length and depth get a verdict.
#include "r1/rewards/math_answer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace r1::rewards {
namespace {

struct Pair {
    std::string gold, pred;
    bool same;  // Math-Verify's verdict
};

void expect_verdicts(const std::vector<Pair>& pairs) {
    for (const Pair& p : pairs) {
        // A gold Math-Verify cannot read ("-.25", "sqrt(2)") leaves the row unscorable in r1
        // (None), where Math-Verify says false: neither accepts.
        const MathVerdict v = verify_math(p.gold, p.pred, ExtractMode::latex);
        EXPECT_EQ(v.correct.value_or(false), p.same)
            << "gold " << p.gold << "\npred " << p.pred << "\nread " << v.answer << " (" << v.why
            << ")";
    }
}

// a dataset's plain-text gold against a LaTeX prediction.
TEST(MathShapesTest, PlainGoldAgainstLatexFraction) {
    expect_verdicts({{R"(10/9)", R"($\frac{10}{9}$)", true},
                     {R"(10/9)", R"(\boxed{\dfrac{10}{9}})", true},
                     {R"(10/9)", R"(The answer is $\frac{20}{18}$.)", true},
                     {R"(10/9)", R"($\frac{9}{10}$)", false},
                     {R"(2^10)", R"(\boxed{1024})", true},
                     {R"(sqrt(2))", R"($\sqrt{2}$)", false},
                     {R"(\frac{10}{9})", R"($\frac{10}{9}$)", true},
                     {R"(\dfrac{10}{9})", R"($\frac{10}{9}$)", false}});
}

// .4 against 0.4.
TEST(MathShapesTest, LeadingDecimal) {
    expect_verdicts({{R"(.4)", R"($0.4$)", true},
                     {R"(0.4)", R"(The answer is .4)", true},
                     {R"(\boxed{.4})", R"($\frac{2}{5}$)", true},
                     {R"($-.25$)", R"($-0.25$)", true},
                     {R"(-.25)", R"($-0.25$)", false},
                     {R"(.4)", R"($0.04$)", false},
                     {R"(.4)", R"($-0.4$)", false}});
}

// spaced thousands; in LaTeX, 1\,000 is 1 * 000 to Math-Verify.
TEST(MathShapesTest, SpacedThousands) {
    expect_verdicts({{R"(1 000)", R"($1000$)", true},
                     {R"(12 345 678)", R"(\boxed{12345678})", true},
                     {R"(1000)", R"(The answer is 1 000.)", true},
                     {R"(1 000)", R"($1001$)", false},
                     {R"($1{,}000{,}000$)", R"($1000000$)", true},
                     {R"($1\,000$)", R"($1000$)", false},
                     {R"(1000)", R"($1\,000$)", false}});
}

// a decimal comma in plain text; in LaTeX, 3{,}5 is the set {3, 5}.
TEST(MathShapesTest, DecimalComma) {
    expect_verdicts({{R"(1000,99)", R"($1000.99$)", true},
                     {R"(3,5)", R"(\boxed{3.5})", true},
                     {R"(3.5)", R"(The answer is 3,5.)", true},
                     {R"(1000,99)", R"($100099$)", false},
                     {R"(3,5)", R"($35$)", false},
                     {R"(1 000,5)", R"($1000.5$)", false},
                     {R"($3{,}5$)", R"($3.5$)", false}});
}

// \cfrac, \dfrac and \tfrac are \frac.
TEST(MathShapesTest, Cfrac) {
    expect_verdicts({{R"($\cfrac{3}{4}$)", R"($0.75$)", true},
                     {R"(\boxed{\frac{3}{4}})", R"($\cfrac34$)", true},
                     {R"(3/4)", R"($\cfrac{3}{4}$)", true},
                     {R"($\frac{10}{7}$)", R"($1+\cfrac{1}{2+\cfrac{1}{3}}$)", true},
                     {R"(3/4)", R"($\cfrac{4}{3}$)", false},
                     {R"($\tfrac{3}{4}$)", R"($\cfrac{3}{5}$)", false},
                     {R"(\cfrac{3}{4})", R"($\frac34$)", false}});
}

// percent words; a percent integer also matches its number.
TEST(MathShapesTest, PercentWords) {
    expect_verdicts({{R"(28 percent)", R"($28\%$)", true},
                     {R"(28 pct)", R"(\boxed{28\%})", true},
                     {R"(28 percentage)", R"(The answer is 28%.)", true},
                     {R"(28%)", R"($0.28$)", true},
                     {R"($28\%$)", R"($0.28$)", true},
                     {R"(28 percent)", R"($29\%$)", false},
                     {R"(28 pct)", R"($0.028$)", false},
                     {R"(28\%)", R"($0.28$)", false}});
}

// units in \text, \textnormal, \mathrm go.
TEST(MathShapesTest, UnitsInTextnormal) {
    expect_verdicts({{R"($12$)", R"($12\textnormal{ cm}$)", true},
                     {R"($5\textnormal{ cm}$)", R"($5$)", true},
                     {R"(12)", R"(\boxed{12\,\textnormal{m}^2})", true},
                     {R"($12$)", R"($13\textnormal{ cm}$)", false},
                     {R"($12\textnormal{ cm}$)", R"($120\textnormal{ mm}$)", false},
                     {R"($12\text{ cm}$)", R"($12\text{ km}$)", true},
                     {R"(\$5)", R"($5$)", false}});
}

// \neq, \ne and != are one relation.
TEST(MathShapesTest, NotEqualSpellings) {
    expect_verdicts({{R"($x \neq 3$)", R"($x != 3$)", true},
                     {R"($x \neq 3$)", R"(\boxed{x \ne 3})", true},
                     {R"($x \neq 3$)", R"($x \neq 4$)", false},
                     {R"($x \neq 3$)", R"($x = 3$)", false},
                     {R"(x \neq 3)", R"($x != 3$)", false},
                     {R"(x \neq 3)", R"($x = 3$)", true}});
}

// a flipped inequality is the same relation.
TEST(MathShapesTest, FlippedInequality) {
    expect_verdicts({{R"($x < 1$)", R"($-x > -1$)", true},
                     {R"($x < 3$)", R"($3 > x$)", true},
                     {R"($x \le 3$)", R"($3 \geq x$)", true},
                     {R"($x < 1$)", R"($-x < -1$)", false},
                     {R"($x < 1$)", R"($-x > 1$)", false},
                     {R"($2x < 6$)", R"($x < 3$)", false}});
}

// \leq, \le, <= (and \geq, >=).
TEST(MathShapesTest, LessOrEqualSpellings) {
    expect_verdicts({{R"($x \leq 3$)", R"($x <= 3$)", true},
                     {R"($x \le 3$)", R"($x \leq 3$)", true},
                     {R"($x \geq 3$)", R"($x >= 3$)", true},
                     {R"($x \leq 3$)", R"($x \leqslant 3$)", true},
                     {R"($x \leq 3$)", R"($x < 3$)", false},
                     {R"(x <= 3)", R"($x \leq 3$)", false}});
}

// an approximation states its value.
TEST(MathShapesTest, Approximation) {
    expect_verdicts({{R"(11)", R"($x \approx 11$)", true},
                     {R"($11$)", R"(\boxed{\approx 11})", true},
                     {R"($11$)", R"(The answer is approximately $11$.)", true},
                     {R"($11$)", R"($x \approx 12$)", false},
                     {R"($11$)", R"($\approx 11.4$)", false},
                     {R"($\pi$)", R"($\approx 3.14$)", false},
                     {R"($\pi$)", R"($\approx 3.14159265$)", true}});
}

// Paragraphs of working (with a wrong product on the way), then the final line that states the
// answer: \boxed{14{,}916}, a "final answer" phrase, or a later line contradicting a box.
TEST(MathShapesTest, LongSolutionBoxesGroupedThousands) {
    const std::string working =
        R"(Each ticket costs $\$113$ and the school buys $132$ tickets, plus a booking fee of $\$0$.

First, let me organize the given information before computing anything.

The tickets alone cost $113 \times 132 = 14916$ dollars.

I initially multiplied $113 \times 123 = 13899$, which used the wrong count; with $132$ tickets it is $14916$.

Let me double-check the arithmetic once more: $113 \times 132 = 113 \times 100 + 113 \times 32 = 11300 + 3616 = 14916$.

)";
    expect_verdicts({
        {"14916", working + R"(Therefore, the school pays $\boxed{14{,}916}$ dollars.)", true},
        {R"($14{,}916$)", working + R"(Therefore, the school pays $\boxed{14916}$ dollars.)", true},
        {"14 916", working + R"(The final answer is $14{,}916$. I hope it is correct.)", true},
        {"14916", working + R"(Therefore, the school pays $\boxed{14{,}961}$ dollars.)", false},
        {"14916", working + "So the answer is $\\boxed{13{,}899}$.\n\n**Answer:** 14,916", false},
        {"14916",
         working + "This gives $\\boxed{13{,}899}$.\n\nThe final answer is $14{,}916$. I hope it "
                   "is correct.",
         true},
    });
}

// \left( ... \right) are plain brackets.
TEST(MathShapesTest, LeftRightCoordinates) {
    expect_verdicts({{R"($(1, 2)$)", R"($\left( 1, 2 \right)$)", true},
                     {R"($(3, -7)$)", R"(\boxed{\left(3,-7\right)})", true},
                     {R"($[1, 2)$)", R"($\left[ 1, 2 \right)$)", true},
                     {R"($\{1, 2\}$)", R"($\left\{ 2, 1 \right\}$)", true},
                     {R"($(3, -7)$)", R"($\left( -7, 3 \right)$)", false},
                     {R"($[1, 2)$)", R"($\left( 1, 2 \right]$)", false},
                     {R"($(19, -12)$)", R"($\left[ 19, -12 \right]$)", true}});
}

// a list of assignments is a set of equations.
TEST(MathShapesTest, SubscriptedAssignments) {
    expect_verdicts({{R"($a_3 = 2, a_{37} = 19$)", R"($a_{37} = 19, a_3 = 2$)", true},
                     {R"($a_3 = 2, a_{37} = 19$)", R"(\boxed{2, 19})", true},
                     {R"($a_3 = 2, a_{37} = 19$)", R"($a_3 = 19, a_{37} = 2$)", false},
                     {R"($a_3 = 2, a_{37} = 19$)", R"($a_3 = 2, a_{37} = 18$)", false},
                     {R"($a_3 = 2, a_{37} = 19$)", R"($a_3 = 2$)", false}});
}

// sets ignore order; tuples keep it.
TEST(MathShapesTest, UnorderedTuplesAndLists) {
    expect_verdicts({{R"($2, 3$)", R"($3, 2$)", true},
                     {R"($\{3, 1, 2\}$)", R"($\{1, 2, 3\}$)", true},
                     {R"($2, 3$)", R"($2$ and $3$)", true},
                     {R"($x = 2$ or $x = 3$)", R"($x = 3 \text{ or } x = 2$)", true},
                     {R"($2, 3$)", R"($x = 2$ or $x = 3$)", true},
                     {R"($2, 3$)", R"(2 and 3)", false},
                     {R"($(1, 2, 3)$)", R"($(3, 2, 1)$)", false},
                     {R"($(7,11)$)", R"($(11,7)$)", false},
                     {R"($2, 3$)", R"($2, 3, 4$)", false}});
}

// pairs joined by "or" form a set.
TEST(MathShapesTest, EitherOrPairs) {
    expect_verdicts({{R"($(11,7) or (7,11)$)", R"($(7, 11)$)", false},
                     {R"($(11,7) or (7,11)$)", R"($(11, 7)$)", false},
                     {R"($(11,7), (7,11)$)", R"($(7,11), (11,7)$)", true},
                     {R"($(11,7)$)", R"($(11,7)$ or $(7,11)$)", false},
                     {R"($(11,7)$)", R"($\boxed{(11,7) \text{ or } (7,11)}$)", false}});
}

// an inequality gold accepts its interval, not the reverse.
TEST(MathShapesTest, ChainedInequalityAgainstInterval) {
    expect_verdicts({{R"($-793 < a < 10$)", R"($(-793, 10)$)", true},
                     {R"($(-793, 10)$)", R"($-793 < a < 10$)", false},
                     {R"(-793 < a < 10)", R"($(-793, 10)$)", false},
                     {R"($-793 < a < 10$)", R"($[-793, 10)$)", false},
                     {R"($-793 < a < 10$)", R"($(-793, 11)$)", false},
                     {R"($x \ge 2$)", R"($[2, \infty)$)", true},
                     {R"($[2, \infty)$)", R"($x \ge 2$)", false},
                     {R"($(-\infty,1)\cup(2,\infty)$)", R"($x<1 \text{ or } x>2$)", false}});
}

// matrices compare entry by entry, shapes first.
TEST(MathShapesTest, Matrices) {
    expect_verdicts({{R"($\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$)",
                      R"($\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$)", true},
                     {R"($\begin{pmatrix} \frac{1}{3} \\ 2 \end{pmatrix}$)",
                      R"($\begin{pmatrix} 0.333333 \\ 2 \end{pmatrix}$)", true},
                     {R"($\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$)",
                      R"($\begin{pmatrix} 1 & 2 \\ 3 & 5 \end{pmatrix}$)", false},
                     {R"($\begin{pmatrix} 1 \\ 2 \end{pmatrix}$)",
                      R"($\begin{pmatrix} 1 & 2 \end{pmatrix}$)", false},
                     {R"($\begin{pmatrix} \frac{1}{3} \\ 2 \end{pmatrix}$)",
                      R"($\begin{pmatrix} 0.33 \\ 2 \end{pmatrix}$)", false},
                     {R"($\begin{pmatrix} 1 \\ 2 \end{pmatrix}$)", R"($(1, 2)$)", false}});
}

// strict: other variable names are other answers.
TEST(MathShapesTest, VariablesNamedDifferently) {
    expect_verdicts({{R"($x+1$)", R"($1+x$)", true},
                     {R"($x+1$)", R"($y+1$)", false},
                     {R"($a=2$)", R"($b=2$)", false},
                     {R"($f(x) = x^2$)", R"($f(t) = t^2$)", false},
                     {R"($2t+9$)", R"($9+2t$)", false},
                     {R"($11$)", R"($9+2t$)", true},
                     {R"(n = 5)", R"($y = 5$)", true}});
}

// the right number in a wrong relation is wrong.
TEST(MathShapesTest, RightNumberWrongRelation) {
    expect_verdicts({{R"($x \le 3$)", R"($x < 3$)", false},
                     {R"($x \geq 3$)", R"($x \leq 3$)", false},
                     {R"($x = 3$)", R"($x \neq 3$)", false},
                     {R"($x < 3$)", R"($x = 3$)", false},
                     {R"($x = 3$)", R"($3$)", true},
                     {R"(x \neq 3)", R"($x = 3$)", true}});
}

// an answer that hedges between values is a set, and wrong.
TEST(MathShapesTest, HedgingBetweenValues) {
    expect_verdicts({{R"($3$)", R"($\boxed{3}$ or $\boxed{4}$)", false},
                     {R"($3$)", R"(\boxed{3, 4})", false},
                     {R"($3$)", R"($3$ or $4$)", false},
                     {R"($3$)", R"(\boxed{3 \text{ or } 4})", false},
                     {R"($3$)", R"(The answer is 3 or 4.)", true},
                     {R"($3$)", R"(The answer is 4 or 3.)", false},
                     {R"($3$)", R"(It is either 3 or 4.)", false},
                     {R"($4$)", R"(It is either 3 or 4.)", true},
                     {R"($3$)", R"(I think it is $\boxed{4}$. Actually, it is $\boxed{3}$.)", true},
                     {R"($3$)", R"(\boxed{3 \pm 1})", false},
                     {R"($3, 4$)", R"($\boxed{3}$ or $\boxed{4}$)", true}});
}

// -- answers of any length and depth get a verdict, without exhausting the stack ------------------

TEST(MathShapesTest, OneMegabyteAnswer) {
    std::string babble;
    while (babble.size() < (1 << 20)) {
        babble += "so $x_{1} = 3 + \\frac{1}{2}$ and the answer is ";
    }
    const MathVerdict v =
        verify_math("7", "<answer>" + babble + "</answer>", ExtractMode::answer_tag);
    ASSERT_TRUE(v.correct.has_value()) << v.why;
    EXPECT_FALSE(*v.correct);
    const MathVerdict w = verify_math("7", babble + "\\boxed{7}", ExtractMode::latex);
    EXPECT_EQ(w.correct, std::optional<bool>(true)) << w.why;
}

TEST(MathShapesTest, FiftyThousandNestedBraces) {
    const std::string deep = std::string(50000, '{') + "1" + std::string(50000, '}');
    const MathVerdict v = verify_math("1", "\\boxed{" + deep + "}", ExtractMode::latex);
    EXPECT_EQ(v.correct, std::optional<bool>(false)) << v.why;  // too deep to read: wrong
    const MathVerdict open =
        verify_math("1", "\\boxed{" + std::string(50000, '{'), ExtractMode::boxed);
    EXPECT_EQ(open.correct, std::optional<bool>(false)) << open.why;
    const std::string parens = std::string(50000, '(') + "1" + std::string(50000, ')');
    EXPECT_EQ(verify_math("1", "$" + parens + "$", ExtractMode::latex).correct,
              std::optional<bool>(false));
}

TEST(MathShapesTest, FiftyThousandLetterAnswerTag) {
    const std::string letters(50000, 'a');
    const MathVerdict v =
        verify_math("5", "<answer>" + letters + "</answer>", ExtractMode::answer_tag);
    EXPECT_EQ(v.correct, std::optional<bool>(false)) << v.why;
}

TEST(MathShapesTest, LongChainsOfPostfixOperators) {
    std::string tower = "2";
    for (int k = 0; k < 20000; ++k) {
        tower += "^2";
    }
    EXPECT_EQ(verify_math("4", "$" + tower + "$", ExtractMode::latex).correct,
              std::optional<bool>(false));
    EXPECT_EQ(verify_math("4", "$3" + std::string(20000, '!') + "$", ExtractMode::latex).correct,
              std::optional<bool>(false));
}

TEST(MathShapesTest, PastTheTimeLimitIsUnscorable) {
    std::string sum = "x";
    for (int k = 0; k < 200; ++k) {
        sum += "+x";
    }
    const MathVerdict v =
        verify_math("$" + sum + "$", "$" + sum + "$", ExtractMode::latex, {.time_limit = 1e-9});
    EXPECT_FALSE(v.correct.has_value());
    EXPECT_NE(v.why.find("time_limit"), std::string::npos) << v.why;
    EXPECT_EQ(verify_math("$" + sum + "$", "$" + sum + "$", ExtractMode::latex).correct,
              std::optional<bool>(true));
}

}  // namespace
}  // namespace r1::rewards
