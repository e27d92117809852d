#include "r1/util/str.h"

#include <algorithm>
#include <cmath>

namespace r1::util {

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            out += separator;
        }
        out += parts[i];
    }
    return out;
}

int64_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<int64_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        row[j] = static_cast<int64_t>(j);
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        int64_t diagonal = row[0];
        row[0] = static_cast<int64_t>(i);
        for (size_t j = 1; j <= b.size(); ++j) {
            const int64_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) {
        return "?";
    }
    const auto total = static_cast<int64_t>(std::llround(seconds));
    const int64_t h = total / 3600;
    const int64_t m = (total % 3600) / 60;
    const int64_t s = total % 60;
    std::ostringstream out;
    out << std::setfill('0');
    if (h > 0) {
        out << h << "h" << std::setw(2) << m << "m";
    } else if (m > 0) {
        out << m << "m" << std::setw(2) << s << "s";
    } else {
        out << s << "s";
    }
    return out.str();
}

}  // namespace r1::util
