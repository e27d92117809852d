#include "generation/support.h"

#include <torch/torch.h>

#include <algorithm>

namespace r1::test {

model::CausalLm make_model(const model::ModelOptions& options, at::ScalarType dtype) {
    torch::manual_seed(0);
    model::CausalLm lm(options);
    lm->to(dtype);
    lm->eval();
    return lm;
}

at::Tensor full_logits(model::CausalLm& lm, const Ids& ids) {
    torch::NoGradGuard no_grad;
    return lm->forward(torch::tensor(ids, torch::kInt64).view({1, -1})).logits[0];
}

Ids greedy_reference(model::CausalLm& lm, Ids prompt, int64_t max_tokens, const Ids& eos) {
    Ids out;
    for (int64_t t = 0; t < max_tokens; ++t) {
        const int64_t token = full_logits(lm, prompt)[-1].argmax().item<int64_t>();
        out.push_back(token);
        prompt.push_back(token);
        if (std::find(eos.begin(), eos.end(), token) != eos.end()) {
            break;
        }
    }
    return out;
}

}  // namespace r1::test
