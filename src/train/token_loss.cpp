#include "r1/train/token_loss.h"

#include <ATen/ATen.h>

namespace r1::train {

TokenLoss next_token_loss(const at::Tensor& logits,
                          const at::Tensor& ids,
                          const at::Tensor& weights) {
    TORCH_CHECK(logits.dim() == 3 && ids.sizes() == weights.sizes() &&
                    logits.size(0) == ids.size(0) && logits.size(1) == ids.size(1),
                "next_token_loss: logits ", logits.sizes(), ", ids ", ids.sizes(), " and weights ",
                weights.sizes(), " must be [b, S, V], [b, S] and [b, S]");
    const int64_t V = logits.size(-1);
    auto scores = logits.slice(1, 0, -1).reshape({-1, V});  // [b(S-1), V]
    if (!at::isFloatingType(scores.scalar_type()) || at::elementSize(scores.scalar_type()) < 4) {
        scores = scores.to(at::kFloat);  // bf16 logits under autocast: the loss in float32
    }
    const auto targets = ids.slice(1, 1).reshape({-1});
    const auto w = weights.slice(1, 1).reshape({-1}).to(scores.scalar_type());
    const auto keep = (w != 0).nonzero().squeeze(1);  // only the trained rows: prompts cost nothing
    const auto rows = scores.index_select(0, keep);
    const auto gold = targets.index_select(0, keep);
    const auto nll = -at::log_softmax(rows, -1).gather(1, gold.unsqueeze(1)).squeeze(1);
    TokenLoss out;
    out.loss = (nll * w.index_select(0, keep)).sum();
    out.count = keep.numel();
    if (out.count > 0) {
        out.nll_sum = nll.detach().sum().item<double>();
        out.correct = (rows.detach().argmax(-1) == gold).sum().item<int64_t>();
    }
    return out;
}

void LossTally::add(const TokenLoss& t, int64_t batch_tokens) {
    loss += t.loss.item<double>();
    nll += t.nll_sum;
    correct += t.correct;
    count += t.count;
    tokens += batch_tokens;
}

}  // namespace r1::train
