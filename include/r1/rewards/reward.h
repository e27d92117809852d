// The reward-function contract (grpo-spec §6) and the registry that maps YAML/CLI names to reward
// functions. Research code adds its own reward from C++ with its own options struct:
//
//   struct BrevityOptions { int64_t target = 200; };
//   void visit(r1::config::Visitor& v, BrevityOptions& o) {
//       v.field("target", o.target, "...").min(1);
//   }
//   r1::rewards::register_reward<BrevityOptions>("brevity", "shorter is better",
//       [](const BrevityOptions& o) -> r1::rewards::RewardFn {
//           return [o](const RewardInput& in) { ... };
//       });
//
// after which `rewards: [{name: brevity, weight: 0.1, target: 150}]` resolves to it.
#pragma once

#include "r1/data/code_test.h"
#include "r1/rewards/options.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace r1::data {
struct Sample;
}

namespace r1::rewards {

using CodeTest = data::CodeTest;

/// What a reward sees of one completion and its dataset row. Fields a task does not have stay
/// empty.
struct RewardInput {
    std::string prompt;
    std::string completion;
    std::optional<std::vector<int64_t>> completion_ids;  // token ids, when the caller has them
    bool truncated = false;                              // hit max_completion_length
    std::string kind;    // task kind of the row ("math", "code", "countdown"); empty: unknown
    std::string answer;  // gold answer (math)
    std::vector<CodeTest> tests;
    std::vector<int64_t> numbers;  // countdown
    std::optional<double> target;  // countdown
    std::string language;          // ISO 639-1 code of the expected natural language ("en", "zh")
};

/// What a reward sees of one completion of dataset row `row` (GRPO rollouts and evaluation build it
/// here, through eval::sample_and_score).
RewardInput reward_input(const data::Sample& row, std::string completion, bool truncated);

/// A reward's verdict: value nullopt = not applicable or unscorable (excluded, never 0).
struct RewardResult {
    std::optional<double> value;
    std::string extracted;  // the answer or code the reward looked at
    std::string reason;     // a few words: "correct", "no <answer> tag", "3/5 tests passed"
    int64_t timeouts = 0;   // runs that hit a time limit (code); logged as reward/<name>/timeouts
    bool failed = false;    // the function threw: value is None, reason "failed: " + what()
};

/// Pure and deterministic for a given input; may be called from several threads at once.
using RewardFn = std::function<RewardResult(const RewardInput&)>;

/// A registered reward: how to make its default options and how to build it from them.
struct RewardEntry {
    std::string name;
    std::string doc;
    std::function<AnyOptions()> default_options;
    std::function<RewardFn(const AnyOptions&)> make;
};

class RewardRegistry {
  public:
    /// The process-wide registry, holding the built-in rewards from its first use.
    static RewardRegistry& global();

    /// Adds or replaces a reward; Options needs `visit(config::Visitor&, Options&)`.
    template <class Options>
    void add(const std::string& name,
             const std::string& doc,
             std::function<RewardFn(const Options&)> make) {
        add_entry(RewardEntry{.name = name,
                              .doc = doc,
                              .default_options = [name] { return AnyOptions(name, Options{}); },
                              .make = [make = std::move(make)](
                                          const AnyOptions& o) { return make(o.get<Options>()); }});
    }

    void add_entry(RewardEntry entry);
    /// nullptr when no reward has that name.
    const RewardEntry* find(const std::string& name) const;
    std::vector<std::string> names() const;

  private:
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<RewardEntry>> entries_;  // stable addresses for find()
};

template <class Options>
void register_reward(const std::string& name,
                     const std::string& doc,
                     std::function<RewardFn(const Options&)> make) {
    RewardRegistry::global().add<Options>(name, doc, std::move(make));
}

/// The names of every registered reward, in registration order.
std::vector<std::string> reward_names();

/// Builds the reward a spec names, with its options (or the defaults when it has none);
/// ConfigError naming the reward and the valid names when it is unknown.
RewardFn make_reward(const RewardSpec& spec);

/// For rewards without options of their own.
struct NoOptions {};

inline void visit(config::Visitor&, NoOptions&) {}

}  // namespace r1::rewards
