#include "r1/io/report.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::io {
namespace {

using r1::test::error_of;
using r1::test::expect_contains;

std::filesystem::path write_metrics(const util::TempDir& dir, const std::string& text) {
    util::atomic_write_file(dir.path() / "metrics.jsonl", text);
    return dir.path() / "metrics.jsonl";
}

TEST(ReportTest, ReadsEveryNumericFieldAsASeries) {
    util::TempDir dir;
    const auto series =
        read_metrics(write_metrics(dir,
                                   "{\"step\": 1, \"reward/mean\": 0.25, \"note\": "
                                   "\"x\"}\n\n{\"step\": 2, \"reward/mean\": 0.5, \"kl\": 0.1}\n"));
    ASSERT_EQ(series.size(), 2u);
    EXPECT_EQ(series[0].name, "reward/mean");
    EXPECT_EQ(series[0].x, (std::vector<double>{1, 2}));
    EXPECT_EQ(series[0].y, (std::vector<double>{0.25, 0.5}));
    EXPECT_EQ(series[1].name, "kl");
    EXPECT_EQ(series[1].x, (std::vector<double>{2}));
}

TEST(ReportTest, MalformedLinesNameFileAndLine) {
    util::TempDir dir;
    expect_contains(error_of<util::FormatError>(
                        [&] { read_metrics(write_metrics(dir, "{\"step\": 1}\n[1, 2]\n")); }),
                    {"metrics.jsonl:2", "one JSON object"});
    expect_contains(error_of<util::FormatError>(
                        [&] { read_metrics(write_metrics(dir, "{\"step\": 1}\n{\"step\": \n")); }),
                    {"metrics.jsonl:2"});
    expect_contains(
        error_of<util::FormatError>([&] { read_metrics(write_metrics(dir, "{\"loss\": 1}\n")); }),
        {"metrics.jsonl:1", "'step'"});
}

TEST(ReportTest, ChartPlacesPointsOnTheAxes) {
    // x in [0, 10] onto [56, 548]; y in [-0.05, 1.05] (5% padding) onto [196, 24]:
    // y=0 -> 196 - 0.05/1.1*172 = 188.18, y=1 -> 196 - 1.05/1.1*172 = 31.82.
    const Series s{.name = "accuracy", .x = {0, 10}, .y = {0, 1}};
    const std::string svg = render_svg_chart(s, 560, 220);
    expect_contains(svg, {">accuracy</text>", "points=\"56,188.2 548,31.82 \""});
    // Ticks at round values.
    expect_contains(svg, {">0.5</text>", ">1</text>", ">10</text>"});
}

TEST(ReportTest, NoisyCurvesGetAMovingAverage) {
    Series s{.name = "reward/mean"};
    for (int i = 0; i < 40; ++i) {
        s.x.push_back(i);
        s.y.push_back(i % 2);
    }
    const std::string svg = render_svg_chart(s, 560, 220);
    EXPECT_EQ(std::count(svg.begin(), svg.end(), 'p') > 0, true);
    size_t lines = 0;
    for (size_t at = svg.find("<polyline"); at != std::string::npos;
         at = svg.find("<polyline", at + 1)) {
        ++lines;
    }
    EXPECT_EQ(lines, 2u);
}

TEST(ReportTest, PageDrawsKnownMetricsAndRefusesUnknownRequests) {
    const std::vector<Series> series = {{.name = "reward/mean", .x = {1, 2}, .y = {0, 1}},
                                        {.name = "custom", .x = {1}, .y = {3}}};
    const std::string page = render_report_html("run", series, {});
    expect_contains(page, {"<title>run</title>", ">reward/mean</text>"});
    EXPECT_EQ(page.find(">custom</text>"), std::string::npos);
    EXPECT_NE(render_report_html("run", series, {.metrics = {"custom"}}).find(">custom</text>"),
              std::string::npos);
    EXPECT_THROW(render_report_html("run", series, {.metrics = {"nope"}}), util::UsageError);
}

TEST(ReportTest, WriteReportWritesBesideTheMetrics) {
    util::TempDir dir;
    write_metrics(dir, "{\"step\": 1, \"accuracy\": 0.5}\n{\"step\": 2, \"accuracy\": 0.75}\n");
    const auto path = write_report(dir.path());
    EXPECT_EQ(path, dir.path() / "report.html");
    expect_contains(util::read_file(path), {">accuracy</text>", "<polyline"});
}

}  // namespace
}  // namespace r1::io
