// r1 data generate --task NAME --n N --seed S --out F.jsonl [--set key=value ...]: samples of a
// built-in task (rows with prompt, answer, response, direct, text); r1 data tasks: their options.
#include "r1/data/tasks/task.h"
#include "r1/util/log.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct GenerateArgs {
    std::string task;
    int64_t n = 0;
    uint64_t seed = 0;
    std::string out;
    std::vector<std::string> sets;
};

int run_generate(const GenerateArgs& args) {
    const auto task = data::tasks::find_task(args.task).make(args.sets);
    data::tasks::write_task_jsonl(*task, args.n, args.seed, args.out);
    log::info("wrote ", args.n, " ", task->name(), " samples (seed ", args.seed, ") to ", args.out);
    return 0;
}

int run_tasks() {
    for (const data::tasks::TaskInfo& info : data::tasks::task_registry()) {
        std::cout << info.name << ": " << info.doc << "\n";
        for (const config::KeyInfo& k : info.schema()) {
            std::cout << "  " << k.path << "  (" << k.type << ", default " << k.default_value
                      << (k.constraint.empty() ? "" : ", " + k.constraint) << ")  " << k.doc
                      << "\n";
        }
    }
    return 0;
}

}  // namespace

void add_data(CLI::App& root, Action& action) {
    CLI::App* cmd =
        root.add_subcommand("data", "Built-in procedural datasets (arithmetic, countdown)");
    cmd->require_subcommand(1);

    auto args = std::make_shared<GenerateArgs>();
    CLI::App* generate = cmd->add_subcommand("generate", "Write N samples of a task to JSONL");
    std::string names;
    for (const data::tasks::TaskInfo& info : data::tasks::task_registry()) {
        names += (names.empty() ? "" : ", ") + info.name;
    }
    // Checked by find_task(), whose error suggests the nearest name.
    generate->add_option("--task", args->task, "Task: " + names)->required();
    generate->add_option("--n", args->n, "Number of samples (indices 0..N-1)")
        ->required()
        ->check(CLI::PositiveNumber);
    generate->add_option("--seed", args->seed, "Seed: (seed, index) fixes each sample");
    generate->add_option("--out", args->out, "Output JSONL file (written atomically)")->required();
    generate->add_option("--set", args->sets,
                         "Task option: --set max_digits=5 (repeatable; see `r1 data tasks`)");
    generate->callback([args, &action] { action = [args] { return run_generate(*args); }; });

    CLI::App* tasks = cmd->add_subcommand("tasks", "List the tasks and their options");
    tasks->callback([&action] { action = [] { return run_tasks(); }; });
}

}  // namespace r1::cli
