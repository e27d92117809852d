// The arithmetic task checked by code that shares nothing with the generator: its own parser and
// __int128 evaluator for prompts, and a replayer that re-does every column, borrow, row and total
// of the step-by-step solution and follows the expression from step to step.
#include "r1/data/tasks/arithmetic.h"

#include "r1/util/error.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <functional>
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

__extension__ using Int = __int128;

Int parse_int(const std::string& s) {
    Int v = 0;
    const bool neg = !s.empty() && s[0] == '-';
    for (size_t i = neg ? 1 : 0; i < s.size(); ++i) {
        EXPECT_TRUE(s[i] >= '0' && s[i] <= '9') << s;
        v = v * 10 + (s[i] - '0');
    }
    return neg ? -v : v;
}

std::string to_text(Int v) {
    if (v == 0) {
        return "0";
    }
    std::string s;
    const bool neg = v < 0;
    for (Int m = neg ? -v : v; m > 0; m /= 10) {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    }
    return (neg ? "-" : "") + s;
}

/// Expression "a op b op c" as values and ops; the test's own view of the state.
struct Expr {
    std::vector<Int> values;
    std::vector<char> ops;

    std::string text() const {
        std::string s = to_text(values[0]);
        for (size_t i = 0; i < ops.size(); ++i) {
            s += std::string(" ") + ops[i] + " " + to_text(values[i + 1]);
        }
        return s;
    }
};

Expr parse_expr(const std::string& text) {
    std::istringstream in(text);
    Expr e;
    std::string tok;
    in >> tok;
    e.values.push_back(parse_int(tok));
    while (in >> tok) {
        e.ops.push_back(tok[0]);
        in >> tok;
        e.values.push_back(parse_int(tok));
    }
    return e;
}

/// Recursive-descent evaluation: sum of products (independent of the generator's step order).
Int evaluate(const Expr& e) {
    Int total = 0;
    Int term = e.values[0];
    char sign = '+';
    for (size_t i = 0; i < e.ops.size(); ++i) {
        if (e.ops[i] == '*') {
            term *= e.values[i + 1];
            continue;
        }
        total += sign == '+' ? term : -term;
        sign = e.ops[i];
        term = e.values[i + 1];
    }
    return total + (sign == '+' ? term : -term);
}

int digit(const std::string& s, size_t k) {
    return k < s.size() ? s[s.size() - 1 - k] - '0' : 0;
}

/// Replays the indented lines of one step for the magnitude operation c op d; returns its value.
Int replay_columns(const std::vector<std::string>& lines,
                   const std::string& c,
                   char op,
                   const std::string& d) {
    static const std::regex add(
        R"(  column (\d+): (\d) \+ (\d) \+ (\d) = (\d+), write (\d), carry (\d))");
    static const std::regex sub(
        R"(  column (\d+): (10 \+ )?(\d) - (\d) - (\d) = (\d+), write (\d), borrow (\d))");
    static const std::regex row(R"(  row (\d+): (\d+) \* (\d)(0*) = (\d+))");
    static const std::regex total(R"(  total: (\d+) \+ (\d+) = (\d+))");
    static const std::regex final_carry(R"(  final carry (\d) becomes the leading digit)");
    std::string written;  // digits, least significant first
    int carry = 0;
    Int product = 0;
    Int last_row = 0;
    size_t columns = 0;
    std::smatch m;
    for (const std::string& line : lines) {
        if (op == '+' && std::regex_match(line, m, add)) {
            EXPECT_EQ(std::stoul(m[1]), ++columns) << line;
            const int a = std::stoi(m[2]), b = std::stoi(m[3]), cin = std::stoi(m[4]),
                      s = std::stoi(m[5]);
            EXPECT_EQ(a, digit(c, columns - 1)) << line;
            EXPECT_EQ(b, digit(d, columns - 1)) << line;
            EXPECT_EQ(cin, carry) << line;
            EXPECT_EQ(s, a + b + cin) << line;
            EXPECT_EQ(std::stoi(m[6]), s % 10) << line;
            EXPECT_EQ(std::stoi(m[7]), s / 10) << line;
            written.push_back(static_cast<char>('0' + s % 10));
            carry = s / 10;
        } else if (op == '+' && std::regex_match(line, m, final_carry)) {
            EXPECT_EQ(std::stoi(m[1]), carry) << line;
            EXPECT_NE(carry, 0) << line;
            written.push_back(static_cast<char>('0' + carry));
            carry = 0;
        } else if (op == '-' && std::regex_match(line, m, sub)) {
            EXPECT_EQ(std::stoul(m[1]), ++columns) << line;
            const bool borrowed = m[2].matched;
            const int a = std::stoi(m[3]), b = std::stoi(m[4]), bin = std::stoi(m[5]),
                      s = std::stoi(m[6]);
            EXPECT_EQ(a, digit(c, columns - 1)) << line;
            EXPECT_EQ(b, digit(d, columns - 1)) << line;
            EXPECT_EQ(bin, carry) << line;
            EXPECT_EQ(s, (borrowed ? 10 : 0) + a - b - bin) << line;
            EXPECT_TRUE(s >= 0 && s <= 9 && (borrowed == (a - b - bin < 0))) << line;
            EXPECT_EQ(std::stoi(m[7]), s) << line;
            EXPECT_EQ(std::stoi(m[8]), borrowed ? 1 : 0) << line;
            written.push_back(static_cast<char>('0' + s));
            carry = borrowed ? 1 : 0;
        } else if (op == '*' && std::regex_match(line, m, row)) {
            EXPECT_EQ(std::stoul(m[1]), ++columns) << line;
            EXPECT_EQ(m[2].str(), c) << line;
            EXPECT_EQ(std::stoi(m[3]), digit(d, columns - 1)) << line;
            EXPECT_EQ(m[4].str().size(), columns - 1) << line;
            Int place = 1;
            for (size_t k = 1; k < columns; ++k) {
                place *= 10;
            }
            last_row = parse_int(c) * std::stoi(m[3]) * place;
            EXPECT_EQ(to_text(parse_int(m[5])), to_text(last_row)) << line;
            if (columns == 1) {
                product = last_row;
            }
        } else if (op == '*' && std::regex_match(line, m, total)) {
            EXPECT_EQ(to_text(parse_int(m[1])), to_text(product)) << line;
            EXPECT_EQ(to_text(parse_int(m[2])), to_text(last_row)) << line;
            product += last_row;
            EXPECT_EQ(to_text(parse_int(m[3])), to_text(product)) << line;
        } else {
            ADD_FAILURE() << "unexpected line for " << c << " " << op << " " << d << ": '" << line
                          << "'";
        }
    }
    EXPECT_EQ(columns,
              op == '+' ? std::max(c.size(), d.size()) : (op == '-' ? c.size() : d.size()));
    EXPECT_EQ(carry, 0);
    if (op == '*') {
        return product;
    }
    std::reverse(written.begin(), written.end());
    return parse_int(written);
}

/// Replays a whole think block against the prompt; returns the answer it reaches.
Int replay(const std::string& question, const std::vector<std::string>& lines) {
    Expr state = parse_expr(question);
    EXPECT_EQ(lines.at(0),
              "Evaluate " + question +
                  ". Multiplications first, then additions and subtractions from left to right.");
    static const std::regex step(R"(Step (\d+): (-?\d+) ([-+*]) (\d+))");
    static const std::regex rewrite(R"(  (-?\d+) ([-+]) (\d+) = (-\()?(\d+) ([-+]) (\d+)\)?)");
    static const std::regex so(R"(  so (-?\d+) ([-+*]) (\d+) = (-?\d+))");
    size_t i = 1;
    for (int k = 1; !state.ops.empty(); ++k) {
        std::smatch m;
        EXPECT_TRUE(std::regex_match(lines.at(i), m, step)) << lines.at(i);
        EXPECT_EQ(std::stoi(m[1]), k);
        // The step must be the one precedence says: the first *, else the first operation.
        size_t at = 0;
        while (at < state.ops.size() && state.ops[at] != '*') {
            ++at;
        }
        at = at == state.ops.size() ? 0 : at;
        const Int x = state.values[at], y = state.values[at + 1];
        const char op = state.ops[at];
        EXPECT_EQ(m[2].str() + m[3].str() + m[4].str(), to_text(x) + op + to_text(y));
        const Int exact = op == '+' ? x + y : op == '-' ? x - y : x * y;
        std::vector<std::string> body;
        for (++i; lines.at(i).rfind("  so ", 0) != 0; ++i) {
            body.push_back(lines.at(i));
        }
        std::string c = to_text(x), d = to_text(y);
        char mop = op;
        bool negative = false;
        if (!body.empty() && std::regex_match(body[0], m, rewrite)) {
            negative = m[4].matched;
            c = m[5].str(), mop = m[6].str()[0], d = m[7].str();
            const Int rhs = mop == '+' ? parse_int(c) + parse_int(d) : parse_int(c) - parse_int(d);
            EXPECT_EQ(to_text(negative ? -rhs : rhs), to_text(exact)) << body[0];
            body.erase(body.begin());
        } else {
            EXPECT_TRUE(x >= 0 && (op != '-' || x >= y)) << "needs a sign rewrite: " << lines.at(i);
        }
        EXPECT_TRUE(mop != '-' || parse_int(c) >= parse_int(d));
        const Int magnitude = replay_columns(body, c, mop, d);
        EXPECT_TRUE(std::regex_match(lines.at(i), m, so)) << lines.at(i);
        EXPECT_EQ(m[4].str(), to_text(exact)) << lines.at(i);
        EXPECT_EQ(to_text(negative ? -magnitude : magnitude), to_text(exact)) << lines.at(i);
        state.values[at] = exact;
        state.values.erase(state.values.begin() + static_cast<long>(at) + 1);
        state.ops.erase(state.ops.begin() + static_cast<long>(at));
        ++i;
        if (!state.ops.empty()) {
            EXPECT_EQ(lines.at(i++), "Now: " + state.text());
        }
    }
    EXPECT_EQ(lines.at(i), "The answer is " + to_text(state.values[0]) + ".");
    EXPECT_EQ(i + 1, lines.size());
    return state.values[0];
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

void check_sample(const TaskSample& s) {
    static const std::regex prompt(R"(What is ([-+* 0-9]+)\?)");
    static const std::regex r1(R"(<think>\n([\s\S]*)\n</think> <answer>(-?\d+)</answer>)");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(s.sample.prompt, m, prompt)) << s.sample.prompt;
    const std::string question = m[1];
    const Int expected = evaluate(parse_expr(question));
    EXPECT_EQ(s.sample.answer, to_text(expected)) << question;
    EXPECT_EQ(s.solutions.direct, "<think>\n" + question + " = " + s.sample.answer +
                                      "\n</think> <answer>" + s.sample.answer + "</answer>");
    ASSERT_TRUE(std::regex_match(s.solutions.steps, m, r1)) << s.solutions.steps;
    EXPECT_EQ(m[2].str(), s.sample.answer);
    const std::string thinking = m[1];
    EXPECT_EQ(to_text(replay(question, split_lines(thinking))), s.sample.answer);
    EXPECT_EQ(s.solutions.text, s.sample.prompt + "\n" + thinking + "\n");
    EXPECT_EQ(s.sample.kind, "arithmetic");
}

using r1::test::failures_of;

TEST(ArithmeticTaskTest, ThousandsOfSolutionsReplayCorrectly) {
    const std::vector<ArithmeticOptions> configs = {
        {},
        {.min_digits = 1, .max_digits = 9, .min_operands = 2, .max_operands = 4},
        {.min_digits = 3,
         .max_digits = 6,
         .min_operands = 3,
         .max_operands = 3,
         .operations = {Operation::subtract}},
        {.min_digits = 1,
         .max_digits = 9,
         .min_operands = 2,
         .max_operands = 4,
         .operations = {Operation::multiply}},
        {.min_digits = 1,
         .max_digits = 2,
         .min_operands = 4,
         .max_operands = 6,
         .operations = {Operation::add, Operation::subtract}},
    };
    int checked = 0;
    for (size_t c = 0; c < configs.size(); ++c) {
        const ArithmeticTask task(configs[c]);
        for (uint64_t i = 0; i < 800; ++i, ++checked) {
            SCOPED_TRACE("config " + std::to_string(c) + " index " + std::to_string(i));
            check_sample(task.generate(c, i));
            if (HasFailure()) {
                return;
            }
        }
    }
    EXPECT_EQ(checked, 4000);
}

TEST(ArithmeticTaskTest, ReplayCatchesATamperedDigit) {
    TaskSample tampered =
        ArithmeticTask({.min_digits = 3, .max_digits = 3, .operations = {Operation::add}})
            .generate(0, 1);
    std::string& steps = tampered.solutions.steps;
    const size_t at = steps.find(", write ") + 8;
    steps[at] = steps[at] == '9' ? '0' : static_cast<char>(steps[at] + 1);
    EXPECT_GT(failures_of([&] { check_sample(tampered); }), 0);
}

TEST(ArithmeticTaskTest, HandWorkedExampleWithCarriesAndBorrows) {
    // Find a sample with a carry, a final carry, a borrow and a sign rewrite, and show one in full.
    const ArithmeticTask task(
        {.min_digits = 2, .max_digits = 3, .min_operands = 3, .max_operands = 3});
    std::set<std::string> seen;
    for (uint64_t i = 0; i < 2000 && seen.size() < 4; ++i) {
        const std::string steps = task.generate(1, i).solutions.steps;
        for (const char* what : {", carry 1", "final carry", ", borrow 1", " = -("}) {
            if (steps.find(what) != std::string::npos) {
                seen.insert(what);
            }
        }
    }
    EXPECT_EQ(seen.size(), 4u);
}

TEST(ArithmeticTaskTest, DeterministicPerSeedAndIndex) {
    const ArithmeticTask task({.max_operands = 4});
    const ArithmeticTask again({.max_operands = 4});
    EXPECT_EQ(task.generate(3, 17).solutions.steps, again.generate(3, 17).solutions.steps);
    task.generate(3, 16);  // no hidden state between calls
    EXPECT_EQ(task.generate(3, 17).sample.prompt, again.generate(3, 17).sample.prompt);
    int differ_seed = 0, differ_index = 0;
    for (uint64_t i = 0; i < 50; ++i) {
        differ_seed += task.generate(3, i).sample.prompt != task.generate(4, i).sample.prompt;
        differ_index += task.generate(3, i).sample.prompt != task.generate(3, i + 1).sample.prompt;
    }
    EXPECT_GE(differ_seed, 45);
    EXPECT_GE(differ_index, 45);
}

TEST(ArithmeticTaskTest, KnobsChangeWhatTheySay) {
    const ArithmeticTask task({.min_digits = 4,
                               .max_digits = 6,
                               .min_operands = 3,
                               .max_operands = 5,
                               .operations = {Operation::add, Operation::multiply}});
    std::set<size_t> digit_counts, operand_counts;
    std::set<char> ops;
    for (uint64_t i = 0; i < 500; ++i) {
        const std::string p = task.generate(9, i).sample.prompt;
        const Expr e = parse_expr(p.substr(8, p.size() - 9));
        operand_counts.insert(e.values.size());
        for (const Int v : e.values) {
            digit_counts.insert(to_text(v).size());
        }
        ops.insert(e.ops.begin(), e.ops.end());
    }
    EXPECT_EQ(digit_counts, (std::set<size_t>{4, 5, 6}));
    EXPECT_EQ(operand_counts, (std::set<size_t>{3, 4, 5}));
    EXPECT_EQ(ops, (std::set<char>{'+', '*'}));
}

TEST(ArithmeticTaskTest, ArbitrarilyLongNumbersAreDigitStrings) {
    const TaskSample s =
        ArithmeticTask({.min_digits = 40, .max_digits = 40, .operations = {Operation::multiply}})
            .generate(0, 0);
    EXPECT_EQ(s.sample.answer.size() >= 79, true) << s.sample.answer;  // 40 x 40 digits: 79 or 80
    EXPECT_NE(s.solutions.steps.find("row 40:"), std::string::npos);
}

/// Replays a compact addition: "x+y+c=s" per column (ones first, carry from the previous column),
/// then "a+b=r"; returns the digits the columns wrote, most significant first.
std::string replay_compact_addition(const std::string& thinking,
                                    const std::string& a,
                                    const std::string& b) {
    static const std::regex column(R"((\d)\+(\d)\+(\d)=(\d+))");
    std::istringstream lines(thinking);
    std::string line, digits;
    int carry = 0;
    size_t k = 0;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (!std::regex_match(line, m, column)) {
            EXPECT_EQ(line, a + "+" + b + "=" + to_text(parse_int(a) + parse_int(b)));
            continue;
        }
        const int x = std::stoi(m[1]), y = std::stoi(m[2]), c = std::stoi(m[3]),
                  s = std::stoi(m[4]);
        EXPECT_EQ(x, k < a.size() ? a[a.size() - 1 - k] - '0' : 0) << thinking;
        EXPECT_EQ(y, k < b.size() ? b[b.size() - 1 - k] - '0' : 0) << thinking;
        EXPECT_EQ(c, carry) << thinking;
        EXPECT_EQ(s, x + y + c) << thinking;
        carry = s / 10;
        digits.insert(digits.begin(), static_cast<char>('0' + s % 10));
        ++k;
    }
    if (carry > 0) {
        digits.insert(digits.begin(), static_cast<char>('0' + carry));
    }
    return digits;
}

TEST(ArithmeticTaskTest, CompactStepsKeepOnlyTheArithmetic) {
    const ArithmeticTask task({.min_digits = 1,
                               .max_digits = 4,
                               .operations = {Operation::add},
                               .steps = StepStyle::compact});
    for (uint64_t i = 0; i < 500; ++i) {
        const TaskSample s = task.generate(5, i);
        const Expr e = parse_expr(s.sample.prompt.substr(8, s.sample.prompt.size() - 9));
        const std::string& steps = s.solutions.steps;
        const size_t open = steps.find("<think>\n") + 8, close = steps.find("\n</think>");
        ASSERT_LT(open, close) << steps;
        EXPECT_EQ(replay_compact_addition(steps.substr(open, close - open), to_text(e.values[0]),
                                          to_text(e.values[1])),
                  s.sample.answer);
        EXPECT_LT(steps.size(), 40 + 12 * 5 + 20) << steps;  // short enough to learn in minutes
    }
}

TEST(ArithmeticTaskTest, BadOptionsNameTheKeys) {
    test::expect_contains(test::error_of<util::ConfigError>(
                              [] { ArithmeticTask({.min_digits = 5, .max_digits = 2}); }),
                          {"min_digits (5) must be <= max_digits (2)"});
    EXPECT_THROW(ArithmeticTask({.operations = {}}), util::ConfigError);
    EXPECT_THROW(ArithmeticTask({.min_operands = 1}), util::ConfigError);
}

}  // namespace
}  // namespace r1::data::tasks
