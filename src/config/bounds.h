// Private to config/: how a range constraint reads in messages and in the key table, so that the
// range checker's error and `r1 info --schema` always spell a bound the same way.
#pragma once

#include "r1/config/visitor.h"

#include <string>

namespace r1::config::detail {

/// A number as the messages print it (shortest stream form: 0.2, 1e-06, 100).
std::string format_bound(double x);

/// "[0, 1]", ">= 1" or "<= 5" (the constraint's range; both ends infinite: "").
std::string describe_bounds(const Constraint& c);

}  // namespace r1::config::detail
