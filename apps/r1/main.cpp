// The r1 CLI: parse flags, run one library call, and map r1's typed errors to exit codes:
// 0 ok, 1 a failure during a run (or a capability that does not exist yet), 2 bad usage, config or
// input, 130 interrupted after a clean save.
#include "r1/util/allocator.h"
#include "r1/util/error.h"
#include "r1/util/interrupt.h"
#include "r1/util/log.h"
#include "r1/version.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"

namespace {

int fail(int code, const std::string& message) {
    std::cerr << "r1: error: " << message << "\n";
    return code;
}

int run(int argc, char** argv) {
    CLI::App app{
        "r1: train reasoning models the DeepSeek-R1 way (DeepSeek-V3 MoE, GRPO, rule rewards)",
        "r1"};
    app.set_version_flag("--version",
                         std::string("r1 ") + r1::version() + " (LibTorch " + TORCH_VERSION + ")");
    app.require_subcommand(1);
    std::string level = "info";
    int threads = 0;
    app.add_option("--log-level", level, "Console log level")
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
    app.add_option("--threads", threads, "CPU threads for LibTorch (0: all cores)")
        ->check(CLI::NonNegativeNumber);

    r1::cli::Action action;
    r1::cli::add_train(app, action);
    r1::cli::add_info(app, action);
    r1::cli::add_data(app, action);
    r1::cli::add_report(app, action);
    r1::cli::add_reward(app, action);
    r1::cli::add_tokenizer(app, action);
    r1::cli::add_pipeline(app, action);
    r1::cli::add_eval(app, action);
    r1::cli::add_generate(app, action);
    r1::cli::add_score(app, action);
    r1::cli::add_convert(app, action);

    // CLI11 would only say "a subcommand is required" for `r1 trian`; name the word and the
    // choices.
    std::string names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
        known = known || (argc > 1 && sub->get_name() == argv[1]);
    }
    if (argc > 1 && argv[1][0] != '-' && !known) {
        throw r1::util::UsageError(std::string("unknown subcommand '") + argv[1] +
                                   "'; expected one of " + names);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    r1::log::init({.level = r1::log::parse_level(level)});
    if (threads > 0) {
        at::set_num_threads(threads);
    }
    r1::util::install_interrupt_handler();
    return action ? action() : 0;
}

}  // namespace

int main(int argc, char** argv) {
    r1::util::tune_malloc_for_tensors();
    try {
        return run(argc, argv);
    } catch (const r1::util::UnsupportedError& e) {
        return fail(1, e.what());
    } catch (const r1::util::Error& e) {
        return fail(2, e.what());  // config, format, I/O and usage errors: the input is wrong
    } catch (const c10::Error& e) {
        return fail(1, std::string("internal error: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        return fail(1, std::string("internal error: ") + e.what());
    }
}
