// r1 train --stage <name> --config F [--set key=value ...]
#include "r1/config/load.h"
#include "r1/train/stage.h"
#include "r1/util/error.h"
#include "r1/util/interrupt.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct TrainArgs {
    std::string stage;
    std::string config;
    std::vector<std::string> sets;
    std::string run_dir;
};

int run_train(const TrainArgs& args) {
    const train::Stage& stage = train::find_stage(args.stage);
    std::vector<std::string> overrides = args.sets;
    if (!args.run_dir.empty()) {
        overrides.push_back("run_dir=" + args.run_dir);
    }
    const config::Node document = config::load_document(
        args.config.empty() ? std::nullopt : std::optional<std::filesystem::path>(args.config),
        overrides);
    if (const config::Node* key = document.find("stage");
        key != nullptr && key->text != stage.name) {
        throw util::ConfigError(
            "key 'stage' says '" + key->text + "' but --stage is '" + stage.name + "'", key->where);
    }
    if (!stage.resolve) {
        throw util::UnsupportedError("stage '" + stage.name + "' is not implemented yet");
    }
    stage.resolve(document);  // validates every key before anything runs
    if (!stage.run) {
        throw util::UnsupportedError(
            "stage '" + stage.name +
            "' is not implemented yet (its config is valid; `r1 info --config` "
            "prints it resolved)");
    }
    const auto result = stage.run(document);
    return result.value("interrupted", false) ? util::kInterruptedExitCode : 0;
}

}  // namespace

void add_train(CLI::App& root, Action& action) {
    auto args = std::make_shared<TrainArgs>();
    CLI::App* cmd = root.add_subcommand("train", "Run one training stage from a YAML config");
    std::vector<std::string> names;
    for (const train::Stage& s : train::stages()) {
        names.push_back(s.name);
    }
    cmd->add_option("--stage", args->stage, "Stage to run: " + train::stage_names())
        ->required()
        ->check(CLI::IsMember(names));
    cmd->add_option("--config", args->config, "YAML config of the stage")->check(CLI::ExistingFile);
    cmd->add_option("--set", args->sets,
                    "Override a config key: --set batch.num_generations=8 (repeatable)");
    cmd->add_option("--run-dir", args->run_dir, "Run directory (sugar for --set run_dir=DIR)");
    cmd->callback([args, &action] { action = [args] { return run_train(*args); }; });
}

}  // namespace r1::cli
