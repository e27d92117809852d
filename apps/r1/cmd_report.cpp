// r1 report RUN_DIR [--metric NAME ...] [--out FILE]: the run's curves as a self-contained HTML
// page.
#include "r1/io/report.h"
#include "r1/util/fs.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct ReportArgs {
    std::string run_dir;
    std::vector<std::string> metrics;
    std::string out;
};

int run_report(const ReportArgs& args) {
    const io::ReportOptions options{.metrics = args.metrics};
    std::filesystem::path written;
    if (args.out.empty()) {
        written = io::write_report(args.run_dir, options);
    } else {
        const auto series = io::read_metrics(std::filesystem::path(args.run_dir) / "metrics.jsonl");
        util::atomic_write_file(args.out,
                                io::render_report_html("r1 run: " + args.run_dir, series, options));
        written = args.out;
    }
    std::cout << written.string() << "\n";
    return 0;
}

}  // namespace

void add_report(CLI::App& root, Action& action) {
    auto args = std::make_shared<ReportArgs>();
    CLI::App* cmd = root.add_subcommand(
        "report", "Draw a run's curves (reward, accuracy, length) as an HTML page");
    cmd->add_option("run_dir", args->run_dir, "Run directory holding metrics.jsonl")->required();
    cmd->add_option("--metric", args->metrics,
                    "Metric to draw (repeatable); default: the standard curves found");
    cmd->add_option("--out", args->out, "Output file; default RUN_DIR/report.html");
    cmd->callback([args, &action] { action = [args] { return run_report(*args); }; });
}

}  // namespace r1::cli
