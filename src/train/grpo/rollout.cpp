#include "r1/train/grpo/rollout.h"

#include "r1/eval/sample_and_score.h"
#include "r1/train/grpo/advantage.h"

#include <set>

namespace r1::train::grpo {
namespace {

/// Truncated completions leave the advantages' statistics alone but may be re-rewarded (§4.1).
at::Tensor rewards_for_advantages(const Rollout& r, const TruncationOptions& truncation) {
    auto total = r.rewards.total.clone();
    if (truncation.truncated_reward) {
        for (size_t i = 0; i < r.truncated.size(); ++i) {
            if (r.truncated[i]) {
                total[static_cast<int64_t>(i)] = *truncation.truncated_reward;
            }
        }
    }
    return total;
}

void set_advantages(Rollout& r, const GrpoOptions& options) {
    const auto B = static_cast<int64_t>(r.samples.size());
    const int64_t G = options.batch.num_generations;
    const auto adv = compute_advantages(rewards_for_advantages(r, options.truncation).view({B, G}),
                                        options.advantage);
    r.advantages = adv.values.reshape({B * G}).to(torch::kFloat32);
    r.zero_std = adv.zero_std;
}

}  // namespace

Rollout make_rollout(const eval::RowScorer& scorer,
                     std::vector<data::Sample> samples,
                     const GrpoOptions& options,
                     uint64_t seed) {
    auto scored = eval::sample_and_score(
        scorer, samples,
        {.num_samples = options.batch.num_generations, .sampling = options.sampling, .seed = seed});
    Rollout r{.samples = std::move(samples),
              .prompt_ids = std::move(scored.prompt_ids),
              .completions = std::move(scored.completions),
              .texts = std::move(scored.texts),
              .truncated = std::move(scored.truncated),
              .rewards = std::move(scored.rewards),
              .generate_seconds = scored.generate_seconds,
              .reward_seconds = scored.reward_seconds};
    r.generated_groups = static_cast<int64_t>(r.samples.size());
    set_advantages(r, options);
    return r;
}

Rollout gather_groups(const std::vector<GroupRef>& groups, const GrpoOptions& options) {
    const int64_t G = options.batch.num_generations;
    Rollout out;
    out.generation_batches = 0;
    std::vector<rewards::RowRef> rows;
    std::set<const Rollout*> sources;
    for (const GroupRef& g : groups) {
        const Rollout& r = *g.rollout;
        const auto b = static_cast<size_t>(g.group);
        const auto new_index = static_cast<int64_t>(out.samples.size());
        out.samples.push_back(r.samples[b]);
        out.prompt_ids.push_back(r.prompt_ids[b]);
        for (int64_t j = g.group * G; j < (g.group + 1) * G; ++j) {
            const auto i = static_cast<size_t>(j);
            out.completions.push_back(r.completions[i]);
            out.completions.back().prompt_index = new_index;
            out.texts.push_back(r.texts[i]);
            out.truncated.push_back(r.truncated[i]);
            rows.push_back({&r.rewards, j});
        }
        if (sources.insert(&r).second) {
            add_generation_costs(out, r);
        }
    }
    out.rewards = rewards::gather_rows(rows);
    set_advantages(out, options);
    return out;
}

void add_generation_costs(Rollout& into, const Rollout& from) {
    into.generate_seconds += from.generate_seconds;
    into.reward_seconds += from.reward_seconds;
    into.generation_batches += from.generation_batches;
    into.generated_groups += from.generated_groups;
    into.flat_groups += from.flat_groups;
}

}  // namespace r1::train::grpo
