#include "r1/config/node.h"

#include "r1/util/fs.h"

#include <climits>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_set>

namespace r1::config {

const Node* Node::find(std::string_view key) const {
    for (const Entry& e : entries) {
        if (e.key == key) {
            return &e.value;
        }
    }
    return nullptr;
}

Node* Node::find(std::string_view key) {
    return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

Node& Node::at_or_insert(std::string_view key, Location at) {
    if (kind == Kind::null) {
        kind = Kind::map;
    }
    if (Node* found = find(key)) {
        return *found;
    }
    Node value;
    value.where = at;
    entries.push_back(Entry{std::string(key), at, std::move(value)});
    return entries.back().value;
}

Node Node::scalar(std::string text, bool quoted) {
    Node n;
    n.kind = Kind::scalar;
    n.text = std::move(text);
    n.quoted = quoted;
    return n;
}

Node Node::map() {
    Node n;
    n.kind = Kind::map;
    return n;
}

namespace {

Location location(const std::string& source, const YAML::Mark& mark) {
    if (mark.line < 0) {
        return Location{.source = source};
    }
    return Location{.source = source, .line = mark.line + 1, .column = mark.column + 1};
}

// yaml-cpp 0.7 accepts a quoted scalar left open up to the end of the file when a newline follows
// it; we refuse it, since an unterminated string there is always a typo.
bool closed_quote(std::string_view text, size_t pos) {
    if (pos >= text.size() || (text[pos] != '"' && text[pos] != '\'')) {
        return true;  // not at a quote: nothing to check
    }
    const char quote = text[pos];
    for (size_t i = pos + 1; i < text.size(); ++i) {
        if (quote == '"' && text[i] == '\\') {
            ++i;
        } else if (text[i] == quote) {
            if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
                ++i;  // '' is an escaped quote in single-quoted YAML
                continue;
            }
            return true;
        }
    }
    return false;
}

struct Converter {
    std::string_view text;
    const std::string& source;

    Node operator()(const YAML::Node& in) const {
        Node out;
        out.where = location(source, in.Mark());
        switch (in.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null:
                out.kind = Node::Kind::null;
                break;
            case YAML::NodeType::Scalar:
                out.kind = Node::Kind::scalar;
                out.text = in.Scalar();
                out.quoted =
                    in.Tag() == "!";  // yaml-cpp tags quoted scalars "!" and plain ones "?"
                if (out.quoted && in.Mark().pos >= 0 &&
                    !closed_quote(text, static_cast<size_t>(in.Mark().pos))) {
                    throw util::ConfigError("unterminated string: its closing quote is missing",
                                            out.where);
                }
                break;
            case YAML::NodeType::Sequence:
                out.kind = Node::Kind::sequence;
                for (const YAML::Node& item : in) {
                    out.items.push_back((*this)(item));
                }
                break;
            case YAML::NodeType::Map:
                out.kind = Node::Kind::map;
                convert_map(in, out);
                break;
        }
        return out;
    }

    void convert_map(const YAML::Node& in, Node& out) const {
        std::unordered_set<std::string> seen;
        for (const auto& kv : in) {
            const Location key_where = location(source, kv.first.Mark());
            if (!kv.first.IsScalar()) {
                throw util::ConfigError("a map key must be a plain name", key_where);
            }
            const std::string key = kv.first.Scalar();
            if (!seen.insert(key).second) {
                throw util::ConfigError("duplicate key '" + key + "'", key_where);
            }
            out.entries.push_back(Node::Entry{key, key_where, (*this)(kv.second)});
        }
    }
};

// On a parse error, a tab in the indentation at or above the failing line is the likelier cause.
std::optional<Location> tab_in_indentation(std::string_view text,
                                           const std::string& source,
                                           int64_t up_to_line) {
    int64_t line = 1;
    size_t start = 0;
    while (start < text.size() && line <= up_to_line) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        for (size_t i = start; i < end && (text[i] == ' ' || text[i] == '\t'); ++i) {
            if (text[i] == '\t') {
                return Location{
                    .source = source, .line = line, .column = static_cast<int64_t>(i - start) + 1};
            }
        }
        start = end + 1;
        ++line;
    }
    return std::nullopt;
}

std::string hint(const std::string& message) {
    if (message == "illegal map value") {
        return message + " (check the indentation, and quote values that contain ': ')";
    }
    return message;
}

}  // namespace

Node parse_yaml(std::string_view text, const std::string& source) {
    YAML::Node doc;
    try {
        doc = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        const Location at = location(source, e.mark);
        if (auto tab = tab_in_indentation(text, source, at.line > 0 ? at.line : INT64_MAX)) {
            throw util::ConfigError(
                "invalid YAML: a tab in the indentation (YAML indents with spaces)", *tab);
        }
        throw util::ConfigError("invalid YAML: " + hint(e.msg), at);
    }
    return Converter{text, source}(doc);
}

Node load_yaml_file(const std::filesystem::path& path) {
    return parse_yaml(util::read_file(path), path.string());
}

namespace {

bool is_plain_safe(const std::string& text) {
    if (text.empty()) {
        return false;
    }
    static const std::unordered_set<std::string> kReserved = {
        "null", "Null", "NULL", "~",  "true", "True", "TRUE", "false", "False", "FALSE",
        "yes",  "Yes",  "no",   "No", "on",   "On",   "off",  "Off",   "y",     "n"};
    if (kReserved.count(text) > 0) {
        return false;
    }
    const char first = text.front();
    if (std::string_view("-?:,[]{}#&*!|>'\"%@`+. 0123456789").find(first) !=
        std::string_view::npos) {
        return false;
    }
    if (text.back() == ' ' || text.back() == ':') {
        return false;
    }
    return std::all_of(text.begin(), text.end(), [](char c) {
        return std::string_view("#:\n\r\t\"'{}[],&*!|>%@`\\").find(c) == std::string_view::npos;
    });
}

std::string double_quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += c;
        }
    }
    return out + "\"";
}

bool is_flat(const Node& n) {
    return std::all_of(n.items.begin(), n.items.end(),
                       [](const Node& item) { return item.is_scalar() || item.is_null(); });
}

std::string flow_item(const Node& n) {
    return n.is_null() ? "null" : yaml_scalar(n.text, n.quoted);
}

void emit(const Node& n, int indent, std::string& out);

void emit_value_after_key(const Node& value, int indent, std::string& out) {
    if (value.is_map() && !value.entries.empty()) {
        out += "\n";
        emit(value, indent + 2, out);
    } else if (value.is_sequence() && !is_flat(value)) {
        out += "\n";
        emit(value, indent + 2, out);
    } else {
        out += " ";
        emit(value, indent, out);
        out += "\n";
    }
}

void emit(const Node& n, int indent, std::string& out) {
    const std::string pad(static_cast<size_t>(indent), ' ');
    switch (n.kind) {
        case Node::Kind::null:
            out += "null";
            return;
        case Node::Kind::scalar:
            out += yaml_scalar(n.text, n.quoted);
            return;
        case Node::Kind::sequence:
            if (is_flat(n)) {
                out += "[";
                for (size_t i = 0; i < n.items.size(); ++i) {
                    out += (i > 0 ? ", " : "") + flow_item(n.items[i]);
                }
                out += "]";
                return;
            }
            for (const Node& item : n.items) {
                out += pad + "-";
                if (item.is_map() && !item.entries.empty()) {
                    std::string inner;
                    emit(item, indent + 2, inner);
                    out += " " + inner.substr(static_cast<size_t>(indent) + 2);
                } else {
                    out += " ";
                    emit(item, indent + 2, out);
                    out += "\n";
                }
            }
            return;
        case Node::Kind::map:
            if (n.entries.empty()) {
                out += "{}";
                return;
            }
            for (const Node::Entry& e : n.entries) {
                out += pad + yaml_scalar(e.key, false) + ":";
                emit_value_after_key(e.value, indent, out);
            }
            return;
    }
}

}  // namespace

std::string yaml_scalar(const std::string& text, bool quoted) {
    if (!quoted) {
        return text.empty() ? "\"\"" : text;
    }
    return is_plain_safe(text) ? text : double_quoted(text);
}

std::string emit_yaml(const Node& node) {
    std::string out;
    emit(node, 0, out);
    if (!out.empty() && out.back() != '\n') {
        out += "\n";
    }
    return out;
}

}  // namespace r1::config
