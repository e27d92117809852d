#include "r1/eval/sample_and_score.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <chrono>

namespace r1::eval {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<int64_t> encode_prompt(const RowScorer& scorer,
                                   const data::Sample& row,
                                   int64_t max_prompt_length) {
    const auto ids = scorer.tokenizer.encode(scorer.chat_template.render(row.prompt));
    if (static_cast<int64_t>(ids.size()) > max_prompt_length) {
        throw util::ConfigError(util::str("prompt '", row.prompt.substr(0, 60), "' has ",
                                          ids.size(), " tokens, over sampling.max_prompt_length (",
                                          max_prompt_length, ")"));
    }
    return {ids.begin(), ids.end()};
}

}  // namespace

ScoredCompletions sample_and_score(const RowScorer& scorer,
                                   const std::vector<data::Sample>& rows,
                                   const SampleRequest& request) {
    ScoredCompletions out;
    for (const auto& row : rows) {
        out.prompt_ids.push_back(encode_prompt(scorer, row, request.sampling.max_prompt_length));
    }
    const auto t0 = std::chrono::steady_clock::now();
    out.completions = scorer.engine.generate({.prompts = out.prompt_ids,
                                              .num_samples = request.num_samples,
                                              .sampling = request.sampling,
                                              .seed = request.seed,
                                              .eos_token_ids = scorer.eos_token_ids});
    out.generate_seconds = seconds_since(t0);

    const auto t1 = std::chrono::steady_clock::now();
    std::vector<rewards::RewardInput> inputs;
    for (const auto& c : out.completions) {
        out.texts.push_back(scorer.tokenizer.decode(
            std::vector<tokenizer::TokenId>(c.tokens.begin(), c.tokens.end())));
        out.truncated.push_back(c.finish == generation::FinishReason::length);
        inputs.push_back(rewards::reward_input(rows[static_cast<size_t>(c.prompt_index)],
                                               out.texts.back(), out.truncated.back()));
        inputs.back().completion_ids = c.tokens;
    }
    out.rewards = scorer.rewards.score(inputs);
    out.reward_seconds = seconds_since(t1);
    return out;
}

}  // namespace r1::eval
