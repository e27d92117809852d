#include "r1/io/jsonl.h"

#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <cstring>
#include <limits>
#include <utility>

namespace r1::io {
namespace {

using nlohmann::json;

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

/// Length of the UTF-8 sequence starting at text[i], or 0 if it is invalid (overlong forms,
/// surrogates and code points past U+10FFFF included, as RFC 3629 says).
size_t utf8_sequence_length(std::string_view text, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80) {
        return 1;
    }
    size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;  // no overlong 3-byte forms
        hi = c == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;  // no overlong 4-byte forms
        hi = c == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    if (i + n > text.size() || byte(i + 1) < lo || byte(i + 1) > hi) {
        return 0;
    }
    for (size_t k = 2; k < n; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) {
            return 0;
        }
    }
    return n;
}

/// The deepest nesting of arrays and objects outside strings (the parser is iterative, but
/// destroying and printing values recurses: refuse absurd depths up front).
int64_t nesting_depth(std::string_view text) {
    int64_t depth = 0;
    int64_t deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

/// nlohmann's message without its "[json.exception...] parse error at line 1, column 7: " prefix.
std::string parser_message(const std::string& what) {
    const size_t column = what.find(", column ");
    const size_t start = column == std::string::npos ? what.find("] ") : what.find(": ", column);
    return start == std::string::npos ? what : what.substr(start + 2);
}

}  // namespace

int64_t invalid_utf8_column(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const size_t n = utf8_sequence_length(text, i);
        if (n == 0) {
            return static_cast<int64_t>(i) + 1;
        }
        i += n;
    }
    return 0;
}

nlohmann::json parse_jsonl_line(std::string_view text, const util::Location& where) {
    if (const int64_t column = invalid_utf8_column(text); column > 0) {
        throw util::FormatError("invalid UTF-8", {where.source, where.line, column});
    }
    if (nesting_depth(text) > kJsonlMaxDepth) {
        throw util::FormatError(util::str("JSON nested deeper than ", kJsonlMaxDepth, " levels"),
                                where);
    }
    json value;
    try {
        value = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        const auto column = static_cast<int64_t>(std::min<size_t>(e.byte, text.size() + 1));
        throw util::FormatError("invalid JSON: " + parser_message(e.what()),
                                {where.source, where.line, std::max<int64_t>(column, 1)});
    } catch (const json::exception& e) {  // out_of_range: a number too large for a double
        throw util::FormatError("invalid JSON: " + parser_message(e.what()), where);
    }
    if (!value.is_object()) {
        throw util::FormatError("expected a JSON object per line, got " + json_kind(value), where);
    }
    return value;
}

JsonlReader::JsonlReader(std::filesystem::path path, int64_t max_line_bytes)
    : path_(std::move(path)),
      max_line_bytes_(max_line_bytes),
      in_(path_, std::ios::binary),
      buffer_(size_t{1} << 16) {
    if (!in_) {
        throw util::IoError(path_.string() + ": cannot open for reading");
    }
}

bool JsonlReader::read_line(bool& too_long) {
    text_.clear();
    too_long = false;
    bool any = false;
    while (true) {
        if (pos_ == end_) {
            in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
            if (in_.bad()) {
                throw util::IoError(util::str(path_.string(), ":", line_ + 1, ": read failed"));
            }
            pos_ = 0;
            end_ = static_cast<size_t>(in_.gcount());
            if (end_ == 0) {
                return any;
            }
        }
        any = true;
        const char* start = buffer_.data() + pos_;
        const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
        const size_t n = newline != nullptr ? static_cast<size_t>(newline - start) : end_ - pos_;
        if (!too_long && static_cast<int64_t>(text_.size() + n) > max_line_bytes_) {
            too_long = true;
            std::string().swap(text_);  // release what the line held so far
        }
        if (!too_long) {
            text_.append(start, n);
        }
        pos_ += n;
        if (newline != nullptr) {
            ++pos_;
            return true;
        }
    }
}

bool JsonlReader::next(nlohmann::json& object) {
    bool too_long = false;
    while (read_line(too_long)) {
        ++line_;
        if (too_long) {
            throw util::FormatError(util::str("line longer than ", max_line_bytes_, " bytes"),
                                    where());
        }
        std::string_view text = text_;
        if (line_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") {
            text.remove_prefix(3);  // a UTF-8 byte order mark, as some editors write
        }
        if (is_blank(text)) {
            continue;
        }
        object = parse_jsonl_line(text, where());
        return true;
    }
    return false;
}

// -- typed fields --------------------------------------------------------------------------------

std::string json_kind(const nlohmann::json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::object:
            return "an object";
        case json::value_t::array:
            return "a list";
        case json::value_t::string:
            return "a string";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return "an integer";
        case json::value_t::number_float:
            return "a number";
        default:
            return "an unsupported value";
    }
}

JsonFields::JsonFields(const nlohmann::json& object, util::Location where)
    : object_(object), where_(std::move(where)) {}

util::FormatError JsonFields::error(std::string_view key, const std::string& message) const {
    return util::FormatError("field '" + std::string(key) + "': " + message, where_);
}

bool JsonFields::has(std::string_view key) const {
    const auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
}

const nlohmann::json& JsonFields::value(std::string_view key) const {
    const auto it = object_.find(key);
    if (it == object_.end()) {
        throw error(key, "missing");
    }
    return *it;
}

namespace {

std::string expected(std::string_view what, const json& got) {
    return util::str("expected ", what, ", got ", json_kind(got));
}

int64_t to_int64(const json& v, const JsonFields& fields, std::string_view key) {
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw fields.error(key, "integer " + v.dump() + " does not fit in 64 bits");
    }
    if (!v.is_number_integer()) {
        throw fields.error(key, expected("an integer", v));
    }
    return v.get<int64_t>();
}

}  // namespace

std::string JsonFields::string(std::string_view key) const {
    const json& v = value(key);
    if (!v.is_string()) {
        throw error(key, expected("a string", v));
    }
    return v.get<std::string>();
}

std::optional<std::string> JsonFields::optional_string(std::string_view key) const {
    return has(key) ? std::optional(string(key)) : std::nullopt;
}

int64_t JsonFields::integer(std::string_view key) const {
    return to_int64(value(key), *this, key);
}

std::optional<int64_t> JsonFields::optional_integer(std::string_view key) const {
    return has(key) ? std::optional(integer(key)) : std::nullopt;
}

double JsonFields::number(std::string_view key) const {
    const json& v = value(key);
    if (!v.is_number()) {
        throw error(key, expected("a number", v));
    }
    return v.get<double>();
}

std::vector<int64_t> JsonFields::integers(std::string_view key) const {
    const json& v = value(key);
    if (!v.is_array()) {
        throw error(key, expected("a list of integers", v));
    }
    std::vector<int64_t> out;
    for (size_t i = 0; i < v.size(); ++i) {
        out.push_back(to_int64(v[i], *this, util::str(key, "[", i, "]")));
    }
    return out;
}

std::vector<std::string> JsonFields::strings(std::string_view key) const {
    const json& v = value(key);
    if (!v.is_array()) {
        throw error(key, expected("a list of strings", v));
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
            throw error(util::str(key, "[", i, "]"), expected("a string", v[i]));
        }
        out.push_back(v[i].get<std::string>());
    }
    return out;
}

// -- writing -------------------------------------------------------------------------------------

std::string to_jsonl_line(const nlohmann::json& object) {
    try {
        return object.dump(-1, ' ', false, json::error_handler_t::strict);
    } catch (const json::type_error& e) {
        throw util::FormatError(std::string("cannot write JSONL: ") + e.what());
    }
}

JsonlWriter::JsonlWriter(std::filesystem::path path, Mode mode)
    : path_(std::move(path)),
      out_(path_, std::ios::binary | (mode == Mode::append ? std::ios::app : std::ios::trunc)) {
    if (!out_) {
        throw util::IoError(path_.string() + ": cannot open for writing");
    }
}

void JsonlWriter::write(const nlohmann::json& object) {
    const std::string line = to_jsonl_line(object);
    out_ << line << '\n';
    out_.flush();
    if (!out_) {
        throw util::IoError(path_.string() + ": write failed");
    }
    ++lines_;
}

void write_jsonl_file(const std::filesystem::path& path, const std::vector<nlohmann::json>& rows) {
    std::string content;
    for (const json& row : rows) {
        content += to_jsonl_line(row);
        content += '\n';
    }
    util::atomic_write_file(path, content);
}

}  // namespace r1::io
