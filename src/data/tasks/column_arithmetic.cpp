#include "data/tasks/column_arithmetic.h"

#include "r1/util/str.h"

#include <algorithm>

namespace r1::data::tasks {
namespace {

/// The digit of `s` in column k (0 = ones), 0 past its length.
int digit(const std::string& s, size_t k) {
    return k < s.size() ? s[s.size() - 1 - k] - '0' : 0;
}

std::string strip_leading_zeros(std::string s) {
    const size_t first = s.find_first_not_of('0');
    return first == std::string::npos ? "0" : s.substr(first);
}

/// a * d for one digit d, by the same carries (no lines: rows are stated whole).
std::string multiply_digit(const std::string& a, int d) {
    std::string out;
    int carry = 0;
    for (size_t k = 0; k < a.size(); ++k) {
        const int p = digit(a, k) * d + carry;
        out.push_back(static_cast<char>('0' + p % 10));
        carry = p / 10;
    }
    if (carry > 0) {
        out.push_back(static_cast<char>('0' + carry));
    }
    std::reverse(out.begin(), out.end());
    return strip_leading_zeros(out);
}

}  // namespace

int compare_decimal(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) {
        return a.size() < b.size() ? -1 : 1;
    }
    return a < b ? -1 : (a == b ? 0 : 1);
}

std::string add_columns(const std::string& a,
                        const std::string& b,
                        std::vector<std::string>& lines,
                        LineStyle style) {
    std::string out;
    int carry = 0;
    for (size_t k = 0; k < std::max(a.size(), b.size()); ++k) {
        const int s = digit(a, k) + digit(b, k) + carry;
        lines.push_back(style == LineStyle::compact
                            ? util::str(digit(a, k), "+", digit(b, k), "+", carry, "=", s)
                            : util::str("  column ", k + 1, ": ", digit(a, k), " + ", digit(b, k),
                                        " + ", carry, " = ", s, ", write ", s % 10, ", carry ",
                                        s / 10));
        out.push_back(static_cast<char>('0' + s % 10));
        carry = s / 10;
    }
    if (carry > 0) {
        if (style == LineStyle::full) {
            lines.push_back(util::str("  final carry ", carry, " becomes the leading digit"));
        }
        out.push_back(static_cast<char>('0' + carry));
    }
    std::reverse(out.begin(), out.end());
    return strip_leading_zeros(out);
}

std::string subtract_columns(const std::string& a,
                             const std::string& b,
                             std::vector<std::string>& lines,
                             LineStyle style) {
    std::string out;
    int borrow = 0;
    for (size_t k = 0; k < a.size(); ++k) {
        int s = digit(a, k) - digit(b, k) - borrow;
        const int next_borrow = s < 0 ? 1 : 0;
        s += 10 * next_borrow;
        lines.push_back(style == LineStyle::compact
                            ? util::str(next_borrow ? "10+" : "", digit(a, k), "-", digit(b, k),
                                        "-", borrow, "=", s)
                            : util::str("  column ", k + 1, ": ", next_borrow ? "10 + " : "",
                                        digit(a, k), " - ", digit(b, k), " - ", borrow, " = ", s,
                                        ", write ", s, ", borrow ", next_borrow));
        out.push_back(static_cast<char>('0' + s));
        borrow = next_borrow;
    }
    std::reverse(out.begin(), out.end());
    return strip_leading_zeros(out);
}

std::string multiply_rows(const std::string& a,
                          const std::string& b,
                          std::vector<std::string>& lines,
                          LineStyle style) {
    std::string total;
    for (size_t k = 0; k < b.size(); ++k) {
        const std::string zeros(k, '0');
        std::string row = multiply_digit(a, digit(b, k));
        row = row == "0" ? row : row + zeros;
        lines.push_back(
            style == LineStyle::compact
                ? util::str(a, "*", digit(b, k), zeros, "=", row)
                : util::str("  row ", k + 1, ": ", a, " * ", digit(b, k), zeros, " = ", row));
        if (k == 0) {
            total = row;
            continue;
        }
        std::vector<std::string> ignored;  // the sum of rows is stated whole, not by columns
        const std::string next = add_columns(total, row, ignored);
        lines.push_back(style == LineStyle::compact
                            ? util::str(total, "+", row, "=", next)
                            : util::str("  total: ", total, " + ", row, " = ", next));
        total = next;
    }
    return total;
}

}  // namespace r1::data::tasks
