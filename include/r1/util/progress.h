// Progress for long loops: a redrawn bar with rate and ETA on a terminal; elsewhere (CI, pipes,
// log files) a plain log line every few seconds, so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace r1::util {

struct ProgressOptions {
    std::string label;          // "pretrain", "eval"
    int64_t total = 0;          // 0: unknown (no bar, no ETA)
    std::string unit = "it";    // what one count is: "step", "sample", "token"
    double log_every_s = 10.0;  // period of log lines when not on a terminal
    int width = 30;             // bar width in characters
};

/// One line of progress text: "label [#####.....] 50/100 step 12.3 step/s eta 4s | status".
std::string format_progress(const ProgressOptions& options,
                            int64_t done,
                            double elapsed_s,
                            std::string_view status);

class ProgressBar {
  public:
    explicit ProgressBar(ProgressOptions options);
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    ~ProgressBar();

    /// Reports `done` items finished, with a short status ("loss 1.234").
    void update(int64_t done, std::string_view status = {});
    /// Ends the bar (a final line); called by the destructor if not before.
    void finish(std::string_view status = {});

  private:
    double elapsed_s() const;

    ProgressOptions options_;
    bool tty_ = false;
    bool finished_ = false;
    int64_t done_ = 0;
    std::string status_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace r1::util
