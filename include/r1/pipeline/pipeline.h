// Pipelines (grpo-spec §7): a YAML file that chains stages, each a stage config file plus
// overrides, run in order in run_dir/<name>. A value "${other}" in an override is the model
// directory stage `other` produced, so a stage starts from its predecessor's output. A stage whose
// stage.json records the same resolved config is skipped (its result is reused); an interrupted
// one resumes from its checkpoint. The run ends with summary.json and the RL stages' report.html.
#pragma once

#include "r1/config/visitor.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace r1::pipeline {

struct StageEntry {
    std::string name;              // unique within the pipeline: run_dir/<name>
    std::string stage;             // registry name: pretrain, grpo, eval, ...
    std::string config;            // the stage's YAML (relative to the working directory)
    std::vector<std::string> set;  // overrides "key=value"; "${name}" = that stage's model dir
};

struct PipelineOptions {
    std::string pipeline;  // a name for logs
    std::string run_dir = "runs/pipeline";
    std::optional<int64_t> seed;  // every stage's seed when set
    std::vector<StageEntry> stages;
};

void visit(config::Visitor& v, StageEntry& o);
void visit(config::Visitor& v, PipelineOptions& o);
/// Unique stage names, known stage kinds, "${x}" naming an earlier stage.
void validate(const PipelineOptions& o);

struct RunOptions {
    /// "--set" overrides: "seed=7" and "run_dir=..." go to the pipeline, "<stage name>.<key>=v" to
    /// that stage (after its own `set`).
    std::vector<std::string> overrides;
};

/// Runs the pipeline in `file`; returns summary.json's content (also written to run_dir).
nlohmann::json run(const std::filesystem::path& file, const RunOptions& options = {});

}  // namespace r1::pipeline
