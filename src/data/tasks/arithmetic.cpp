#include "r1/data/tasks/arithmetic.h"

#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

#include <utility>

#include "data/random.h"
#include "data/tasks/column_arithmetic.h"

namespace r1::data::tasks {
namespace {

constexpr uint64_t kArithmeticStream = 0x61726974686dULL;  // "arithm"

const char* symbol(Operation op) {
    switch (op) {
        case Operation::add:
            return "+";
        case Operation::subtract:
            return "-";
        case Operation::multiply:
            return "*";
    }
    return "?";
}

/// A signed decimal: a sign and a digit string.
struct Signed {
    bool negative = false;
    std::string magnitude;

    std::string text() const { return (negative && magnitude != "0" ? "-" : "") + magnitude; }
};

std::string expression(const std::vector<Signed>& values, const std::vector<Operation>& ops) {
    std::string out = values[0].text();
    for (size_t i = 0; i < ops.size(); ++i) {
        out += util::str(" ", symbol(ops[i]), " ", values[i + 1].text());
    }
    return out;
}

/// x + y or x - y with y >= 0 (y is an operand or a product): rewritten as one operation on
/// magnitudes when signs require it ("-4 + 7 = 7 - 4"), then worked by columns.
Signed add_or_subtract(const Signed& x,
                       Operation op,
                       const std::string& y,
                       std::vector<std::string>& lines,
                       StepStyle style) {
    const std::string head = util::str("  ", x.text(), " ", symbol(op), " ", y, " = ");
    const std::string& m = x.magnitude;
    if (!x.negative && op == Operation::add) {
        return {false, add_columns(m, y, lines, style)};
    }
    if (!x.negative) {  // m - y
        if (compare_decimal(m, y) >= 0) {
            return {false, subtract_columns(m, y, lines, style)};
        }
        lines.push_back(head + util::str("-(", y, " - ", m, ")"));
        return {true, subtract_columns(y, m, lines, style)};
    }
    if (op == Operation::subtract) {  // -m - y
        lines.push_back(head + util::str("-(", m, " + ", y, ")"));
        return {true, add_columns(m, y, lines, style)};
    }
    if (compare_decimal(y, m) >= 0) {  // -m + y
        lines.push_back(head + util::str(y, " - ", m));
        return {false, subtract_columns(y, m, lines, style)};
    }
    lines.push_back(head + util::str("-(", m, " - ", y, ")"));
    return {true, subtract_columns(m, y, lines, style)};
}

/// Index of the next operation by precedence: the first *, else the first + or -.
size_t next_operation(const std::vector<Operation>& ops) {
    for (size_t i = 0; i < ops.size(); ++i) {
        if (ops[i] == Operation::multiply) {
            return i;
        }
    }
    return 0;
}

/// The compact think block: the column lines of each operation, by precedence, each closed by its
/// result ("482+37=519"); returns the value.
Signed work_compact(std::vector<Signed> values,
                    std::vector<Operation> ops,
                    std::vector<std::string>& lines) {
    while (!ops.empty()) {
        const size_t i = next_operation(ops);
        const Signed& x = values[i];
        const std::string& y = values[i + 1].magnitude;
        const Signed result =
            ops[i] == Operation::multiply
                ? Signed{false, multiply_rows(x.magnitude, y, lines, StepStyle::compact)}
                : add_or_subtract(x, ops[i], y, lines, StepStyle::compact);
        lines.push_back(util::str(x.text(), symbol(ops[i]), y, "=", result.text()));
        values[i] = result;
        values.erase(values.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return values[0];
}

/// The think block of the step-by-step solution; returns the value.
Signed work(std::vector<Signed> values,
            std::vector<Operation> ops,
            std::vector<std::string>& lines,
            StepStyle style) {
    if (style == StepStyle::compact) {
        return work_compact(std::move(values), std::move(ops), lines);
    }
    lines.push_back("Evaluate " + expression(values, ops) +
                    ". Multiplications first, then additions and subtractions from left to right.");
    for (int step = 1; !ops.empty(); ++step) {
        const size_t i = next_operation(ops);
        const Signed& x = values[i];
        const std::string& y = values[i + 1].magnitude;  // operands and products are never negative
        const std::string claim = util::str(x.text(), " ", symbol(ops[i]), " ", y);
        lines.push_back(util::str("Step ", step, ": ", claim));
        const Signed result = ops[i] == Operation::multiply
                                  ? Signed{false, multiply_rows(x.magnitude, y, lines)}
                                  : add_or_subtract(x, ops[i], y, lines, StepStyle::full);
        lines.push_back("  so " + claim + " = " + result.text());
        values[i] = result;
        values.erase(values.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(i));
        if (!ops.empty()) {
            lines.push_back("Now: " + expression(values, ops));
        }
    }
    lines.push_back("The answer is " + values[0].text() + ".");
    return values[0];
}

std::string random_operand(Random& rng, int64_t digits) {
    std::string s;
    for (int64_t k = 0; k < digits; ++k) {
        const int lowest = (k == 0 && digits > 1) ? 1 : 0;  // no leading zero
        s.push_back(static_cast<char>('0' + rng.between(lowest, 9)));
    }
    return s;
}

}  // namespace

void visit(config::Visitor& v, ArithmeticOptions& o) {
    v.field("min_digits", o.min_digits, "fewest digits of an operand").range(1, 100);
    v.field("max_digits", o.max_digits, "most digits of an operand").range(1, 100);
    v.field("min_operands", o.min_operands, "fewest operands in an expression").range(2, 16);
    v.field("max_operands", o.max_operands, "most operands in an expression").range(2, 16);
    v.field("operations", o.operations,
            "operations drawn uniformly between operands (* binds first)");
    v.field("steps", o.steps,
            "step-by-step solutions: full (every column spelt out) or compact (the arithmetic "
            "alone)");
}

void validate(const ArithmeticOptions& o) {
    if (o.min_digits > o.max_digits) {
        throw util::ConfigError(util::str("min_digits (", o.min_digits, ") must be <= max_digits (",
                                          o.max_digits, ")"));
    }
    if (o.min_operands > o.max_operands) {
        throw util::ConfigError(util::str("min_operands (", o.min_operands,
                                          ") must be <= max_operands (", o.max_operands, ")"));
    }
    if (o.operations.empty()) {
        throw util::ConfigError("operations must name at least one of add, subtract, multiply");
    }
}

ArithmeticTask::ArithmeticTask(ArithmeticOptions options) : options_(std::move(options)) {
    config::check(options_);
    validate(options_);
}

TaskSample ArithmeticTask::generate(uint64_t seed, uint64_t index) const {
    Random rng(util::derive_seed(seed, {kArithmeticStream, index}));
    const int64_t n = rng.between(options_.min_operands, options_.max_operands);
    std::vector<Signed> values;
    std::vector<Operation> ops;
    for (int64_t k = 0; k < n; ++k) {
        values.push_back(
            {false, random_operand(rng, rng.between(options_.min_digits, options_.max_digits))});
        if (k + 1 < n) {
            ops.push_back(options_.operations[rng.below(options_.operations.size())]);
        }
    }
    const std::string question = expression(values, ops);
    std::vector<std::string> lines;
    const std::string answer = work(values, ops, lines, options_.steps).text();
    const std::string thinking = util::join(lines, "\n");

    TaskSample out;
    out.sample.prompt = "What is " + question + "?";
    out.sample.answer = answer;
    out.sample.kind = name();
    out.solutions.direct = r1_format(question + " = " + answer, answer);
    out.solutions.steps = r1_format(thinking, answer);
    out.solutions.text = out.sample.prompt + "\n" + thinking + "\n";
    return out;
}

}  // namespace r1::data::tasks
