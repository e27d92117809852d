// Typed errors: each names where (file, line, key, tensor), what was found and what was expected.
// The library throws these and never exits; apps/r1/main.cpp maps them to exit codes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace r1::util {

/// Where a problem sits: a file (or another source such as "--set a.b=1") and a 1-based line and
/// column; line 0 means "the whole source".
struct Location {
    std::string source;
    int64_t line = 0;
    int64_t column = 0;

    std::string str() const;  // "f.yaml:3:5", "f.yaml:3", "f.yaml" or ""
};

/// Base of every r1 error; what() is one line.
class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A config file, a --set override or an option value is wrong.
class ConfigError : public Error {
  public:
    explicit ConfigError(std::string message, Location where = {});

    const Location& where() const { return where_; }

    const std::string& message() const { return message_; }

    /// The same error, placed in `source` when it had no location yet (cross-field validation).
    ConfigError in_source(const std::string& source) const;

  private:
    std::string message_;
    Location where_;
};

/// An input file is malformed (JSONL, tokenizer.json, safetensors, ...).
class FormatError : public Error {
  public:
    explicit FormatError(const std::string& message, Location where = {});
};

/// A file could not be read or written.
class IoError : public Error {
  public:
    using Error::Error;
};

/// The command line is wrong (CLI usage).
class UsageError : public Error {
  public:
    using Error::Error;
};

/// The requested capability does not exist (yet, or on this build).
class UnsupportedError : public Error {
  public:
    using Error::Error;
};

}  // namespace r1::util
