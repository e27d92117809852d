// String building without <format> (GCC 12 has none): str(...) streams its arguments, fixed(x, n)
// prints x with n decimals, join() glues a range with a separator.
#pragma once

#include <cstdint>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace r1::util {

template <class... Args>
std::string str(const Args&... args) {
    std::ostringstream out;
    (out << ... << args);
    return out.str();
}

/// A number to print with a fixed count of decimals: str("loss ", fixed(loss, 4)).
struct Fixed {
    double value;
    int decimals;
};

inline Fixed fixed(double value, int decimals) {
    return {value, decimals};
}

inline std::ostream& operator<<(std::ostream& out, const Fixed& f) {
    const auto flags = out.flags();
    const auto precision = out.precision();
    out << std::fixed << std::setprecision(f.decimals) << f.value;
    out.flags(flags);
    out.precision(precision);
    return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator);

/// Levenshtein distance, for "did you mean" suggestions.
int64_t edit_distance(std::string_view a, std::string_view b);

/// A duration in seconds as "42s", "3m05s" or "1h02m".
std::string format_duration(double seconds);

}  // namespace r1::util
