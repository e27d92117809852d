// r1 eval --model DIR [--config F] [--task NAME] [--set key=value ...]
#include "r1/config/load.h"
#include "r1/train/stage.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct EvalArgs {
    std::string model, config, task, run_dir;
    int64_t num_samples = 0;
    std::vector<std::string> sets;
};

int run_eval(const EvalArgs& args) {
    std::vector<std::string> overrides = {"stage=eval", "model=" + args.model};
    if (!args.task.empty()) {
        overrides.push_back("data.task=" + args.task);
    }
    if (args.num_samples > 0) {
        overrides.push_back("num_samples=" + std::to_string(args.num_samples));
    }
    if (!args.run_dir.empty()) {
        overrides.push_back("run_dir=" + args.run_dir);
    }
    overrides.insert(overrides.end(), args.sets.begin(), args.sets.end());
    const auto document = config::load_document(
        args.config.empty() ? std::nullopt : std::optional<std::filesystem::path>(args.config),
        overrides);
    train::find_stage("eval").run(document);
    return 0;
}

}  // namespace

void add_eval(CLI::App& root, Action& action) {
    auto args = std::make_shared<EvalArgs>();
    CLI::App* cmd = root.add_subcommand("eval", "pass@1 and maj@k of a model on a dataset or task");
    cmd->add_option("--model", args->model, "Model directory (sugar for --set model=DIR)")
        ->required();
    cmd->add_option("--config", args->config, "Evaluation YAML (stage: eval)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--task", args->task, "Built-in task (sugar for --set data.task=NAME)");
    cmd->add_option("--num-samples", args->num_samples,
                    "k samples per problem (sugar for num_samples)");
    cmd->add_option("--run-dir", args->run_dir, "Where eval.json goes (sugar for run_dir)");
    cmd->add_option("--set", args->sets, "Override a config key (repeatable)");
    cmd->callback([args, &action] { action = [args] { return run_eval(*args); }; });
}

}  // namespace r1::cli
