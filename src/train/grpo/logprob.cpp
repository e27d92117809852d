#include "r1/train/grpo/logprob.h"

#include <algorithm>

namespace r1::train::grpo {

SequenceBatch SequenceBatch::slice(int64_t begin, int64_t end) const {
    const auto lengths = attention_mask.slice(0, begin, end).sum(1);
    const int64_t T = std::max<int64_t>(lengths.max().item<int64_t>(), 1);
    const auto completion = completion_mask.slice(0, begin, end);
    const int64_t L = std::max<int64_t>(completion.sum(1).max().item<int64_t>(), 1);
    return {.input_ids = input_ids.slice(0, begin, end).slice(1, 0, T),
            .attention_mask = attention_mask.slice(0, begin, end).slice(1, 0, T),
            .completion_ids = completion_ids.slice(0, begin, end).slice(1, 0, L),
            .completion_mask = completion.slice(1, 0, L),
            .prompt_lengths = prompt_lengths.slice(0, begin, end)};
}

SequenceBatch make_sequence_batch(const std::vector<std::vector<int64_t>>& prompts,
                                  const std::vector<std::vector<int64_t>>& completions,
                                  int64_t pad_id) {
    const auto n = static_cast<int64_t>(prompts.size());
    int64_t T = 1, L = 1;
    for (int64_t i = 0; i < n; ++i) {
        const auto p = static_cast<int64_t>(prompts[i].size());
        const auto c = static_cast<int64_t>(completions[i].size());
        T = std::max(T, p + c);
        L = std::max(L, c);
    }
    auto ids = torch::full({n, T}, pad_id, torch::kInt64);
    auto mask = torch::zeros({n, T}, torch::kInt64);
    auto comp = torch::zeros({n, L}, torch::kInt64);
    auto comp_mask = torch::zeros({n, L}, torch::kFloat32);
    auto prompt_lengths = torch::zeros({n}, torch::kInt64);
    auto a_ids = ids.accessor<int64_t, 2>();
    auto a_mask = mask.accessor<int64_t, 2>();
    auto a_comp = comp.accessor<int64_t, 2>();
    auto a_cmask = comp_mask.accessor<float, 2>();
    for (int64_t i = 0; i < n; ++i) {
        const auto& p = prompts[i];
        const auto& c = completions[i];
        const auto P = static_cast<int64_t>(p.size());
        prompt_lengths[i] = P;
        for (int64_t t = 0; t < P; ++t) {
            a_ids[i][t] = p[t];
            a_mask[i][t] = 1;
        }
        for (int64_t j = 0; j < static_cast<int64_t>(c.size()); ++j) {
            a_ids[i][P + j] = c[j];
            a_mask[i][P + j] = 1;
            a_comp[i][j] = c[j];
            a_cmask[i][j] = 1.0F;
        }
    }
    return {ids, mask, comp, comp_mask, prompt_lengths};
}

TokenLogprobs completion_logprobs(model::CausalLm& model,
                                  const SequenceBatch& batch,
                                  LogprobOptions options) {
    const int64_t n = batch.size(), T = batch.input_ids.size(1), L = batch.completion_ids.size(1);
    const auto hidden =
        model->model->forward(batch.input_ids, batch.attention_mask).hidden;  // [n, T, H]
    // the hidden state at position P-1+j predicts completion token j; the head runs there only
    // (TRL's logits_to_keep: the prompt's logits would be [n, P, V] of work thrown away)
    auto positions = (batch.prompt_lengths.unsqueeze(1) - 1 + torch::arange(L).unsqueeze(0))
                         .clamp(0, T - 1);  // [n, L]
    const int64_t H = hidden.size(-1);
    auto z = model->head(hidden.gather(1, positions.unsqueeze(-1).expand({n, L, H})))
                 .to(torch::kFloat32);  // [n, L, V]
    const double temperature = options.temperature > 0 ? options.temperature : 1.0;
    if (temperature != 1.0) {
        z = z / temperature;
    }
    const auto logp_all = torch::log_softmax(z, -1);  // [n, L, V]
    TokenLogprobs out;
    out.logp =
        logp_all.gather(-1, batch.completion_ids.unsqueeze(-1)).squeeze(-1) * batch.completion_mask;
    if (options.entropy) {
        out.entropy = -(logp_all.exp() * logp_all).sum(-1) * batch.completion_mask;
    }
    return out;
}

}  // namespace r1::train::grpo
