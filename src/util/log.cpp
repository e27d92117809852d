// The one translation unit that sees spdlog (and Debian's fmt under it). It builds in the OBJECT
// library r1_log, which does not link Torch, so LibTorch's bundled fmt headers are never on its
// path.
#include "r1/util/log.h"

#include "r1/util/error.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace r1::log {
namespace {

struct State {
    std::mutex mutex;
    std::shared_ptr<spdlog::logger> logger;
    Level level = Level::info;
    Level floor = Level::info;  // lowest level any sink takes
};

State& state() {
    static State s;
    return s;
}

spdlog::level::level_enum to_spdlog(Level level) {
    switch (level) {
        case Level::debug:
            return spdlog::level::debug;
        case Level::info:
            return spdlog::level::info;
        case Level::warn:
            return spdlog::level::warn;
        case Level::error:
            return spdlog::level::err;
        case Level::off:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> make_logger(const LogOptions& options) {
    std::vector<spdlog::sink_ptr> sinks;
    if (options.console) {
        auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        console->set_level(to_spdlog(options.level));
        console->set_pattern("%^[%H:%M:%S %L]%$ %v");
        sinks.push_back(console);
    }
    if (!options.file.empty()) {
        try {
            auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, false);
            file->set_level(spdlog::level::debug);
            file->set_pattern("[%Y-%m-%d %H:%M:%S.%e %l] %v");
            sinks.push_back(file);
        } catch (const spdlog::spdlog_ex& e) {
            throw util::IoError(options.file + ": cannot open the log file: " + e.what());
        }
    }
    auto logger = std::make_shared<spdlog::logger>("r1", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::info);
    return logger;
}

}  // namespace

void init(const LogOptions& options) {
    auto logger = make_logger(options);
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.logger = std::move(logger);
    s.level = options.level;
    s.floor = options.file.empty() ? options.level : Level::debug;
}

void close_file() {
    State& s = state();
    LogOptions console_only{.level = s.level, .file = {}, .console = true};
    auto logger = make_logger(console_only);
    std::lock_guard lock(s.mutex);
    if (s.logger) {
        s.logger->flush();
    }
    s.logger = std::move(logger);
    s.floor = s.level;
}

void open_file(const std::string& path) {
    Level level;
    {
        std::lock_guard lock(state().mutex);
        level = state().level;
    }
    init({.level = level, .file = path, .console = true});
}

bool enabled(Level level) {
    return level != Level::off && level >= state().floor;
}

void write(Level level, const std::string& message) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.logger) {
        s.logger = make_logger(LogOptions{});
    }
    s.logger->log(to_spdlog(level), "{}", message);
}

Level parse_level(const std::string& name) {
    for (const auto& [level, level_name] : enum_names(Level{})) {
        if (name == level_name) {
            return level;
        }
    }
    throw util::ConfigError("unknown log level '" + name +
                            "'; expected one of debug, info, warn, error, off");
}

}  // namespace r1::log
