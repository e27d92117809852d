// r1 pipeline F.yaml [--set key=value ...]
#include "r1/pipeline/pipeline.h"
#include "r1/util/interrupt.h"
#include "r1/util/log.h"
#include "r1/util/str.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct PipelineArgs {
    std::string file;
    std::vector<std::string> sets;
};

void print_summary(const nlohmann::json& s) {
    if (!s.contains("base")) {
        return;
    }
    log::info("R1-Zero summary: pass@1 ", util::fixed(s["base"]["pass@1"].get<double>(), 3), " -> ",
              util::fixed(s["final"]["pass@1"].get<double>(), 3), ", maj@", s["k"].get<int64_t>(),
              " ", util::fixed(s["base"]["maj@k"].get<double>(), 3), " -> ",
              util::fixed(s["final"]["maj@k"].get<double>(), 3));
    if (s.contains("rl")) {
        log::info("RL response length ",
                  util::fixed(s["rl"]["mean_length_first_10pct"].get<double>(), 1), " -> ",
                  util::fixed(s["rl"]["mean_length_last_10pct"].get<double>(), 1),
                  " tokens; report: ", s["rl"]["report"].get<std::string>());
    }
}

}  // namespace

void add_pipeline(CLI::App& root, Action& action) {
    auto args = std::make_shared<PipelineArgs>();
    CLI::App* cmd = root.add_subcommand("pipeline", "Run a YAML pipeline of stages (R1-Zero, R1)");
    cmd->add_option("file", args->file, "Pipeline YAML")->required()->check(CLI::ExistingFile);
    cmd->add_option("--set", args->sets,
                    "Override a key: seed=7 for the pipeline, <stage>.<key>=v for one stage "
                    "(repeatable)");
    cmd->callback([args, &action] {
        action = [args] {
            const auto summary = pipeline::run(args->file, {.overrides = args->sets});
            if (summary.value("interrupted", false)) {
                return util::kInterruptedExitCode;
            }
            print_summary(summary);
            return 0;
        };
    });
}

}  // namespace r1::cli
