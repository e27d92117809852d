#include "r1/util/error.h"

#include <sstream>

namespace r1::util {

std::string Location::str() const {
    std::ostringstream out;
    out << source;
    if (line > 0) {
        out << ':' << line;
        if (column > 0) {
            out << ':' << column;
        }
    }
    return out.str();
}

namespace {

std::string placed(const Location& where, const std::string& message) {
    const std::string at = where.str();
    return at.empty() ? message : at + ": " + message;
}

}  // namespace

ConfigError::ConfigError(std::string message, Location where)
    : Error(placed(where, message)), message_(std::move(message)), where_(std::move(where)) {}

ConfigError ConfigError::in_source(const std::string& source) const {
    if (!where_.source.empty()) {
        return *this;
    }
    return ConfigError(message_, Location{.source = source});
}

FormatError::FormatError(const std::string& message, Location where)
    : Error(placed(where, message)) {}

}  // namespace r1::util
