// Countdown as in TinyZero: reach `target` with +, -, *, / using each of 3-4 `numbers` exactly
// once. Instances are built from a random expression over the numbers (so they are solvable), with
// every intermediate result a positive integer, so the worked solution reads "55 + 36 = 91, ...".
// solve_countdown() is the brute force that tests (and users) check instances with.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/tasks/task.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace r1::data::tasks {

struct CountdownOptions {
    int64_t min_numbers = 3;  // numbers per instance, uniformly in [min_numbers, max_numbers]
    int64_t max_numbers = 4;  // (TinyZero's Countdown-Tasks-3to4)
    int64_t min_number = 1;   // each number uniformly in [min_number, max_number]
    int64_t max_number = 100;
    int64_t min_target = 1;  // targets outside [min_target, max_target] are redrawn
    int64_t max_target = 100;
};

void visit(config::Visitor& v, CountdownOptions& o);
void validate(const CountdownOptions& o);

class CountdownTask final : public Task {
  public:
    explicit CountdownTask(CountdownOptions options);

    std::string name() const override { return "countdown"; }

    /// UnsupportedError if no target in range turns up after many draws (options too narrow).
    TaskSample generate(uint64_t seed, uint64_t index) const override;

  private:
    CountdownOptions options_;
};

/// An expression using every number exactly once whose value is exactly `target`, or nullopt.
/// Brute force over all orders, operators (+ - * /) and parenthesisations (pairwise combination),
/// in exact rational arithmetic. The rule for division, as TinyZero's reward allows it (Python
/// eval, then |value - target| < 1e-5): any non-zero divisor, and intermediate results may be
/// fractions or negative; only division by zero is excluded. At most 6 numbers.
std::optional<std::string> solve_countdown(const std::vector<int64_t>& numbers, int64_t target);

}  // namespace r1::data::tasks
