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
    std::string model, input, output, config, to, task;
    std::vector<std::string> sets;
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


    CLI::App* score = root.add_subcommand("score", "Log-probability of every token of given texts");
    score->add_option("--model", a->model, "Model directory")->required();
    score->add_option("--input", a->input, "JSONL of {\"text\"}, {\"tokens\"} or {\"prompt\", \"completion\"}")
        ->required();
    pending(score, action, "scoring (it needs the model)");

    CLI::App* convert = root.add_subcommand("convert", "Convert checkpoints between r1 and HF layouts");
    convert->add_option("--input", a->input, "Checkpoint directory")->required();
    convert->add_option("--output", a->output, "Output directory")->required();
    convert->add_option("--to", a->to, "Target layout: hf or r1")->check(CLI::IsMember({"hf", "r1"}));
    pending(convert, action, "checkpoint conversion");

}

}  // namespace r1::cli
