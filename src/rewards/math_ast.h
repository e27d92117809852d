// Private to the math verifier: the parsed form of one final answer, and the budget every step of
// reading and comparing it draws on.
//
// Nodes live in one arena and name their children by index, so no answer, however deep, makes a
// destructor or a walk recurse further than the parser allowed (Limits::max_depth).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace r1::rewards::math {

/// p/q in lowest terms, q > 0.
struct Rational {
    int64_t p = 0;
    int64_t q = 1;

    double to_double() const { return static_cast<double>(p) / static_cast<double>(q); }

    bool operator==(const Rational&) const = default;
};

enum class Kind : uint8_t {
    number,  // exact (or `value` when it did not fit); is_float when written with a decimal point
    symbol,  // name: "x", "a_{37}", "alpha", "monday" (\text{Monday})
    pi,
    euler,  // e
    imag,   // i, when the answer is read as complex (see math_parse.cpp)
    infinity,
    empty_set,
    add,       // n-ary
    mul,       // n-ary
    pow,       // base, exponent
    func,      // name(args): sqrt (radicand, degree), sin ... log (argument, base), abs, factorial,
               // binom, floor, ceil, exp; anything else is an undefined function f(x)
    percent,   // kid / 100, kept apart: "28\%" and 28 are the same integer to Math-Verify
    relation,  // name is "=", "!=", "<", "<=", ">" or ">="; kids lhs, rhs
    conj,      // relations that all hold: a < x < b
    set,       // {a, b}; also a bare list "a, b"
    tuple,     // (a, b, c)
    interval,  // (a, b], with left_open / right_open
    union_of,  // intervals or sets joined by \cup
    set_minus,  // kids a, b: a \setminus b
    matrix,     // rows x cols, kids row-major
};

struct Node {
    Kind kind = Kind::number;
    bool is_float = false;       // number: written with a decimal point (compared rounded)
    bool exact = true;           // number: `rational` holds the value
    bool left_open = false;      // interval
    bool right_open = false;     // interval
    int32_t rows = 0, cols = 0;  // matrix
    Rational rational;
    double value = 0.0;  // number: the value when not exact
    std::string name;
    std::vector<int32_t> kids;
};

/// One parsed answer: `root` indexes `nodes`.
struct Tree {
    std::vector<Node> nodes;
    int32_t root = -1;

    const Node& at(int32_t i) const { return nodes[static_cast<size_t>(i)]; }

    const Node& top() const { return at(root); }
};

/// What one comparison may spend. Exceeding `max_depth` or `max_nodes` makes an answer unreadable
/// (wrong); running past the deadline makes the pair unscorable.
struct Limits {
    int max_depth = 64;
    int max_nodes = 4096;
    size_t max_chars = 2048;  // an extracted answer longer than this is not read as maths
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// Thrown when a comparison runs past its deadline; the caller turns it into "unscorable".
struct OutOfTime {};

/// Checks the deadline every 256 calls, so a hot loop pays one increment per step.
class Budget {
  public:
    explicit Budget(const Limits& limits) : limits_(limits) {}

    const Limits& limits() const { return limits_; }

    void tick() {
        if ((++steps_ & 255) == 0 && std::chrono::steady_clock::now() > limits_.deadline) {
            throw OutOfTime{};
        }
    }

  private:
    Limits limits_;
    uint64_t steps_ = 0;
};

}  // namespace r1::rewards::math
