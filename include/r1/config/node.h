// A YAML document as r1 reads it: null, scalars, sequences and maps, each carrying the
// file:line:col it came from, so every config error can point at its line. yaml-cpp stays inside
// node.cpp.
#pragma once

#include "r1/util/error.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace r1::config {

using util::Location;

class Node {
  public:
    enum class Kind { null, scalar, sequence, map };

    struct Entry;

    Kind kind = Kind::null;
    std::string text;            // a scalar's text
    bool quoted = false;         // a quoted scalar is always a string ("null", "1" stay text)
    std::vector<Node> items;     // a sequence's elements
    std::vector<Entry> entries;  // a map's keys and values, in file order
    Location where;

    bool is_null() const { return kind == Kind::null; }

    bool is_scalar() const { return kind == Kind::scalar; }

    bool is_sequence() const { return kind == Kind::sequence; }

    bool is_map() const { return kind == Kind::map; }

    const Node* find(std::string_view key) const;
    Node* find(std::string_view key);
    /// The value under `key`, created as null (turning a null node into a map) if absent.
    Node& at_or_insert(std::string_view key, Location where);

    static Node scalar(std::string text, bool quoted = false);
    static Node map();
};

struct Node::Entry {
    std::string key;
    Location key_where;
    Node value;
};

/// Parses YAML text; `source` names it in errors. Throws ConfigError with the line of the problem
/// (bad indentation, a tab, an unterminated string, a duplicate key).
Node parse_yaml(std::string_view text, const std::string& source);

/// Reads and parses a YAML file; IoError if it cannot be read.
Node load_yaml_file(const std::filesystem::path& path);

/// Block-style YAML for a node tree (maps nested, scalar lists in flow style).
std::string emit_yaml(const Node& node);

/// The scalar written so that YAML reads back the same text ('null' or '1' quoted when `quoted`).
std::string yaml_scalar(const std::string& text, bool quoted);

}  // namespace r1::config
