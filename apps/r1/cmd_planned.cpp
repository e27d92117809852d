// Subcommands whose capability is still being built. Each declares its flags (so --help is honest
// about the interface to come) and exits non-zero with one line that says it does not exist yet.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "r1/util/error.h"

namespace r1::cli {
namespace {

struct PlannedArgs {
    std::string model, input, prompt, config;
    std::vector<std::string> sets;
    int64_t max_new_tokens = 0, num_samples = 1, seed = 0;
    bool greedy = false;
};

void pending(CLI::App* cmd, Action& action, const std::string& what) {
    const std::string name = cmd->get_name();
    cmd->callback([name, what, &action] {
        action = [name, what]() -> int {
            throw util::UnsupportedError("r1 " + name + ": " + what + " is not implemented yet");
        };
    });
}

}  // namespace

void add_planned(CLI::App& root, Action& action) {
    auto a = std::make_shared<PlannedArgs>();

    CLI::App* pipeline = root.add_subcommand("pipeline", "Run a YAML pipeline of stages (R1-Zero, R1)");
    pipeline->add_option("file", a->config, "Pipeline YAML")->required();
    pipeline->add_option("--set", a->sets, "Override a config key (repeatable)");
    pending(pipeline, action, "the pipeline runner");

    CLI::App* generate = root.add_subcommand("generate", "Generate completions from a model");
    generate->add_option("--model", a->model, "Model directory")->required();
    generate->add_option("--prompt", a->prompt, "One prompt, streamed to the terminal");
    generate->add_option("--input", a->input, "JSONL of {\"prompt\"} or {\"tokens\"}");
    generate->add_flag("--greedy", a->greedy, "Greedy decoding");
    generate->add_option("--max-new-tokens", a->max_new_tokens, "Tokens to generate at most");
    generate->add_option("--num-samples", a->num_samples, "Samples per prompt");
    generate->add_option("--seed", a->seed, "Sampling seed");
    pending(generate, action, "the generation engine");

    CLI::App* eval = root.add_subcommand("eval", "pass@1 and maj@k of a model on a dataset or task");
    eval->add_option("--model", a->model, "Model directory")->required();
    eval->add_option("--config", a->config, "Evaluation YAML");
    eval->add_option("--set", a->sets, "Override a config key (repeatable)");
    pending(eval, action, "evaluation");


}

}  // namespace r1::cli
