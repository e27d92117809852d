#include "r1/config/schema.h"

#include "r1/util/str.h"

#include <cmath>
#include <sstream>

#include "bounds.h"

namespace r1::config {
namespace {

std::string flat_yaml(const Node& n) {
    std::string text = emit_yaml(n);
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

class SchemaWriter final : public Visitor {
  public:
    std::vector<KeyInfo> keys;

    void on_field(std::string_view key, FieldRef& field, std::string_view doc) override {
        keys.push_back(KeyInfo{.path = path(key),
                               .type = field.type_name(),
                               .default_value = flat_yaml(field.get()),
                               .constraint = "",
                               .doc = std::string(doc)});
    }

    void on_section(std::string_view key,
                    std::string_view doc,
                    const std::function<void(Visitor&)>& body) override {
        keys.push_back(KeyInfo{.path = path(key), .type = "section", .doc = std::string(doc)});
        prefix_.emplace_back(key);
        body(*this);
        prefix_.pop_back();
    }

    void on_list(std::string_view key, ListRef& list, std::string_view doc) override {
        keys.push_back(
            KeyInfo{.path = path(key), .type = "list of sections", .doc = std::string(doc)});
        prefix_.push_back(std::string(key) + "[]");
        list.visit_prototype(*this);
        prefix_.pop_back();
    }

    void on_constraint(std::string_view key,
                       const std::vector<double>&,
                       const Constraint& c) override {
        const std::string text = c.required ? "required" : detail::describe_bounds(c);
        const std::string full = path(key);
        for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
            if (it->path == full) {
                it->constraint += (it->constraint.empty() ? "" : ", ") + text;
                break;
            }
        }
    }

  private:
    std::string path(std::string_view key) const {
        return prefix_.empty() ? std::string(key)
                               : util::join(prefix_, ".") + "." + std::string(key);
    }

    std::vector<std::string> prefix_;
};

std::string cell(const std::string& text) {
    std::string out;
    for (const char c : text) {
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    }
    return out;
}

}  // namespace

std::vector<KeyInfo> schema(const std::function<void(Visitor&)>& visit_fn) {
    SchemaWriter writer;
    visit_fn(writer);
    return std::move(writer.keys);
}

std::string schema_markdown(const std::string& title, const std::vector<KeyInfo>& keys) {
    std::ostringstream out;
    out << "## " << title
        << "\n\n| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
    for (const KeyInfo& k : keys) {
        const bool is_section = k.type == "section" || k.type == "list of sections";
        out << "| `" << k.path << "` | " << cell(k.type) << " | "
            << (is_section || k.default_value.empty() ? "" : "`" + cell(k.default_value) + "`")
            << " | " << cell(k.constraint) << " | " << cell(k.doc) << " |\n";
    }
    return out.str();
}

}  // namespace r1::config
