// Options struct -> YAML: the resolved config that `r1 info --config` prints and every run writes
// into its run directory (config.yaml), readable back by load<T>().
#pragma once

#include "r1/config/node.h"
#include "r1/config/visitor.h"

#include <functional>
#include <string>

namespace r1::config {

Node to_node(const std::function<void(Visitor&)>& visit_fn);

template <class T>
std::string dump(const T& options) {
    // visit() takes T& because the reader writes through it; the writer only reads.
    T& fields = const_cast<T&>(options);
    return emit_yaml(to_node([&fields](Visitor& v) { visit(v, fields); }));
}

}  // namespace r1::config
