#include "r1/train/stage.h"

#include "r1/config/dump.h"
#include "r1/config/load.h"
#include "r1/eval/eval_stage.h"
#include "r1/train/distill.h"
#include "r1/train/grpo/options.h"
#include "r1/train/grpo/trainer.h"
#include "r1/train/pretrain.h"
#include "r1/train/reward_model.h"
#include "r1/train/sft.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

namespace r1::train {
namespace {

template <class Options>
std::string resolve_as(const config::Node& document) {
    Options options = config::read<Options>(document);
    return config::dump(options);
}

template <class Options>
std::vector<config::KeyInfo> schema_of() {
    return config::schema<Options>();
}

nlohmann::json run_pretrain_stage(const config::Node& document) {
    const auto options = config::read<PretrainOptions>(document);
    const auto result = run_pretrain(options, config::dump(options));
    return {{"model", result.final_model},
            {"interrupted", result.interrupted},
            {"steps", result.steps},
            {"final_loss", result.final_loss},
            {"run_dir", options.run_dir}};
}

nlohmann::json run_grpo_stage(const config::Node& document) {
    const auto options = config::read<grpo::GrpoOptions>(document);
    const auto result = grpo::run_grpo(options, config::dump(options));
    return {{"model", result.final_model},
            {"interrupted", result.interrupted},
            {"steps", result.steps},
            {"run_dir", options.run_dir}};
}

nlohmann::json run_sft_stage(const config::Node& document) {
    const auto options = config::read<SftOptions>(document);
    return to_json(run_sft(options, config::dump(options)));
}

nlohmann::json run_rm_stage(const config::Node& document) {
    const auto options = config::read<RmOptions>(document);
    const auto result = run_reward_model(options, config::dump(options));
    auto out = to_json(result);
    out["accuracy"] = result.last_metrics.value("accuracy", 0.0);
    out["eval_accuracy"] = result.last_metrics.value("eval/accuracy", nlohmann::json());
    return out;
}

nlohmann::json run_distill_stage(const config::Node& document) {
    const auto options = config::read<DistillOptions>(document);
    return to_json(run_distill(options, config::dump(options)));
}

nlohmann::json run_eval_stage(const config::Node& document) {
    const auto options = config::read<eval::EvalOptions>(document);
    const auto result = eval::run_eval(options, config::dump(options));
    auto out = eval::to_json(result);
    out["model"] = options.model;  // unchanged: evaluation passes its model on
    out["interrupted"] = false;
    out["run_dir"] = options.run_dir;
    return out;
}

std::vector<Stage> make_stages() {
    return {
        Stage{.name = "pretrain",
              .summary = "next-token pretraining of a small model on the built-in corpus",
              .resolve = resolve_as<PretrainOptions>,
              .schema = schema_of<PretrainOptions>,
              .run = run_pretrain_stage},
        Stage{.name = "sft",
              .summary = "supervised fine-tuning (cold start, round 2, traces of a teacher)",
              .resolve = resolve_as<SftOptions>,
              .schema = schema_of<SftOptions>,
              .run = run_sft_stage},
        Stage{.name = "grpo",
              .summary = "GRPO with rule-based rewards",
              .resolve = resolve_as<grpo::GrpoOptions>,
              .schema = schema_of<grpo::GrpoOptions>,
              .run = run_grpo_stage},
        Stage{.name = "rs", .summary = "rejection sampling into an SFT corpus"},
        Stage{.name = "rm",
              .summary = "reward-model training on preference pairs (TRL's RewardTrainer)",
              .resolve = resolve_as<RmOptions>,
              .schema = schema_of<RmOptions>,
              .run = run_rm_stage},
        Stage{.name = "distill",
              .summary = "logit distillation of a teacher into a student (GKD)",
              .resolve = resolve_as<DistillOptions>,
              .schema = schema_of<DistillOptions>,
              .run = run_distill_stage},
        Stage{.name = "eval",
              .summary = "pass@1 and maj@k of a model on held-out prompts",
              .resolve = resolve_as<eval::EvalOptions>,
              .schema = schema_of<eval::EvalOptions>,
              .run = run_eval_stage},
    };
}

}  // namespace

const std::vector<Stage>& stages() {
    static const std::vector<Stage> kStages = make_stages();
    return kStages;
}

std::string stage_names(std::string_view separator) {
    std::vector<std::string> names;
    for (const Stage& s : stages()) {
        names.push_back(s.name);
    }
    return util::join(names, separator);
}

const Stage& find_stage(std::string_view name) {
    for (const Stage& s : stages()) {
        if (s.name == name) {
            return s;
        }
    }
    throw util::ConfigError(
        util::str("unknown stage '", name, "'; expected one of ", stage_names(", ")));
}

std::string stage_of(const config::Node& document) {
    const config::Node* stage = document.is_map() ? document.find("stage") : nullptr;
    if (stage == nullptr || !stage->is_scalar()) {
        throw util::ConfigError("missing key 'stage': expected one of " + stage_names(", "),
                                util::Location{.source = document.where.source});
    }
    return stage->text;
}

}  // namespace r1::train
