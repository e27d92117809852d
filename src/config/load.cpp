#include "r1/config/load.h"

#include "r1/config/schema.h"
#include "r1/util/str.h"

#include <algorithm>
#include <cctype>

namespace r1::config {
namespace {

std::string last_segment(const std::string& path) {
    const size_t dot = path.rfind('.');
    return dot == std::string::npos ? path : path.substr(dot + 1);
}

// Reads YAML nodes into fields; one frame per section being read.
class YamlReader final : public Visitor {
  public:
    YamlReader(const Node& root, std::vector<std::string> all_paths)
        : all_paths_(std::move(all_paths)) {
        frames_.push_back(
            Frame{root.is_map() ? &root : nullptr, "", {}, Location{.source = root.where.source}});
        if (!root.is_map() && !root.is_null()) {
            throw util::ConfigError("expected a map of options at the top level", root.where);
        }
    }

    void finish() { check_unknown(frames_.back()); }

    void on_field(std::string_view key, FieldRef& field, std::string_view) override {
        Frame& f = frames_.back();
        f.known.emplace_back(key);
        if (const Node* n = lookup(key)) {
            try {
                field.set(*n);
            } catch (const ValueError& e) {
                throw util::ConfigError("key '" + path(key) + "': " + e.what(), n->where);
            }
        }
    }

    void on_section(std::string_view key,
                    std::string_view,
                    const std::function<void(Visitor&)>& body) override {
        frames_.back().known.emplace_back(key);
        const Node* n = lookup(key);
        if (n != nullptr && !n->is_map() && !n->is_null()) {
            throw util::ConfigError(
                "key '" + path(key) + "' is a section: expected a map of its options", n->where);
        }
        const bool present = n != nullptr && n->is_map();
        frames_.push_back(
            Frame{present ? n : nullptr, path(key), {}, present ? n->where : source_only()});
        body(*this);
        check_unknown(frames_.back());
        frames_.pop_back();
    }

    void on_list(std::string_view key, ListRef& list, std::string_view) override {
        frames_.back().known.emplace_back(key);
        const Node* n = lookup(key);
        if (n == nullptr) {
            return;
        }
        if (n->is_null()) {
            list.resize(0);
            return;
        }
        if (!n->is_sequence()) {
            throw util::ConfigError("key '" + path(key) + "': expected a list of maps", n->where);
        }
        list.resize(n->items.size());
        for (size_t i = 0; i < n->items.size(); ++i) {
            const Node& item = n->items[i];
            const std::string item_path = path(key) + "[" + std::to_string(i) + "]";
            if (!item.is_map()) {
                throw util::ConfigError("key '" + item_path + "': expected a map", item.where);
            }
            frames_.push_back(Frame{&item, item_path, {}, item.where});
            list.visit_item(i, *this);
            check_unknown(frames_.back());
            frames_.pop_back();
        }
    }

    void on_constraint(std::string_view key,
                       const std::vector<double>& numbers,
                       const Constraint& c) override {
        const Node* n = lookup(key);
        if (c.required && n == nullptr) {
            throw util::ConfigError("missing required key '" + path(key) + "'",
                                    frames_.back().where);
        }
        const std::string problem = range_violation(numbers, c);
        if (!problem.empty()) {
            throw util::ConfigError("key '" + path(key) + "': " + problem,
                                    n != nullptr ? n->where : frames_.back().where);
        }
    }

  private:
    struct Frame {
        const Node* map;                 // null when the section is absent from the document
        std::string path;                // "batch" or "rewards[1]"
        std::vector<std::string> known;  // keys the struct declared so far
        Location where;                  // the section's line, or just the file when it is absent
    };

    Location source_only() const { return Location{.source = frames_.front().where.source}; }

    const Node* lookup(std::string_view key) const {
        const Frame& f = frames_.back();
        return f.map != nullptr ? f.map->find(key) : nullptr;
    }

    std::string path(std::string_view key) const {
        const std::string& prefix = frames_.back().path;
        return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    }

    void check_unknown(const Frame& f) const {
        if (f.map == nullptr) {
            return;
        }
        for (const Node::Entry& e : f.map->entries) {
            if (std::find(f.known.begin(), f.known.end(), e.key) != f.known.end()) {
                continue;
            }
            const std::string full = f.path.empty() ? e.key : f.path + "." + e.key;
            std::string message = "unknown key '" + full + "'";
            const std::string near = nearest_key(e.key, f.known, all_paths_);
            if (!near.empty()) {
                const bool here = std::find(f.known.begin(), f.known.end(), near) != f.known.end();
                const std::string near_full = here && !f.path.empty() ? f.path + "." + near : near;
                message += "; did you mean '" + near_full + "'?";
            } else {
                message += "; valid keys here: " + util::join(f.known, ", ");
            }
            throw util::ConfigError(message, e.key_where);
        }
    }

    std::vector<Frame> frames_;
    std::vector<std::string> all_paths_;
};

bool is_index(const std::string& segment) {
    return !segment.empty() && std::all_of(segment.begin(), segment.end(),
                                           [](unsigned char c) { return std::isdigit(c) != 0; });
}

void relocate(Node& n, const Location& where) {
    n.where = where;
    for (Node& item : n.items) {
        relocate(item, where);
    }
    for (Node::Entry& e : n.entries) {
        e.key_where = where;
        relocate(e.value, where);
    }
}

}  // namespace

std::string nearest_key(const std::string& key,
                        const std::vector<std::string>& here,
                        const std::vector<std::string>& all_paths) {
    const int64_t limit = std::max<int64_t>(2, static_cast<int64_t>(key.size()) / 4);
    std::string best_here;
    int64_t d_here = limit + 1;
    for (const std::string& candidate : here) {
        if (const int64_t d = util::edit_distance(key, candidate); d < d_here) {
            best_here = candidate;
            d_here = d;
        }
    }
    std::string best_else;  // the right name in the wrong section
    int64_t d_else = 2;
    for (const std::string& candidate : all_paths) {
        const auto is_section = [&all_paths](const std::string& path) {
            return std::any_of(all_paths.begin(), all_paths.end(), [&path](const std::string& p) {
                return p.size() > path.size() && p.starts_with(path + ".");
            });
        };
        if (candidate.find("[]") != std::string::npos || is_section(candidate)) {
            continue;  // a misspelt key is a leaf: suggest no section for it
        }
        if (const int64_t d = util::edit_distance(key, last_segment(candidate)); d < d_else) {
            best_else = candidate;
            d_else = d;
        }
    }
    return d_else < d_here ? best_else : best_here;
}

void apply_override(Node& root, const std::string& assignment) {
    const size_t eq = assignment.find('=');
    const Location where{.source = "--set " + assignment};
    if (eq == std::string::npos || eq == 0) {
        throw util::ConfigError("expected key=value, e.g. --set batch.num_generations=8", where);
    }
    const std::string key = assignment.substr(0, eq);
    Node value = parse_yaml(assignment.substr(eq + 1), where.source);
    relocate(value, where);

    Node* current = &root;
    std::string walked;
    size_t start = 0;
    while (true) {
        const size_t dot = key.find('.', start);
        const std::string segment =
            key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (segment.empty()) {
            throw util::ConfigError("empty key segment in '" + key + "'", where);
        }
        Node* next = nullptr;
        if (is_index(segment) && !current->is_sequence()) {
            throw util::ConfigError(
                "'" + walked + "' is not a list in the config, so it has no item " + segment +
                    "; set the whole list instead, e.g. --set " + walked + "=[...]",
                where);
        }
        if (current->is_sequence()) {
            const size_t i = std::stoul(segment);
            if (i >= current->items.size()) {
                throw util::ConfigError("'" + walked + "' has " +
                                            std::to_string(current->items.size()) +
                                            " items; index " + segment + " is past its end",
                                        where);
            }
            next = &current->items[i];
        } else if (current->is_map() || current->is_null()) {
            next = &current->at_or_insert(segment, where);
        } else {
            throw util::ConfigError("'" + walked + "' is a value, not a section", where);
        }
        walked += (walked.empty() ? "" : ".") + segment;
        current = next;
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    *current = std::move(value);
}

Node load_document(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& overrides) {
    Node root = file ? load_yaml_file(*file) : Node::map();
    if (root.is_null()) {
        root = Node::map();  // an empty file is an empty config
        if (file) {
            root.where = Location{.source = file->string()};
        }
    }
    for (const std::string& assignment : overrides) {
        apply_override(root, assignment);
    }
    return root;
}

void read(const Node& root, const std::function<void(Visitor&)>& visit_fn) {
    std::vector<std::string> paths;
    for (const KeyInfo& k : schema(visit_fn)) {
        paths.push_back(k.path);
    }
    YamlReader reader(root, std::move(paths));
    visit_fn(reader);
    reader.finish();
}

}  // namespace r1::config
