// `r1 report RUN_DIR`: a run's metrics.jsonl drawn as curves on one self-contained HTML page of
// inline SVG charts (reward, accuracy, response length, ...), readable offline and in CI artefacts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace r1::io {

/// One metric over the steps of a run.
struct Series {
    std::string name;       // "reward/mean"
    std::vector<double> x;  // step
    std::vector<double> y;
};

struct ReportOptions {
    // which to draw, in order; empty: kDefaultMetrics found in the file
    std::vector<std::string> metrics;
    int width = 560;  // chart size in pixels
    int height = 220;
};

/// The metrics drawn when none are named: the curves of the R1 paper first.
extern const std::vector<std::string> kDefaultMetrics;

/// Reads metrics.jsonl: one JSON object per line with a numeric "step"; every numeric field becomes
/// a series. FormatError with file:line for a malformed line.
std::vector<Series> read_metrics(const std::filesystem::path& metrics_jsonl);

/// One chart: axes with rounded ticks, the raw curve and, for noisy curves, a moving average.
std::string render_svg_chart(const Series& series, int width, int height);

/// The whole page.
std::string render_report_html(const std::string& title,
                               const std::vector<Series>& series,
                               const ReportOptions& options);

/// Reads RUN_DIR/metrics.jsonl, writes RUN_DIR/report.html atomically and returns its path.
std::filesystem::path write_report(const std::filesystem::path& run_dir,
                                   const ReportOptions& options = {});

}  // namespace r1::io
