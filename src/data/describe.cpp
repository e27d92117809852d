// describe_jsonl(): what `r1 info F.jsonl` prints. It reads every line (streaming) and never stops
// at a malformed one: it counts it and shows the first.
#include "r1/data/jsonl_dataset.h"
#include "r1/io/jsonl.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace r1::data {
namespace {

/// Type names for the summary (shorter than json_kind's "an integer").
const char* type_label(const nlohmann::json& v) {
    switch (v.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::object:
            return "object";
        case nlohmann::json::value_t::array:
            return "list";
        case nlohmann::json::value_t::string:
            return "string";
        case nlohmann::json::value_t::boolean:
            return "boolean";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned:
            return "integer";
        case nlohmann::json::value_t::number_float:
            return "number";
        default:
            return "other";
    }
}

struct FieldStats {
    int64_t lines = 0;
    std::map<std::string, int64_t> types;
};

}  // namespace

std::string describe_jsonl(const std::filesystem::path& path) {
    io::JsonlReader reader(path);
    std::map<std::string, FieldStats> fields;
    int64_t objects = 0;
    int64_t malformed = 0;
    std::string first_error;
    nlohmann::json object;
    while (true) {
        try {
            if (!reader.next(object)) {
                break;
            }
        } catch (const util::FormatError& e) {
            if (malformed++ == 0) {
                first_error = e.what();
            }
            continue;
        }
        ++objects;
        for (const auto& [key, value] : object.items()) {
            FieldStats& stats = fields[key];
            ++stats.lines;
            ++stats.types[type_label(value)];
        }
    }
    const int64_t lines = reader.where().line;
    std::ostringstream out;
    out << path.string() << ": JSONL, " << lines << " lines (" << objects << " objects, "
        << malformed << " malformed, " << (lines - objects - malformed) << " blank)\n";
    size_t width = 0;
    for (const auto& [key, stats] : fields) {
        width = std::max(width, key.size());
    }
    out << "fields:" << (fields.empty() ? " none\n" : "\n");
    for (const auto& [key, stats] : fields) {
        out << "  " << key << std::string(width - key.size() + 2, ' ') << stats.lines << "/"
            << objects << " lines:";
        for (const auto& [type, count] : stats.types) {
            out << " " << type << " " << count;
        }
        out << "\n";
    }
    if (malformed > 0) {
        out << "first malformed line: " << first_error << "\n";
    }
    return out.str();
}

}  // namespace r1::data
