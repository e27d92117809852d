// r1 reward --fn NAME --input F.jsonl [--output O.jsonl] [--set key=value]: scores completions
// offline with one reward function; one {"reward", "extracted", "reason"} line per input line, and
// a summary on stderr. --set sets that reward's own options (e.g. --set mode=boxed for accuracy).
#include "r1/config/load.h"
#include "r1/rewards/offline.h"
#include "r1/rewards/reward.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct RewardArgs {
    std::string fn, input, output;
    std::vector<std::string> sets;
};

int run_reward(const RewardArgs& a) {
    if (rewards::RewardRegistry::global().find(a.fn) == nullptr) {
        throw util::UsageError(util::str("--fn: unknown reward '", a.fn, "'; expected one of ",
                                         util::join(rewards::reward_names(), ", ")));
    }
    std::vector<std::string> overrides = {"name=" + a.fn};
    overrides.insert(overrides.end(), a.sets.begin(), a.sets.end());
    rewards::RewardSpec spec;
    config::read(config::load_document(std::nullopt, overrides),
                 [&spec](config::Visitor& v) { visit(v, spec); });

    std::ostringstream lines;
    const rewards::OfflineSummary summary =
        rewards::score_jsonl(spec, a.input, a.output.empty() ? std::cout : lines);
    if (!a.output.empty()) {
        util::atomic_write_file(a.output, lines.str());
    }
    std::cerr << "r1 reward " << a.fn << ": " << summary.str() << "\n";
    return 0;
}

}  // namespace

void add_reward(CLI::App& root, Action& action) {
    auto a = std::make_shared<RewardArgs>();
    CLI::App* cmd =
        root.add_subcommand("reward", "Score completions with a reward function offline");
    cmd->add_option("--fn", a->fn, "Reward function name (accuracy, format, countdown, code, ...)")
        ->required();
    cmd->add_option("--input", a->input,
                    "JSONL of {\"completion\", \"answer\", \"tests\", \"numbers\", ...}")
        ->required();
    cmd->add_option("--output", a->output, "Write the scores here (JSONL) instead of stdout");
    cmd->add_option("--set", a->sets, "Set one of the reward's options, key=value (repeatable)");
    cmd->callback([a, &action] { action = [a] { return run_reward(*a); }; });
}

}  // namespace r1::cli
