// r1 info: what a file or directory holds: a YAML config (resolved), a safetensors file, a
// checkpoint directory, a JSONL dataset, a tokenizer.json, or a stage's key table. Bad files exit
// non-zero with the reader's error.
#include "r1/config/load.h"
#include "r1/config/schema.h"
#include "r1/data/jsonl_dataset.h"
#include "r1/io/safetensors_info.h"
#include "r1/rewards/reward.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/train/stage.h"
#include "r1/util/error.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct InfoArgs {
    std::string path;
    std::string config;
    std::vector<std::string> sets;
    std::string schema;
    bool markdown = false;
};

bool is_yaml(const std::string& path) {
    const std::string ext = std::filesystem::path(path).extension().string();
    return ext == ".yaml" || ext == ".yml";
}

int print_config(const std::string& file, const std::vector<std::string>& sets) {
    const config::Node document = config::load_document(std::filesystem::path(file), sets);
    const std::string name = train::stage_of(document);
    const train::Stage* stage = nullptr;
    try {
        stage = &train::find_stage(name);
    } catch (const util::ConfigError& e) {
        throw util::ConfigError("key 'stage': " + e.message(), document.find("stage")->where);
    }
    if (!stage->resolve) {
        throw util::UnsupportedError("stage '" + name + "' has no options yet (not implemented)");
    }
    std::cout << stage->resolve(document);
    return 0;
}

void print_keys(const std::vector<config::KeyInfo>& keys) {
    for (const config::KeyInfo& k : keys) {
        std::cout << k.path << "  (" << k.type;
        if (!k.default_value.empty()) {
            std::cout << ", default " << k.default_value;
        }
        if (!k.constraint.empty()) {
            std::cout << ", " << k.constraint;
        }
        std::cout << ")  " << k.doc << "\n";
    }
}

// The keys of each registered reward's `rewards:` entry (name and weight, then its own options).
int print_reward_schemas(bool markdown) {
    for (const std::string& name : rewards::reward_names()) {
        rewards::RewardSpec spec{.name = name};
        const auto keys = config::schema([&spec](config::Visitor& v) { visit(v, spec); });
        const std::string title = "`rewards:` entry `name: " + name + "` (" +
                                  rewards::RewardRegistry::global().find(name)->doc + ")";
        if (markdown) {
            std::cout << config::schema_markdown(title, keys) << "\n";
        } else {
            std::cout << "# " << title << "\n";
            print_keys(keys);
        }
    }
    return 0;
}

int print_schema(const std::string& name, bool markdown) {
    if (name == "rewards") {
        return print_reward_schemas(markdown);
    }
    const train::Stage& stage = train::find_stage(name);
    if (!stage.schema) {
        throw util::UnsupportedError("stage '" + name + "' has no options yet (not implemented)");
    }
    const auto keys = stage.schema();
    if (markdown) {
        std::cout << config::schema_markdown("`" + name + "` stage", keys);
        return 0;
    }
    print_keys(keys);
    return 0;
}

int run_info(const InfoArgs& args) {
    if (!args.schema.empty()) {
        return print_schema(args.schema, args.markdown);
    }
    if (!args.config.empty()) {
        return print_config(args.config, args.sets);
    }
    if (args.path.empty()) {
        throw util::UsageError("r1 info: give a PATH, --config F or --schema STAGE");
    }
    if (!std::filesystem::exists(args.path)) {
        throw util::IoError(args.path + ": no such file or directory");
    }
    if (std::filesystem::is_directory(args.path)) {
        std::cout << io::describe_checkpoint(args.path);
        return 0;
    }
    const std::string ext = std::filesystem::path(args.path).extension().string();
    if (is_yaml(args.path)) {
        return print_config(args.path, args.sets);
    }
    if (ext == ".safetensors") {
        std::cout << io::describe_safetensors(args.path);
        return 0;
    }
    if (ext == ".jsonl") {
        std::cout << data::describe_jsonl(args.path);
        return 0;
    }
    if (ext == ".json") {
        std::cout << tokenizer::describe(args.path);
        return 0;
    }
    throw util::UnsupportedError(
        args.path +
        ": r1 info reads .yaml, .safetensors, .jsonl, tokenizer .json files and "
        "checkpoint directories; this kind of file is not supported");
}

}  // namespace

void add_info(CLI::App& root, Action& action) {
    auto args = std::make_shared<InfoArgs>();
    CLI::App* cmd =
        root.add_subcommand("info", "Summarise a config, checkpoint, tokenizer or dataset");
    cmd->add_option("path", args->path, "File or directory to summarise");
    cmd->add_option("--config", args->config, "Print this YAML config fully resolved")
        ->check(CLI::ExistingFile);
    cmd->add_option("--set", args->sets, "Override a config key before resolving (repeatable)");
    cmd->add_option("--schema", args->schema,
                    "Print every config key of a stage (" + train::stage_names() +
                        ") or of each reward (rewards)");
    cmd->add_flag("--markdown", args->markdown, "With --schema: a Markdown table (docs/config.md)");
    cmd->callback([args, &action] { action = [args] { return run_info(*args); }; });
}

}  // namespace r1::cli
