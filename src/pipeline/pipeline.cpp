#include "r1/pipeline/pipeline.h"

#include "r1/config/dump.h"
#include "r1/config/load.h"
#include "r1/io/report.h"
#include "r1/train/stage.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/interrupt.h"
#include "r1/util/log.h"
#include "r1/util/str.h"

#include <chrono>
#include <functional>
#include <map>
#include <set>

namespace r1::pipeline {
namespace {

namespace fs = std::filesystem;

/// "${name}" occurrences of `text` replaced by outputs[name]; ConfigError for an unknown name.
std::string substitute(const std::string& text, const std::map<std::string, std::string>& outputs) {
    std::string out;
    size_t at = 0;
    for (size_t open = text.find("${"); open != std::string::npos; open = text.find("${", at)) {
        const size_t close = text.find('}', open);
        if (close == std::string::npos) {
            throw util::ConfigError("unterminated '${' in override '" + text + "'");
        }
        const std::string name = text.substr(open + 2, close - open - 2);
        const auto found = outputs.find(name);
        if (found == outputs.end() || found->second.empty()) {
            throw util::ConfigError("override '" + text + "': no earlier stage '" + name +
                                    "' with a model directory");
        }
        out += text.substr(at, open - at) + found->second;
        at = close + 1;
    }
    return out + text.substr(at);
}

/// Splits --set overrides into the pipeline's and each stage's ("<stage>.<key>=v").
void route_overrides(const std::vector<std::string>& overrides,
                     const std::set<std::string>& stage_names,
                     std::vector<std::string>& own,
                     std::map<std::string, std::vector<std::string>>& per_stage) {
    for (const auto& o : overrides) {
        const size_t dot = o.find('.'), eq = o.find('=');
        if (dot != std::string::npos && dot < eq && stage_names.count(o.substr(0, dot))) {
            per_stage[o.substr(0, dot)].push_back(o.substr(dot + 1));
        } else {
            own.push_back(o);
        }
    }
}

/// Mean of `key` over the first and the last `share` of the rows of a metrics.jsonl.
std::pair<double, double> early_late_mean(const std::vector<io::Series>& series,
                                          const std::string& key,
                                          double share) {
    for (const auto& s : series) {
        if (s.name != key || s.y.empty()) {
            continue;
        }
        const size_t n = s.y.size();
        const size_t k = std::max<size_t>(1, static_cast<size_t>(static_cast<double>(n) * share));
        double early = 0, late = 0;
        for (size_t i = 0; i < k; ++i) {
            early += s.y[i];
            late += s.y[n - k + i];
        }
        return {early / static_cast<double>(k), late / static_cast<double>(k)};
    }
    return {0.0, 0.0};
}

struct StageRun {
    StageEntry entry;
    nlohmann::json result;
    double seconds = 0;
    bool skipped = false;
};

StageRun run_stage(const StageEntry& entry,
                   const PipelineOptions& p,
                   const std::vector<std::string>& extra,
                   const std::map<std::string, std::string>& outputs) {
    const train::Stage& stage = train::find_stage(entry.stage);
    std::vector<std::string> overrides = {"stage=" + entry.stage,
                                          "run_dir=" + (fs::path(p.run_dir) / entry.name).string()};
    if (p.seed) {
        overrides.push_back("seed=" + std::to_string(*p.seed));
    }
    for (const auto& s : entry.set) {
        overrides.push_back(substitute(s, outputs));
    }
    for (const auto& s : extra) {
        overrides.push_back(substitute(s, outputs));
    }
    const fs::path config = entry.config;
    const config::Node document = config::load_document(config, overrides);
    const std::string resolved = stage.resolve(document);
    const fs::path marker = fs::path(p.run_dir) / entry.name / "stage.json";
    StageRun run{.entry = entry};
    if (fs::exists(marker)) {
        const auto done = nlohmann::json::parse(util::read_file(marker), nullptr, false);
        if (done.is_object() && done.value("config", "") == resolved) {
            log::info("pipeline: stage '", entry.name, "' is done already (", marker.string(), ")");
            run.result = done.at("result");
            run.seconds = done.value("seconds", 0.0);
            run.skipped = true;
            return run;
        }
    }
    log::info("pipeline: stage '", entry.name, "' (", entry.stage, ") from ", config.string());
    const auto t0 = std::chrono::steady_clock::now();
    run.result = stage.run(document);
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!run.result.value("interrupted", false)) {
        fs::create_directories(marker.parent_path());
        util::atomic_write_file(
            marker,
            nlohmann::json{{"config", resolved}, {"result", run.result}, {"seconds", run.seconds}}
                .dump(2));
    }
    return run;
}

nlohmann::json summarize(const PipelineOptions& p, const std::vector<StageRun>& runs) {
    nlohmann::json summary = {{"pipeline", p.pipeline}, {"run_dir", p.run_dir}};
    nlohmann::json stages = nlohmann::json::array();
    const nlohmann::json* first_eval = nullptr;
    const nlohmann::json* last_eval = nullptr;
    for (const auto& r : runs) {
        stages.push_back({{"name", r.entry.name},
                          {"stage", r.entry.stage},
                          {"wall_seconds", r.seconds},
                          {"skipped", r.skipped},
                          {"result", r.result}});
        if (r.entry.stage == "eval") {
            first_eval = first_eval ? first_eval : &r.result;
            last_eval = &r.result;
        }
        if (r.entry.stage == "grpo") {
            const auto series =
                io::read_metrics(fs::path(p.run_dir) / r.entry.name / "metrics.jsonl");
            const auto [len0, len1] = early_late_mean(series, "completion_len/mean", 0.1);
            const auto [acc0, acc1] = early_late_mean(series, "accuracy", 0.1);
            summary["rl"] = {
                {"stage", r.entry.name},
                {"mean_length_first_10pct", len0},
                {"mean_length_last_10pct", len1},
                {"length_growth", len0 > 0 ? len1 / len0 - 1.0 : 0.0},
                {"accuracy_first_10pct", acc0},
                {"accuracy_last_10pct", acc1},
                {"report", (fs::path(p.run_dir) / r.entry.name / "report.html").string()}};
        }
    }
    summary["stages"] = stages;
    if (first_eval && last_eval) {
        summary["base"] = {{"pass@1", (*first_eval)["pass@1"]},
                           {"maj@k", (*first_eval)["maj@k"]},
                           {"mean_length", (*first_eval)["mean_length"]}};
        summary["final"] = {{"pass@1", (*last_eval)["pass@1"]},
                            {"maj@k", (*last_eval)["maj@k"]},
                            {"mean_length", (*last_eval)["mean_length"]}};
        summary["pass@1_gain"] =
            (*last_eval)["pass@1"].get<double>() - (*first_eval)["pass@1"].get<double>();
        summary["k"] = (*last_eval)["k"];
    }
    return summary;
}

}  // namespace

void visit(config::Visitor& v, StageEntry& o) {
    v.field("name", o.name, "stage name in this pipeline (its directory under run_dir)").required();
    v.field("stage", o.stage, "stage kind: " + train::stage_names(", ")).required();
    v.field("config", o.config, "the stage's YAML (paths are relative to the working directory)")
        .required();
    v.field("set", o.set, "overrides key=value; ${name} is stage name's model directory");
}

void visit(config::Visitor& v, PipelineOptions& o) {
    v.field("pipeline", o.pipeline, "a name for logs and summary.json");
    v.field("run_dir", o.run_dir, "each stage runs in run_dir/<name>");
    v.field("seed", o.seed, "every stage's seed; null keeps each stage's own").min(0);
    v.list("stages", o.stages, "the stages, run in order");
}

void validate(const PipelineOptions& o) {
    std::set<std::string> seen;
    for (size_t i = 0; i < o.stages.size(); ++i) {
        const auto& s = o.stages[i];
        if (!seen.insert(s.name).second) {
            throw util::ConfigError(
                util::str("key 'stages[", i, "].name': '", s.name, "' is used twice"));
        }
        const auto& stage = train::find_stage(s.stage);
        if (!stage.run) {
            throw util::ConfigError(util::str("key 'stages[", i, "].stage': stage '", s.stage,
                                              "' is not implemented yet"));
        }
    }
    if (o.stages.empty()) {
        throw util::ConfigError("key 'stages': a pipeline needs at least one stage");
    }
}

nlohmann::json run(const fs::path& file, const RunOptions& options) {
    auto document = config::load_document(file, {});  // parsed once: names first, then overrides
    std::set<std::string> names;
    if (const auto* stages = document.find("stages"); stages && stages->is_sequence()) {
        for (const auto& item : stages->items) {
            if (const auto* name = item.is_map() ? item.find("name") : nullptr) {
                names.insert(name->text);
            }
        }
    }
    std::vector<std::string> own;
    std::map<std::string, std::vector<std::string>> per_stage;
    route_overrides(options.overrides, names, own, per_stage);
    for (const auto& assignment : own) {
        config::apply_override(document, assignment);
    }
    const auto p = config::read<PipelineOptions>(document);
    fs::create_directories(p.run_dir);
    util::atomic_write_file(fs::path(p.run_dir) / "pipeline.yaml", config::dump(p));

    std::map<std::string, std::string> outputs;  // stage name -> model directory
    std::vector<StageRun> runs;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& entry : p.stages) {
        runs.push_back(run_stage(entry, p, per_stage[entry.name], outputs));
        const auto& result = runs.back().result;
        outputs[entry.name] = result.value("model", "");
        if (result.value("interrupted", false)) {
            log::warn("pipeline: interrupted in stage '", entry.name, "'; run again to resume");
            return {{"interrupted", true}, {"stage", entry.name}};
        }
        if (entry.stage == "grpo") {
            io::write_report(fs::path(p.run_dir) / entry.name);
        }
    }
    auto summary = summarize(p, runs);
    summary["wall_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    util::atomic_write_file(fs::path(p.run_dir) / "summary.json", summary.dump(2) + "\n");
    log::info("pipeline: summary in ", (fs::path(p.run_dir) / "summary.json").string());
    return summary;
}

}  // namespace r1::pipeline
