// The r1 CLI's subcommands. Each add_<name>() registers its flags on the root app and, when chosen,
// stores the action main() runs. Flags are sugar for YAML keys; the work is one library call.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace r1::cli {

/// What main() runs after parsing: returns the process exit code.
using Action = std::function<int()>;

void add_train(CLI::App& root, Action& action);
void add_data(CLI::App& root, Action& action);
void add_info(CLI::App& root, Action& action);
void add_report(CLI::App& root, Action& action);
void add_reward(CLI::App& root, Action& action);
void add_tokenizer(CLI::App& root, Action& action);
void add_pipeline(CLI::App& root, Action& action);
void add_eval(CLI::App& root, Action& action);
void add_generate(CLI::App& root, Action& action);
void add_score(CLI::App& root, Action& action);
void add_convert(CLI::App& root, Action& action);

}  // namespace r1::cli
