// Countdown checked independently: a rational evaluator of the reference expression, TinyZero's
// "each number exactly once" rule, a replay of the worked steps as a multiset of numbers, the
// brute-force solver on every instance, and the solver against a subset-DP enumeration.
#include "r1/data/tasks/countdown.h"

#include "r1/util/error.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <random>
// GCC 12's std::regex trips -Wmaybe-uninitialized in libstdc++ under -fsanitize (false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#include <set>
#include <sstream>

#include "support/expect.h"
#include "support/intercept.h"

namespace r1::data::tasks {
namespace {

using Q = std::pair<int64_t, int64_t>;  // num, den > 0, reduced

Q reduce(int64_t n, int64_t d) {
    if (d < 0) {
        n = -n, d = -d;
    }
    const int64_t g = std::gcd(n, d);
    return g > 1 ? Q{n / g, d / g} : Q{n, d};
}

Q apply(Q a, char op, Q b) {
    switch (op) {
        case '+':
            return reduce(a.first * b.second + b.first * a.second, a.second * b.second);
        case '-':
            return reduce(a.first * b.second - b.first * a.second, a.second * b.second);
        case '*':
            return reduce(a.first * b.first, a.second * b.second);
        default:
            return reduce(a.first * b.second, a.second * b.first);  // b != 0 checked by callers
    }
}

/// Recursive-descent rational evaluator for "(55 + 36) - 19 * 7 / 2"; nullopt on division by 0.
class Evaluator {
  public:
    explicit Evaluator(std::string text) : s_(std::move(text)) {}

    std::optional<Q> run() {
        auto v = expr();
        skip();
        return pos_ == s_.size() ? v : std::nullopt;
    }

  private:
    void skip() {
        while (pos_ < s_.size() && s_[pos_] == ' ') {
            ++pos_;
        }
    }

    std::optional<Q> expr() {
        auto v = term();
        for (skip(); v && pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-'); skip()) {
            const char op = s_[pos_++];
            const auto r = term();
            v = r ? std::optional(apply(*v, op, *r)) : std::nullopt;
        }
        return v;
    }

    std::optional<Q> term() {
        auto v = atom();
        for (skip(); v && pos_ < s_.size() && (s_[pos_] == '*' || s_[pos_] == '/'); skip()) {
            const char op = s_[pos_++];
            const auto r = atom();
            if (!r || (op == '/' && r->first == 0)) {
                return std::nullopt;
            }
            v = apply(*v, op, *r);
        }
        return v;
    }

    std::optional<Q> atom() {
        skip();
        if (pos_ < s_.size() && s_[pos_] == '(') {
            ++pos_;
            auto v = expr();
            skip();
            if (pos_ >= s_.size() || s_[pos_] != ')') {
                return std::nullopt;
            }
            ++pos_;
            return v;
        }
        size_t end = pos_;
        while (end < s_.size() && std::isdigit(static_cast<unsigned char>(s_[end]))) {
            ++end;
        }
        if (end == pos_) {
            return std::nullopt;
        }
        const int64_t n = std::stoll(s_.substr(pos_, end - pos_));
        pos_ = end;
        return Q{n, 1};
    }

    std::string s_;
    size_t pos_ = 0;
};

/// TinyZero's check (grpo-spec §6.6): integers in the equation, sorted, equal the sorted numbers.
bool uses_each_number_once(const std::string& expr, std::vector<int64_t> numbers) {
    std::vector<int64_t> found;
    static const std::regex integer(R"(\d+)");
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), integer);
         it != std::sregex_iterator(); ++it) {
        found.push_back(std::stoll(it->str()));
    }
    std::sort(found.begin(), found.end());
    std::sort(numbers.begin(), numbers.end());
    return found == numbers;
}

void expect_solution(const std::string& expr, const std::vector<int64_t>& numbers, int64_t target) {
    static const std::regex allowed(R"(^[\d+\-*/().\s]+$)");
    EXPECT_TRUE(std::regex_match(expr, allowed)) << expr;
    EXPECT_TRUE(uses_each_number_once(expr, numbers)) << expr;
    const auto v = Evaluator(expr).run();
    ASSERT_TRUE(v.has_value()) << expr;
    EXPECT_EQ(*v, (Q{target, 1})) << expr;
}

std::multiset<int64_t> parse_list(const std::string& text) {
    std::multiset<int64_t> out;
    std::istringstream in(text);
    for (std::string tok; std::getline(in, tok, ',');) {
        out.insert(std::stoll(tok));
    }
    return out;
}

/// Replays "a op b = c, left: ..." lines against the multiset of numbers.
void replay_steps(const TaskSample& s) {
    static const std::regex r1(R"(<think>\n([\s\S]*)\n</think> <answer>(.*)</answer>)");
    static const std::regex line(R"((\d+) ([-+*/]) (\d+) = (\d+), left: ([\d, ]+))");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(s.solutions.steps, m, r1));
    EXPECT_EQ(m[2].str(), s.sample.answer);
    std::istringstream in(m[1].str());
    std::string text;
    std::getline(in, text);
    std::string numbers_text;
    for (size_t i = 0; i < s.sample.numbers.size(); ++i) {
        numbers_text += (i ? ", " : "") + std::to_string(s.sample.numbers[i]);
    }
    EXPECT_EQ(text, "We need " + std::to_string(*s.sample.target) + " from " + numbers_text + ".");
    std::multiset<int64_t> pool(s.sample.numbers.begin(), s.sample.numbers.end());
    while (std::getline(in, text) && std::regex_match(text, m, line)) {
        const int64_t a = std::stoll(m[1]), b = std::stoll(m[3]), c = std::stoll(m[4]);
        const char op = m[2].str()[0];
        for (const int64_t used : {a, b}) {
            const auto it = pool.find(used);
            ASSERT_NE(it, pool.end()) << used << " is not available in: " << text;
            pool.erase(it);
        }
        EXPECT_TRUE(op != '/' || (b != 0 && a % b == 0)) << text;
        EXPECT_EQ(apply({a, 1}, op, {b, 1}), (Q{c, 1})) << text;
        EXPECT_GT(c, 0) << text;
        pool.insert(c);
        EXPECT_EQ(parse_list(m[5]), pool) << text;
    }
    EXPECT_EQ(pool, (std::multiset<int64_t>{*s.sample.target}));
    EXPECT_EQ(text, "So " + s.sample.answer + " = " + std::to_string(*s.sample.target) + ".");
    EXPECT_FALSE(std::getline(in, text));
}

using r1::test::failures_of;

TEST(CountdownTaskTest, ThousandsOfInstancesAreSolvableAndTheirSolutionsCorrect) {
    const CountdownTask task({});
    for (uint64_t i = 0; i < 2000; ++i) {
        SCOPED_TRACE("index " + std::to_string(i));
        const TaskSample s = task.generate(42, i);
        ASSERT_TRUE(s.sample.target.has_value());
        const int64_t target = *s.sample.target;
        EXPECT_TRUE(s.sample.numbers.size() == 3 || s.sample.numbers.size() == 4);
        for (const int64_t n : s.sample.numbers) {
            EXPECT_TRUE(n >= 1 && n <= 100) << n;
        }
        EXPECT_TRUE(target >= 1 && target <= 100) << target;
        expect_solution(s.sample.answer, s.sample.numbers, target);
        const auto solved = solve_countdown(s.sample.numbers, target);
        ASSERT_TRUE(solved.has_value());
        expect_solution(*solved, s.sample.numbers, target);
        replay_steps(s);
        EXPECT_EQ(s.solutions.direct, "<think>\n" + s.sample.answer + " = " +
                                          std::to_string(target) + "\n</think> <answer>" +
                                          s.sample.answer + "</answer>");
        EXPECT_NE(s.solutions.text.find("Answer: " + s.sample.answer), std::string::npos);
        EXPECT_EQ(s.sample.kind, "countdown");
        if (HasFailure()) {
            return;
        }
    }
}

TEST(CountdownTaskTest, ReplayCatchesATamperedStep) {
    TaskSample tampered = CountdownTask({}).generate(0, 0);
    std::string& steps = tampered.solutions.steps;
    steps.insert(steps.find(", left: "), "0");  // the first intermediate result times ten
    EXPECT_GT(failures_of([&] { replay_steps(tampered); }), 0);
}

TEST(CountdownSolverTest, HandPickedInstances) {
    expect_solution(solve_countdown({1, 2, 3}, 6).value(), {1, 2, 3}, 6);
    expect_solution(solve_countdown({1, 3, 4, 6}, 24).value(), {1, 3, 4, 6},
                    24);  // only 6 / (1 - 3 / 4)
    expect_solution(solve_countdown({3, 3, 8, 8}, 24).value(), {3, 3, 8, 8},
                    24);                                             // only 8 / (3 - 8 / 3)
    expect_solution(solve_countdown({5, 7}, 2).value(), {5, 7}, 2);  // 7 - 5: either order
    EXPECT_FALSE(solve_countdown({1, 1, 1}, 100).has_value());
    EXPECT_FALSE(solve_countdown({2, 2}, 3).has_value());
    EXPECT_THROW(solve_countdown({1, 2, 3, 4, 5, 6, 7}, 1), util::UnsupportedError);
}

/// Every value reachable from the numbers in `mask`, by splitting it into two non-empty parts.
std::set<Q> reachable(const std::vector<int64_t>& numbers,
                      unsigned mask,
                      std::map<unsigned, std::set<Q>>& memo) {
    if (auto it = memo.find(mask); it != memo.end()) {
        return it->second;
    }
    std::set<Q> out;
    if (std::popcount(mask) == 1) {
        out.insert({numbers[static_cast<size_t>(std::countr_zero(mask))], 1});
    }
    for (unsigned left = (mask - 1) & mask; left > 0; left = (left - 1) & mask) {
        for (const Q& a : reachable(numbers, left, memo)) {
            for (const Q& b : reachable(numbers, mask ^ left, memo)) {
                for (const char op : {'+', '-', '*', '/'}) {
                    if (op != '/' || b.first != 0) {
                        out.insert(apply(a, op, b));
                    }
                }
            }
        }
    }
    return memo[mask] = out;
}

TEST(CountdownSolverTest, AgreesWithSubsetEnumeration) {
    std::mt19937_64 rng(5);
    int solvable = 0;
    for (int i = 0; i < 300; ++i) {
        std::vector<int64_t> numbers(3 + rng() % 2);
        for (int64_t& n : numbers) {
            n = 1 + static_cast<int64_t>(rng() % 13);
        }
        const int64_t target = 1 + static_cast<int64_t>(rng() % 150);
        std::map<unsigned, std::set<Q>> memo;
        const bool expected =
            reachable(numbers, (1u << numbers.size()) - 1, memo).count({target, 1}) > 0;
        const auto solved = solve_countdown(numbers, target);
        EXPECT_EQ(solved.has_value(), expected) << "instance " << i;
        if (solved) {
            expect_solution(*solved, numbers, target);
        }
        solvable += expected;
    }
    EXPECT_GT(solvable, 50);  // both outcomes are exercised
    EXPECT_LT(solvable, 290);
}

TEST(CountdownTaskTest, DeterministicPerSeedAndIndex) {
    const CountdownTask task({});
    EXPECT_EQ(task.generate(1, 9).solutions.steps,
              CountdownTask({}).generate(1, 9).solutions.steps);
    int differ = 0;
    for (uint64_t i = 0; i < 50; ++i) {
        differ += task.generate(1, i).sample.prompt != task.generate(2, i).sample.prompt;
    }
    EXPECT_GE(differ, 45);
}

TEST(CountdownTaskTest, KnobsChangeWhatTheySay) {
    const CountdownTask task({.min_numbers = 5,
                              .max_numbers = 5,
                              .min_number = 50,
                              .max_number = 60,
                              .min_target = 200,
                              .max_target = 1000});
    for (uint64_t i = 0; i < 200; ++i) {
        const TaskSample s = task.generate(3, i);
        EXPECT_EQ(s.sample.numbers.size(), 5u);
        for (const int64_t n : s.sample.numbers) {
            EXPECT_TRUE(n >= 50 && n <= 60) << n;
        }
        EXPECT_TRUE(*s.sample.target >= 200 && *s.sample.target <= 1000) << *s.sample.target;
        expect_solution(s.sample.answer, s.sample.numbers, *s.sample.target);
    }
}

TEST(CountdownTaskTest, ImpossibleRangesAreErrorsNotHangs) {
    const CountdownTask task({.min_numbers = 2,
                              .max_numbers = 2,
                              .min_number = 1,
                              .max_number = 1,
                              .min_target = 50,
                              .max_target = 60});
    test::expect_contains(test::error_of<util::UnsupportedError>([&] { task.generate(0, 0); }),
                          {"countdown: no target in [50, 60]"});
    EXPECT_THROW(CountdownTask({.min_target = 9, .max_target = 3}), util::ConfigError);
}

}  // namespace
}  // namespace r1::data::tasks
