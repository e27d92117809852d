#include "r1/util/progress.h"

#include "r1/util/log.h"
#include "r1/util/str.h"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

namespace r1::util {

std::string format_progress(const ProgressOptions& options,
                            int64_t done,
                            double elapsed_s,
                            std::string_view status) {
    std::ostringstream out;
    out << options.label;
    const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
    if (options.total > 0) {
        const double frac = std::clamp(static_cast<double>(done) / options.total, 0.0, 1.0);
        const int filled = static_cast<int>(frac * options.width);
        out << " [" << std::string(filled, '#') << std::string(options.width - filled, '.') << "] "
            << done << "/" << options.total;
    } else {
        out << " " << done;
    }
    out << " " << options.unit << " " << fixed(rate, rate < 10 ? 2 : 1) << " " << options.unit
        << "/s";
    if (options.total > 0 && rate > 0 && done < options.total) {
        out << " eta " << format_duration(static_cast<double>(options.total - done) / rate);
    } else {
        out << " in " << format_duration(elapsed_s);
    }
    if (!status.empty()) {
        out << " | " << status;
    }
    return out.str();
}

ProgressBar::ProgressBar(ProgressOptions options)
    : options_(std::move(options)),
      tty_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
    if (!finished_) {
        finish();
    }
}

double ProgressBar::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(int64_t done, std::string_view status) {
    done_ = done;
    status_ = status;
    const auto now = std::chrono::steady_clock::now();
    const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
    if (tty_) {
        if (since_draw < 0.1) {
            return;  // redraw at most 10 times a second
        }
        std::fprintf(stderr, "\r\033[2K%s",
                     format_progress(options_, done, elapsed_s(), status).c_str());
        std::fflush(stderr);
    } else {
        if (since_draw < options_.log_every_s) {
            return;
        }
        log::info(format_progress(options_, done, elapsed_s(), status));
    }
    last_draw_ = now;
}

void ProgressBar::finish(std::string_view status) {
    finished_ = true;
    if (!status.empty()) {
        status_ = status;
    }
    const std::string line = format_progress(options_, done_, elapsed_s(), status_);
    if (tty_) {
        std::fprintf(stderr, "\r\033[2K%s\n", line.c_str());
        std::fflush(stderr);
    } else {
        log::info(line);
    }
}

}  // namespace r1::util
