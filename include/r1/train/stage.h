// The stage registry: one name per stage for the CLI, YAML, run directories and metrics.
// A stage brings its options (resolve + schema) and, once it exists, its run function.
#pragma once

#include "r1/config/node.h"
#include "r1/config/schema.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace r1::train {

struct Stage {
    std::string name;     // "grpo"
    std::string summary;  // one line for --help
    /// Reads and validates a config document; returns the fully resolved config as YAML.
    /// Empty while the stage has no options yet.
    std::function<std::string(const config::Node&)> resolve;
    std::function<std::vector<config::KeyInfo>()> schema;
    /// Runs the stage on a config document; returns what it produced, for pipelines:
    /// {"model": output model directory (if any), "interrupted": bool, ...stage figures}.
    /// Empty while the stage is not implemented.
    std::function<nlohmann::json(const config::Node&)> run;
};

const std::vector<Stage>& stages();

/// The stage called `name`; ConfigError listing the stage names if there is none.
const Stage& find_stage(std::string_view name);

/// The names, for help texts: "pretrain|sft|grpo|rs|rm|distill".
std::string stage_names(std::string_view separator = "|");

/// The `stage:` key of a config document; ConfigError naming the file if it is missing.
std::string stage_of(const config::Node& document);

}  // namespace r1::train
