// Multi-digit arithmetic: "What is 482 + 37 * 9 - 1200?" with + - * and the usual precedence.
// Numbers are digit strings (any size); the step-by-step solution works like school arithmetic:
// columns with carries for addition, with borrows for subtraction, and rows of partial products
// for multiplication, each operation introduced on its own line so a checker can replay it.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/tasks/task.h"

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace r1::data::tasks {

enum class Operation { add, subtract, multiply };

constexpr auto enum_names(Operation) {
    return std::array{std::pair{Operation::add, "add"}, std::pair{Operation::subtract, "subtract"},
                      std::pair{Operation::multiply, "multiply"}};
}

/// How the step-by-step solution is written: `full` spells out every column ("  column 2: 8 + 3 + 0
/// = 11, write 1, carry 1") between an opening and a closing sentence; `compact` keeps only the
/// arithmetic ("8+3+0=11"), a corpus a tiny model learns in minutes (the README's demo).
enum class StepStyle { full, compact };

constexpr auto enum_names(StepStyle) {
    return std::array{std::pair{StepStyle::full, "full"}, std::pair{StepStyle::compact, "compact"}};
}

struct ArithmeticOptions {
    int64_t min_digits = 1;  // digits of each operand, drawn uniformly in [min_digits, max_digits]
    int64_t max_digits = 3;
    int64_t min_operands = 2;  // operands per expression, uniformly in [min_operands, max_operands]
    int64_t max_operands = 2;
    std::vector<Operation> operations = {Operation::add, Operation::subtract, Operation::multiply};
    StepStyle steps = StepStyle::full;
};

void visit(config::Visitor& v, ArithmeticOptions& o);
/// min <= max for digits and operands, at least one operation; ConfigError naming the keys.
void validate(const ArithmeticOptions& o);

class ArithmeticTask final : public Task {
  public:
    explicit ArithmeticTask(ArithmeticOptions options);

    std::string name() const override { return "arithmetic"; }

    TaskSample generate(uint64_t seed, uint64_t index) const override;

  private:
    ArithmeticOptions options_;
};

}  // namespace r1::data::tasks
