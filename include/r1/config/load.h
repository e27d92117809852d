// YAML config -> options struct: load<GrpoOptions>("f.yaml", {"batch.num_generations=8"}).
// Unknown keys, wrong types and out-of-range values are ConfigErrors naming file:line:col and the
// key, with the nearest valid key; then the struct's validate() (if any) checks cross-field rules.
#pragma once

#include "r1/config/node.h"
#include "r1/config/visitor.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace r1::config {

/// Applies one override "a.b.c=value" (value in YAML: 3, true, [0.9, 0.99], null) to a document;
/// the changed nodes are located at "--set a.b.c=value" for error messages.
void apply_override(Node& root, const std::string& assignment);

/// Reads the file (if any) and applies the overrides in order.
Node load_document(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& overrides);

/// Reads a document into the fields that `visit_fn` lists.
void read(const Node& root, const std::function<void(Visitor&)>& visit_fn);

template <class T>
concept Validated = requires(const T& o) {
    validate(o);
};

template <class T>
T read(const Node& root) {
    T options{};
    read(root, [&options](Visitor& v) { visit(v, options); });
    if constexpr (Validated<T>) {
        try {
            validate(options);
        } catch (const util::ConfigError& e) {
            throw e.in_source(root.where.source);
        }
    }
    return options;
}

template <class T>
T load(const std::optional<std::filesystem::path>& file,
       const std::vector<std::string>& overrides = {}) {
    return read<T>(load_document(file, overrides));
}

/// The nearest key for a misspelt one: first among `here` (the keys of the same section), else a
/// key elsewhere in `all_paths` with the same last name. Empty when nothing is close.
std::string nearest_key(const std::string& key,
                        const std::vector<std::string>& here,
                        const std::vector<std::string>& all_paths);

}  // namespace r1::config
