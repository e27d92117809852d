#include "r1/train/stage.h"

#include "r1/config/dump.h"
#include "r1/config/load.h"
#include "r1/train/grpo/options.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

namespace r1::train {
namespace {

template <class Options>
std::string resolve_as(const config::Node& document) {
    Options options = config::read<Options>(document);
    return config::dump(options);
}

std::vector<Stage> make_stages() {
    return {
        Stage{.name = "pretrain", .summary = "next-token pretraining of a small model on a corpus"},
        Stage{.name = "sft", .summary = "supervised fine-tuning (cold start, round 2)"},
        Stage{.name = "grpo",
              .summary = "GRPO with rule-based rewards",
              .resolve = resolve_as<grpo::GrpoOptions>,
              .schema = [] { return config::schema<grpo::GrpoOptions>(); }},
        Stage{.name = "rs", .summary = "rejection sampling into an SFT corpus"},
        Stage{.name = "rm", .summary = "reward-model training on preference pairs"},
        Stage{.name = "distill", .summary = "SFT of a dense student on teacher traces"},
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
    throw util::ConfigError(util::str("unknown stage '", name, "'; expected one of ", stage_names(", ")));
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
