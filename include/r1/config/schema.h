// The key table of an options struct, walked from its visit(): every key with its type, default,
// range and doc. It feeds "did you mean" suggestions, `r1 info --schema` and docs/config.md.
#pragma once

#include "r1/config/visitor.h"

#include <functional>
#include <string>
#include <vector>

namespace r1::config {

struct KeyInfo {
    std::string path;           // "clip.eps_low"; list items as "rewards[].weight"
    std::string type;           // "number", "section", "list of sections"
    std::string default_value;  // YAML text of the default ("" for sections)
    std::string constraint;     // "[0, 1]", ">= 1", "required" or ""
    std::string doc;
};

std::vector<KeyInfo> schema(const std::function<void(Visitor&)>& visit_fn);

template <class T>
std::vector<KeyInfo> schema() {
    T options{};
    return schema([&options](Visitor& v) { visit(v, options); });
}

/// A Markdown table of the keys, under a heading.
std::string schema_markdown(const std::string& title, const std::vector<KeyInfo>& keys);

}  // namespace r1::config
