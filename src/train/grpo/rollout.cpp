#include "r1/train/grpo/rollout.h"

#include "r1/eval/evaluate.h"
#include "r1/train/grpo/advantage.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <chrono>
#include <set>

namespace r1::train::grpo {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

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

Rollout make_rollout(const RolloutContext& context,
                     std::vector<data::Sample> samples,
                     const GrpoOptions& options,
                     uint64_t seed) {
    Rollout r;
    r.samples = std::move(samples);
    const int64_t G = options.batch.num_generations;
    generation::GenerateRequest request{.num_samples = G,
                                        .sampling = options.sampling,
                                        .seed = seed,
                                        .eos_token_ids = context.eos_token_ids};
    for (const auto& s : r.samples) {
        const auto ids = context.tokenizer.encode(context.chat_template.render(s.prompt));
        if (static_cast<int64_t>(ids.size()) > options.sampling.max_prompt_length) {
            throw util::ConfigError(util::str("prompt '", s.prompt.substr(0, 60), "' has ", ids.size(),
                                              " tokens, over sampling.max_prompt_length (",
                                              options.sampling.max_prompt_length, ")"));
        }
        r.prompt_ids.emplace_back(ids.begin(), ids.end());
    }
    request.prompts = r.prompt_ids;
    const auto t0 = std::chrono::steady_clock::now();
    r.completions = context.engine.generate(request);
    r.generate_seconds = seconds_since(t0);

    const auto t1 = std::chrono::steady_clock::now();
    std::vector<rewards::RewardInput> inputs;
    for (const auto& c : r.completions) {
        const std::vector<tokenizer::TokenId> ids(c.tokens.begin(), c.tokens.end());
        r.texts.push_back(context.tokenizer.decode(ids));
        r.truncated.push_back(c.finish == generation::FinishReason::length);
        inputs.push_back(eval::reward_input(r.samples[c.prompt_index], r.texts.back(),
                                            r.truncated.back()));
        inputs.back().completion_ids = c.tokens;
    }
    r.rewards = context.rewards.score(inputs);
    r.reward_seconds = seconds_since(t1);

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
