// r1's only logging API: log::info("step ", step, " loss ", fixed(loss, 4)). No spdlog or fmt types
// leak out of here: LibTorch bundles its own fmt, so spdlog lives in src/util/log.cpp alone.
#pragma once

#include "r1/util/str.h"

#include <array>
#include <string>
#include <utility>

namespace r1::log {

enum class Level { debug, info, warn, error, off };

/// Names as YAML spells them (config visitors find this by ADL).
constexpr auto enum_names(Level) {
    return std::array{std::pair{Level::debug, "debug"}, std::pair{Level::info, "info"},
                      std::pair{Level::warn, "warn"}, std::pair{Level::error, "error"},
                      std::pair{Level::off, "off"}};
}

struct LogOptions {
    Level level = Level::info;  // console threshold; the file gets debug and up
    std::string file;           // log file (the run directory's log.txt); empty: none
    bool console = true;        // stderr, coloured on a terminal
};

/// (Re)configures the sinks; safe to call again, e.g. once the run directory exists.
void init(const LogOptions& options);

/// Flushes and closes the file sink (the console stays).
void close_file();

/// Adds a file sink (debug and up) at `path`, keeping the console as it is.
void open_file(const std::string& path);

/// A run's log.txt for the scope of a stage: open_file() now, close_file() at the end.
class FileScope {
  public:
    explicit FileScope(const std::string& path) { open_file(path); }

    FileScope(const FileScope&) = delete;
    FileScope& operator=(const FileScope&) = delete;

    ~FileScope() { close_file(); }
};

bool enabled(Level level);
void write(Level level, const std::string& message);

/// Parses "debug" | "info" | "warn" | "error" | "off"; throws ConfigError otherwise.
Level parse_level(const std::string& name);

template <class... Args>
void debug(const Args&... args) {
    if (enabled(Level::debug)) {
        write(Level::debug, util::str(args...));
    }
}

template <class... Args>
void info(const Args&... args) {
    if (enabled(Level::info)) {
        write(Level::info, util::str(args...));
    }
}

template <class... Args>
void warn(const Args&... args) {
    if (enabled(Level::warn)) {
        write(Level::warn, util::str(args...));
    }
}

template <class... Args>
void error(const Args&... args) {
    if (enabled(Level::error)) {
        write(Level::error, util::str(args...));
    }
}

}  // namespace r1::log
