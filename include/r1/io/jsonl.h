// JSONL in and out: JsonlReader streams a file one line at a time (never the whole file) and throws
// util::FormatError at file:line[:column] for invalid UTF-8, invalid JSON or a line that is not an
// object; JsonFields reads typed fields naming the field and the expected type; JsonlWriter appends
// flushed lines; write_jsonl_file() produces a whole file atomically.
#pragma once

#include "r1/util/error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1::io {

/// Lines longer than this are refused without being held in memory (a file with no newlines).
constexpr int64_t kJsonlMaxLineBytes = int64_t{256} << 20;

/// Lines nested deeper than this are refused before parsing (a guard against pathological input).
constexpr int64_t kJsonlMaxDepth = 256;

/// The 1-based byte column of the first invalid UTF-8 sequence in `text`, or 0 if it is valid.
int64_t invalid_utf8_column(std::string_view text);

/// Parses one JSONL line into an object; FormatError at `where` (with the column when known).
nlohmann::json parse_jsonl_line(std::string_view text, const util::Location& where);

class JsonlReader {
  public:
    /// Opens `path`; IoError naming it if it cannot.
    explicit JsonlReader(std::filesystem::path path, int64_t max_line_bytes = kJsonlMaxLineBytes);

    /// Reads the next non-blank line into `object`; false at end of file. A bad line throws
    /// FormatError; the reader has then moved past it, so next() may be called again (skip mode).
    bool next(nlohmann::json& object);

    /// Where the line last returned (or refused) sits: file:line.
    util::Location where() const { return {path_.string(), line_, 0}; }

    const std::filesystem::path& path() const { return path_; }

  private:
    /// The next line without its '\n' into text_; false at end of file. A line past the limit is
    /// consumed to its end but not kept: `too_long` says so.
    bool read_line(bool& too_long);

    std::filesystem::path path_;
    int64_t max_line_bytes_;
    std::ifstream in_;
    std::vector<char> buffer_;
    size_t pos_ = 0;
    size_t end_ = 0;
    std::string text_;
    int64_t line_ = 0;
};

/// Typed access to the fields of one JSON object; errors name file:line, the field and the type
/// expected ("data.jsonl:12: field 'answer': expected a string, got a number").
class JsonFields {
  public:
    JsonFields(const nlohmann::json& object, util::Location where);

    bool has(std::string_view key) const;  // present and not null
    std::string string(std::string_view key) const;
    std::optional<std::string> optional_string(std::string_view key) const;
    int64_t integer(std::string_view key) const;
    std::optional<int64_t> optional_integer(std::string_view key) const;
    double number(std::string_view key) const;
    std::vector<int64_t> integers(std::string_view key) const;     // a list of integers
    std::vector<std::string> strings(std::string_view key) const;  // a list of strings
    /// A present field of any kind; FormatError if missing.
    const nlohmann::json& value(std::string_view key) const;

    /// A FormatError for `key` at this line: "field 'key': <message>".
    util::FormatError error(std::string_view key, const std::string& message) const;

    const util::Location& where() const { return where_; }

  private:
    const nlohmann::json& object_;
    util::Location where_;
};

/// "a string", "an integer", "an object", ... as error messages name a JSON value's kind.
std::string json_kind(const nlohmann::json& value);

/// One line of JSONL for `object` (no newline); FormatError if it holds invalid UTF-8.
std::string to_jsonl_line(const nlohmann::json& object);

/// Appends objects to a file, one per line, flushed after each (metrics, completions, logs).
class JsonlWriter {
  public:
    enum class Mode { truncate, append };

    explicit JsonlWriter(std::filesystem::path path, Mode mode = Mode::truncate);
    void write(const nlohmann::json& object);

    int64_t lines() const { return lines_; }

  private:
    std::filesystem::path path_;
    std::ofstream out_;
    int64_t lines_ = 0;
};

/// Writes `rows` as a whole JSONL file through util::atomic_write_file (old file or new, never
/// half).
void write_jsonl_file(const std::filesystem::path& path, const std::vector<nlohmann::json>& rows);

}  // namespace r1::io
