#include "r1/model/score.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <cmath>

namespace r1::model {

at::Tensor token_logprobs(CausalLmImpl& model,
                          const at::Tensor& input_ids,
                          const at::Tensor& attention_mask) {
    const auto logits = model.forward(input_ids, attention_mask).logits;  // [B, S, V]
    const auto logp = at::log_softmax(logits.slice(1, 0, -1).to(at::kFloat), -1);
    return logp.gather(-1, input_ids.slice(1, 1).unsqueeze(-1)).squeeze(-1);  // [B, S-1]
}

namespace {

void check_request(const ScoreRequest& r, size_t index, int64_t vocab_size) {
    const auto n = static_cast<int64_t>(r.tokens.size());
    if (r.first < 1 || r.first > n) {
        throw util::UsageError(util::str("sequence ", index, ": first scored position ", r.first,
                                         " must be in [1, ", n, "] (", n, " tokens)"));
    }
    for (const int64_t t : r.tokens) {
        if (t < 0 || t >= vocab_size) {
            throw util::UsageError(util::str("sequence ", index, ": token id ", t,
                                             " is outside the vocabulary [0, ", vocab_size, ")"));
        }
    }
}

}  // namespace

PaddedBatch right_padded(const std::vector<const std::vector<int64_t>*>& rows,
                         int64_t pad,
                         int64_t min_length) {
    int64_t S = min_length;
    for (const auto* row : rows) {
        S = std::max(S, static_cast<int64_t>(row->size()));
    }
    const auto B = static_cast<int64_t>(rows.size());
    std::vector<int64_t> ids(static_cast<size_t>(B * S), pad), mask(ids.size(), 0);
    for (size_t i = 0; i < rows.size(); ++i) {
        std::copy(rows[i]->begin(), rows[i]->end(), ids.begin() + static_cast<int64_t>(i) * S);
        std::fill_n(mask.begin() + static_cast<int64_t>(i) * S, rows[i]->size(), 1);
    }
    return {at::tensor(ids, at::kLong).view({B, S}), at::tensor(mask, at::kLong).view({B, S})};
}

std::vector<std::vector<float>> score(CausalLmImpl& model,
                                      const std::vector<ScoreRequest>& requests,
                                      ScoreOptions options) {
    for (size_t i = 0; i < requests.size(); ++i) {
        check_request(requests[i], i, model.options.vocab_size);
    }
    torch::NoGradGuard no_grad;
    std::vector<std::vector<float>> out(requests.size());
    const auto batch = static_cast<size_t>(std::max<int64_t>(options.batch_size, 1));
    for (size_t begin = 0; begin < requests.size(); begin += batch) {
        const size_t end = std::min(requests.size(), begin + batch);
        std::vector<const std::vector<int64_t>*> rows;
        for (size_t i = begin; i < end; ++i) {
            rows.push_back(&requests[i].tokens);
        }
        // at least 2: a single-token sequence still makes a [B, 1] log-prob row
        const auto [ids, mask] = right_padded(rows, 0, 2);
        const auto logp = token_logprobs(model, ids, mask).contiguous();  // [B, S-1]
        for (size_t i = begin; i < end; ++i) {
            const auto& r = requests[i];
            const float* row = logp[i - begin].data_ptr<float>();
            out[i].assign(row + r.first - 1, row + r.tokens.size() - 1);
        }
    }
    return out;
}

double perplexity(double sum, int64_t count) {
    return count > 0 ? std::exp(-sum / static_cast<double>(count)) : 1.0;
}

}  // namespace r1::model
