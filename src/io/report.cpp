#include "r1/io/report.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

namespace r1::io {

const std::vector<std::string> kDefaultMetrics = {"reward/mean",
                                                  "accuracy",
                                                  "reward/accuracy/mean",
                                                  "completion_len/mean",
                                                  "eval/pass@1",
                                                  "loss/total",
                                                  "kl",
                                                  "entropy",
                                                  "frac_reward_zero_std",
                                                  "lr",
                                                  "grad_norm"};

namespace {

using util::FormatError;
using util::Location;

std::string number(double v) {
    std::ostringstream out;
    out << std::setprecision(4) << v;
    return out.str();
}

std::string escape(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// Tick values at 1, 2 or 5 times a power of ten, 3 to 6 of them across [lo, hi].
std::vector<double> ticks(double lo, double hi) {
    const double span = hi - lo;
    const double raw = span / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    }
    std::vector<double> out;
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
        out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    }
    return out;
}

std::vector<double> moving_average(const std::vector<double>& y, size_t window) {
    std::vector<double> out(y.size());
    double sum = 0;
    for (size_t i = 0; i < y.size(); ++i) {
        sum += y[i];
        if (i >= window) {
            sum -= y[i - window];
        }
        out[i] = sum / static_cast<double>(std::min(i + 1, window));
    }
    return out;
}

struct Frame {
    double x0, x1, y0, y1;            // data ranges
    double left, right, top, bottom;  // plot area in pixels

    double px(double x) const { return left + (x - x0) / (x1 - x0) * (right - left); }

    double py(double y) const { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }
};

std::string polyline(const Frame& f,
                     const std::vector<double>& x,
                     const std::vector<double>& y,
                     const std::string& style) {
    std::ostringstream out;
    out << "<polyline fill=\"none\" " << style << " points=\"";
    for (size_t i = 0; i < x.size(); ++i) {
        out << number(f.px(x[i])) << "," << number(f.py(y[i])) << " ";
    }
    out << "\"/>\n";
    return out.str();
}

std::string axes(const Frame& f) {
    std::ostringstream out;
    for (const double t : ticks(f.y0, f.y1)) {
        out << "<line x1=\"" << f.left << "\" x2=\"" << f.right << "\" y1=\"" << number(f.py(t))
            << "\" y2=\"" << number(f.py(t)) << "\" stroke=\"#e5e5e5\"/>\n<text x=\"" << f.left - 6
            << "\" y=\"" << number(f.py(t) + 4) << "\" text-anchor=\"end\">" << number(t)
            << "</text>\n";
    }
    for (const double t : ticks(f.x0, f.x1)) {
        out << "<text x=\"" << number(f.px(t)) << "\" y=\"" << f.bottom + 16
            << "\" text-anchor=\"middle\">" << number(t) << "</text>\n";
    }
    out << "<rect x=\"" << f.left << "\" y=\"" << f.top << "\" width=\"" << f.right - f.left
        << "\" height=\"" << f.bottom - f.top << "\" fill=\"none\" stroke=\"#999\"/>\n";
    return out.str();
}

}  // namespace

std::vector<Series> read_metrics(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        throw util::IoError(path.string() + ": cannot open the metrics file");
    }
    std::map<std::string, Series> by_name;
    std::vector<std::string> order;
    std::string line;
    for (int64_t number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            continue;
        }
        const Location at{.source = path.string(), .line = number};
        const nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!row.is_object()) {
            throw FormatError("expected one JSON object per line", at);
        }
        if (!row.contains("step") || !row["step"].is_number()) {
            throw FormatError("missing numeric field 'step'", at);
        }
        const double step = row["step"].get<double>();
        for (const auto& [key, value] : row.items()) {
            if (key == "step" || !value.is_number()) {
                continue;
            }
            if (!by_name.count(key)) {
                order.push_back(key);
                by_name[key].name = key;
            }
            by_name[key].x.push_back(step);
            by_name[key].y.push_back(value.get<double>());
        }
    }
    std::vector<Series> out;
    for (const std::string& name : order) {
        out.push_back(std::move(by_name[name]));
    }
    return out;
}

std::string render_svg_chart(const Series& s, int width, int height) {
    std::ostringstream out;
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" font-family=\"sans-serif\" font-size=\"11\">\n<text x=\"" << width / 2
        << "\" y=\"14\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
        << escape(s.name) << "</text>\n";
    if (s.x.empty()) {
        return out.str() + "<text x=\"10\" y=\"40\">no data</text>\n</svg>\n";
    }
    auto [ylo, yhi] = std::minmax_element(s.y.begin(), s.y.end());
    auto [xlo, xhi] = std::minmax_element(s.x.begin(), s.x.end());
    const double pad =
        (*yhi - *ylo) * 0.05 + (*yhi == *ylo ? std::max(std::abs(*yhi) * 0.1, 1e-3) : 0.0);
    const Frame f{*xlo,       *xhi > *xlo ? *xhi : *xlo + 1,
                  *ylo - pad, *yhi + pad,
                  56.0,       width - 12.0,
                  24.0,       height - 24.0};
    out << axes(f);
    const bool noisy = s.y.size() >= 20;
    out << polyline(
        f, s.x, s.y,
        noisy ? "stroke=\"#9ecae1\" stroke-width=\"1\"" : "stroke=\"#3182bd\" stroke-width=\"2\"");
    if (noisy) {
        out << polyline(f, s.x, moving_average(s.y, std::max<size_t>(3, s.y.size() / 20)),
                        "stroke=\"#08519c\" stroke-width=\"2\"");
    }
    out << "<text x=\"" << 4 << "\" y=\"" << height - 8 << "\" fill=\"#666\">step</text>\n";
    return out.str() + "</svg>\n";
}

std::string render_report_html(const std::string& title,
                               const std::vector<Series>& series,
                               const ReportOptions& options) {
    const std::vector<std::string>& wanted =
        options.metrics.empty() ? kDefaultMetrics : options.metrics;
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << escape(title)
        << "</"
           "title>\n<style>body{font-family:sans-serif;margin:24px}div.c{display:inline-block;"
           "margin:6px}</style>"
           "</head>\n<body>\n<h2>"
        << escape(title) << "</h2>\n";
    int drawn = 0;
    for (const std::string& name : wanted) {
        const auto it = std::find_if(series.begin(), series.end(),
                                     [&](const Series& s) { return s.name == name; });
        if (it == series.end()) {
            if (!options.metrics.empty()) {
                throw util::UsageError("metric '" + name + "' is not in the run's metrics.jsonl");
            }
            continue;
        }
        out << "<div class=\"c\">\n"
            << render_svg_chart(*it, options.width, options.height) << "</div>\n";
        ++drawn;
    }
    if (drawn == 0) {
        out << "<p>No known metric to draw.</p>\n";
    }
    return out.str() + "</body></html>\n";
}

std::filesystem::path write_report(const std::filesystem::path& run_dir,
                                   const ReportOptions& options) {
    const auto series = read_metrics(run_dir / "metrics.jsonl");
    const std::filesystem::path out = run_dir / "report.html";
    const std::filesystem::path name =
        run_dir.filename().empty() ? run_dir.parent_path().filename() : run_dir.filename();
    util::atomic_write_file(out, render_report_html("r1 run: " + name.string(), series, options));
    return out;
}

}  // namespace r1::io
