// Private to src/data/tasks: school arithmetic on non-negative decimal digit strings ("0", "407";
// no leading zeros, any length), each operation writing the lines a pupil would: columns with
// carries or borrows, rows of partial products. The arithmetic task's solutions are made of them.
#pragma once

#include "r1/data/tasks/arithmetic.h"

#include <string>
#include <vector>

namespace r1::data::tasks {

/// `full` spells each column out ("  column 2: 8 + 3 + 0 = 11, write 1, carry 1"); `compact` keeps
/// only the arithmetic ("8+3+0=11").
using LineStyle = StepStyle;

/// -1, 0 or 1 as a <, ==, > b.
int compare_decimal(const std::string& a, const std::string& b);

/// a + b; lines "  column k: x + y + c = s, write d, carry e" (+ "  final carry 1 ..." if any);
/// compact: "x+y+c=s" per column, the last one showing the final carry.
std::string add_columns(const std::string& a,
                        const std::string& b,
                        std::vector<std::string>& lines,
                        LineStyle style = LineStyle::full);

/// a - b for a >= b; lines "  column k: [10 + ]x - y - c = s, write s, borrow e" (compact:
/// "[10+]x-y-c=s").
std::string subtract_columns(const std::string& a,
                             const std::string& b,
                             std::vector<std::string>& lines,
                             LineStyle style = LineStyle::full);

/// a * b; lines "  row k: a * d0..0 = p" per digit of b, then "  total: t + p = t'" per extra row
/// (compact: "a*d0..0=p", "t+p=t'").
std::string multiply_rows(const std::string& a,
                          const std::string& b,
                          std::vector<std::string>& lines,
                          LineStyle style = LineStyle::full);

}  // namespace r1::data::tasks
