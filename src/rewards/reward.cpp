#include "r1/rewards/reward.h"

#include "r1/data/sample.h"
#include "r1/rewards/accuracy.h"
#include "r1/rewards/code.h"
#include "r1/rewards/countdown.h"
#include "r1/rewards/format.h"
#include "r1/rewards/language.h"
#include "r1/rewards/length.h"
#include "r1/rewards/repetition.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <algorithm>

namespace r1::rewards {
namespace {

template <class Options>
std::function<RewardFn(const Options&)> bind(RewardResult (*fn)(const RewardInput&,
                                                                const Options&)) {
    return [fn](const Options& o) -> RewardFn {
        return [fn, o](const RewardInput& in) { return fn(in, o); };
    };
}

// The built-in rewards of grpo-spec §6, in the order docs list them.
void add_builtins(RewardRegistry& r) {
    r.add<AccuracyOptions>("accuracy", "final answer equals the gold answer (math)",
                           bind(&accuracy));
    r.add<FormatOptions>("format", "completion follows the <think>/<answer> template",
                         bind(&format));
    r.add<TagCountOptions>("tag_count", "0.25 per well-placed template tag (open-r1)",
                           bind(&tag_count));
    r.add<CountdownOptions>("countdown", "TinyZero's Countdown rule", bind(&countdown));
    r.add<LanguageOptions>("language_consistency",
                           "share of the chain of thought in the target language",
                           bind(&language_consistency));
    r.add<CosineOptions>("cosine",
                         "correctness scaled by length (shorter correct answers earn more)",
                         bind(&cosine));
    r.add<RepetitionOptions>("repetition", "penalty for repeated n-grams", bind(&repetition));
    r.add<SoftOverlongOptions>("soft_overlong", "DAPO's soft punishment near the length limit",
                               bind(&soft_overlong));
    r.add<CodeOptions>("code", "the completion's code passes the row's tests (sandboxed)",
                       std::function<RewardFn(const CodeOptions&)>(&make_code_reward));
}

}  // namespace

RewardRegistry& RewardRegistry::global() {
    static RewardRegistry* registry = [] {
        auto* r = new RewardRegistry();  // never destroyed: rewards may run during static teardown
        add_builtins(*r);
        return r;
    }();
    return *registry;
}

void RewardRegistry::add_entry(RewardEntry entry) {
    std::lock_guard lock(mutex_);
    for (auto& e : entries_) {
        if (e->name == entry.name) {
            *e = std::move(entry);
            return;
        }
    }
    entries_.push_back(std::make_unique<RewardEntry>(std::move(entry)));
}

const RewardEntry* RewardRegistry::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_) {
        if (e->name == name) {
            return e.get();
        }
    }
    return nullptr;
}

std::vector<std::string> RewardRegistry::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& e : entries_) {
        out.push_back(e->name);
    }
    return out;
}

std::vector<std::string> reward_names() {
    return RewardRegistry::global().names();
}

RewardFn make_reward(const RewardSpec& spec) {
    const RewardEntry* entry = RewardRegistry::global().find(spec.name);
    if (entry == nullptr) {
        throw util::ConfigError(util::str("unknown reward '", spec.name, "'; expected one of ",
                                          util::join(reward_names(), ", ")));
    }
    if (spec.options.empty()) {
        return entry->make(entry->default_options());
    }
    if (spec.options.owner() != spec.name) {
        throw util::ConfigError(util::str("reward '", spec.name, "' was given the options of '",
                                          spec.options.owner(), "'"));
    }
    return entry->make(spec.options);
}

RewardInput reward_input(const data::Sample& row, std::string completion, bool truncated) {
    RewardInput in;
    in.prompt = row.prompt;
    in.completion = std::move(completion);
    in.truncated = truncated;
    in.kind = row.kind.value_or("");
    in.answer = row.answer;
    in.tests = row.tests;
    in.numbers = row.numbers;
    if (row.target) {
        in.target = static_cast<double>(*row.target);
    }
    in.language = row.language.value_or("");
    return in;
}

}  // namespace r1::rewards
