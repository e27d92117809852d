#include "r1/eval/eval_stage.h"

#include "r1/data/prompt_set.h"
#include "r1/generation/engine.h"
#include "r1/io/run_dir.h"
#include "r1/model/model_dir.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/log.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

namespace r1::eval {

void visit(config::Visitor& v, EvalOptions& o) {
    v.field("stage", o.stage, "must be eval");
    v.field("seed", o.seed, "seed of the sampling streams").min(0);
    v.field("run_dir", o.run_dir, "where eval.json and eval_samples.jsonl go");
    v.field("model", o.model, "model directory to evaluate").required();
    v.field(
        "precision", o.precision,
        "projections in float32, bf16 or fp8 (E4M3 weights, 128x128 block scales; docs/fp8.md)");
    v.section("data", o.data, "held-out prompts (data.eval, or data.task's held-out stream)");
    v.section("sampling", o.sampling, "sampling of the k completions");
    v.field("num_samples", o.num_samples, "k: completions per problem").min(1);
    v.list("verifier", o.verifier, "reward functions that judge a completion (correct at >= 1)");
}

void validate(const EvalOptions& o) {
    if (o.stage != "eval") {
        throw util::ConfigError(
            util::str("key 'stage': this is an eval config, got '", o.stage, "'"));
    }
    if (o.data.task.empty() && o.data.eval.empty()) {
        throw util::ConfigError(
            "data: set data.eval (a JSONL file) or data.task (a built-in task)");
    }
    if (!o.data.train
             .empty()) {  // the data section is GRPO's; evaluation never reads training prompts
        throw util::ConfigError(
            "key 'data.train': eval reads held-out prompts only (data.eval, or "
            "data.task's held-out stream); remove data.train");
    }
    if (o.verifier.empty()) {
        throw util::ConfigError("key 'verifier': at least one reward function is needed");
    }
}

EvalResult run_eval(const EvalOptions& o, const std::string& resolved_yaml) {
    const auto run_dir = io::RunDir::create(o.run_dir, resolved_yaml);
    const log::FileScope log_file(run_dir.log().string());
    auto dir = model::load_model_dir(o.model, o.precision);
    if (!dir.tokenizer) {
        throw util::IoError(o.model + ": no tokenizer.json in the model directory");
    }
    const auto held_out = data::PromptSet::from_options(o.data, data::Subset::eval);
    std::vector<data::Sample> problems;
    for (int64_t i = 0; i < held_out.size().value_or(0); ++i) {
        problems.push_back(held_out.at(i));
    }
    generation::Engine engine(dir.model, dir.tokenizer);
    Evaluator evaluator(engine, *dir.tokenizer,
                        model::chat_template_for(dir, o.data.chat_template, o.data.templates,
                                                 o.data.prefilled_think),
                        o.verifier);
    log::info("eval: ", problems.size(), " problems x ", o.num_samples, " samples of ", o.model);
    const auto result = evaluator.run(
        problems, {.num_samples = o.num_samples,
                   .sampling = o.sampling,
                   .seed = util::derive_seed(static_cast<uint64_t>(o.seed), {0x6576616cULL}),
                   .eos_token_ids = model::eos_token_ids(dir)});
    auto summary = to_json(result);
    summary["model"] = o.model;
    util::atomic_write_file(run_dir.path() / "eval.json", summary.dump(2) + "\n");
    std::string samples;
    for (const auto& s : result.samples) {
        samples += nlohmann::json{{"problem", s.problem},
                                  {"prompt", problems[s.problem].prompt},
                                  {"answer", problems[s.problem].answer},
                                  {"completion", s.completion},
                                  {"extracted", s.extracted},
                                  {"correct", s.correct},
                                  {"length", s.length}}
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                   "\n";
    }
    util::atomic_write_file(run_dir.path() / "eval_samples.jsonl", samples);
    log::info("eval results (", o.model, "):\n", format_table(result));
    return result;
}

}  // namespace r1::eval
