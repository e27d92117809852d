// Private to the math verifier: where in a text its final answer is, found the way Math-Verify's
// parse() finds it, for golds and predictions alike. Patterns come in priority groups:
//   0    "final answer is $X$. I hope"
//   50   "final answer ... is $X$", and \boxed{X}
//   100  "answer: ... $X$"          200  "answer ... $X$"
//   300  any math environment ($..$, $$..$$, \(..\), \[..\], " [..] ", a bare \frac{1}{2}) and
//        any plain number or expression ("10/9", "1 000", "3,5", "28 percent")
// Within a group the match that ends last is tried first; the caller parses candidates in order
// and keeps the first that reads. Environments joined by ", and/or" form one candidate (a set).
// Every scan is linear in the text: no pattern backtracks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace r1::rewards::math {

/// One piece of an answer: a LaTeX environment's content or a plain expression.
struct Piece {
    std::string text;
    bool latex = true;        // false: a plain number or expression ("10/9", "1 000")
    bool boxed_last = false;  // a bare \boxed{...}: normalise keeping the last box only
    bool percent = false;     // followed by %, "percent", "pct": the value is divided by 100
};

struct Candidate {
    std::vector<Piece> pieces;  // several: "$1$ and $2$" is the set {1, 2}
    size_t end = 0;             // where the match ends in the text
    int priority = 0;
};

/// Every candidate answer in `text`, in the order Math-Verify tries them.
std::vector<Candidate> find_candidates(std::string_view text);

}  // namespace r1::rewards::math
