#include "r1/data/tasks/countdown.h"

#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

#include "data/random.h"

namespace r1::data::tasks {
namespace {

constexpr uint64_t kCountdownStream = 0x636f756e74ULL;  // "count"
constexpr int kMaxDraws = 10000;                        // then the options are too narrow

/// A pool entry while building an expression: its value, text and precedence (3 atom, 2 * /, 1 +
/// -).
struct Term {
    int64_t value;
    std::string text;
    int precedence;
};

std::string operand(const Term& t, int precedence, bool right_of_minus_or_divide) {
    const bool wrap =
        t.precedence < precedence || (right_of_minus_or_divide && t.precedence == precedence);
    return wrap ? "(" + t.text + ")" : t.text;
}

std::string join_numbers(const std::vector<int64_t>& numbers) {
    std::string out;
    for (size_t i = 0; i < numbers.size(); ++i) {
        out += (i ? ", " : "") + std::to_string(numbers[i]);
    }
    return out;
}

/// Combines the whole pool two random terms at a time, keeping every intermediate a positive
/// integer (- only when it stays positive, / only when exact): the worked lines stay readable,
/// and the instance is solvable by construction. Appends "a op b = c, left: ..." per step.
Term combine_all(std::vector<Term> pool, Random& rng, std::vector<std::string>& lines) {
    while (pool.size() > 1) {
        const size_t i = rng.below(pool.size());
        size_t j = rng.below(pool.size() - 1);
        j += j >= i ? 1 : 0;
        const Term a = pool[i];
        const Term b = pool[j];
        std::vector<char> ops = {'+', '*'};
        if (a.value > b.value) {
            ops.push_back('-');
        }
        if (b.value != 0 && a.value % b.value == 0 && b.value != 1) {
            ops.push_back('/');
        }
        const char op = ops[rng.below(ops.size())];
        const int p = op == '*' || op == '/' ? 2 : 1;
        const int64_t v = op == '+'   ? a.value + b.value
                          : op == '*' ? a.value * b.value
                          : op == '-' ? a.value - b.value
                                      : a.value / b.value;
        Term c{v, operand(a, p, false) + " " + op + " " + operand(b, p, op == '-' || op == '/'), p};
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(std::max(i, j)));
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(std::min(i, j)));
        pool.push_back(c);
        std::vector<int64_t> left;
        for (const Term& t : pool) {
            left.push_back(t.value);
        }
        lines.push_back(
            util::str(a.value, " ", op, " ", b.value, " = ", v, ", left: ", join_numbers(left)));
    }
    return pool[0];
}

}  // namespace

void visit(config::Visitor& v, CountdownOptions& o) {
    v.field("min_numbers", o.min_numbers, "fewest numbers per instance").range(2, 6);
    v.field("max_numbers", o.max_numbers, "most numbers per instance").range(2, 6);
    v.field("min_number", o.min_number, "smallest number").range(1, 1000);
    v.field("max_number", o.max_number, "largest number").range(1, 1000);
    v.field("min_target", o.min_target, "smallest target").range(1, 1e12);
    v.field("max_target", o.max_target, "largest target").range(1, 1e12);
}

void validate(const CountdownOptions& o) {
    const auto ordered = [](const char* lo, int64_t a, const char* hi, int64_t b) {
        if (a > b) {
            throw util::ConfigError(util::str(lo, " (", a, ") must be <= ", hi, " (", b, ")"));
        }
    };
    ordered("min_numbers", o.min_numbers, "max_numbers", o.max_numbers);
    ordered("min_number", o.min_number, "max_number", o.max_number);
    ordered("min_target", o.min_target, "max_target", o.max_target);
}

CountdownTask::CountdownTask(CountdownOptions options) : options_(options) {
    config::check(options_);
    validate(options_);
}

TaskSample CountdownTask::generate(uint64_t seed, uint64_t index) const {
    Random rng(util::derive_seed(seed, {kCountdownStream, index}));
    for (int draw = 0; draw < kMaxDraws; ++draw) {
        const int64_t n = rng.between(options_.min_numbers, options_.max_numbers);
        std::vector<int64_t> numbers;
        std::vector<Term> pool;
        for (int64_t k = 0; k < n; ++k) {
            numbers.push_back(rng.between(options_.min_number, options_.max_number));
            pool.push_back({numbers.back(), std::to_string(numbers.back()), 3});
        }
        std::vector<std::string> lines;
        const Term result = combine_all(pool, rng, lines);
        if (result.value < options_.min_target || result.value > options_.max_target) {
            continue;
        }
        const std::string target = std::to_string(result.value);
        lines.insert(lines.begin(),
                     util::str("We need ", target, " from ", join_numbers(numbers), "."));
        lines.push_back(util::str("So ", result.text, " = ", target, "."));
        const std::string thinking = util::join(lines, "\n");

        TaskSample out;
        out.sample.prompt =
            util::str("Using the numbers [", join_numbers(numbers),
                      "], create an equation that equals ", target,
                      ". You can use basic arithmetic operations (+, -, *, /) and each number "
                      "can only be used once.");
        out.sample.answer = result.text;
        out.sample.kind = name();
        out.sample.numbers = numbers;
        out.sample.target = result.value;
        out.solutions.direct = r1_format(result.text + " = " + target, result.text);
        out.solutions.steps = r1_format(thinking, result.text);
        out.solutions.text =
            out.sample.prompt + "\n" + thinking + "\nAnswer: " + result.text + "\n";
        return out;
    }
    throw util::UnsupportedError(util::str("countdown: no target in [", options_.min_target, ", ",
                                           options_.max_target, "] after ", kMaxDraws,
                                           " draws; widen the target range or change the numbers"));
}

}  // namespace r1::data::tasks
