// The reward model's module: decoder, scalar head, and the last-real-token reading.
#include "r1/model/sequence_classifier.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace r1::model {

ModelOptions classifier_options(ModelOptions options) {
    options.num_nextn_predict_layers = 0;  // MTP predicts tokens; a classifier predicts none
    return options;
}

SequenceClassifierImpl::SequenceClassifierImpl(const ModelOptions& options_, int64_t pad_token_id_)
    : options(classifier_options(options_)), pad_token_id(pad_token_id_) {
    reset();
}

void SequenceClassifierImpl::reset() {
    model = register_module("model", Decoder(options));
    score = register_module(
        "score", torch::nn::Linear(torch::nn::LinearOptions(options.hidden_size, 1).bias(false)));
    torch::NoGradGuard no_grad;
    score->weight.normal_(0.0, options.initializer_range);
}

at::Tensor SequenceClassifierImpl::forward(const at::Tensor& input_ids,
                                           const at::Tensor& attention_mask,
                                           ForwardOptions forward_options) {
    forward_options.mtp = false;
    const at::Tensor hidden =
        model(input_ids, attention_mask, forward_options).hidden;                       // [B, S, H]
    const at::Tensor last = last_token_index(input_ids, attention_mask, pad_token_id);  // [B]
    const int64_t H = hidden.size(2);
    // only the read positions go through the head: the same numbers as scoring every token
    const at::Tensor pooled = hidden.gather(1, last.view({-1, 1, 1}).expand({-1, 1, H}));
    return score(pooled.squeeze(1)).squeeze(-1);  // [B]
}

at::Tensor last_token_index(const at::Tensor& input_ids,
                            const at::Tensor& attention_mask,
                            int64_t pad_token_id) {
    TORCH_CHECK(input_ids.dim() == 2 && input_ids.size(1) > 0 &&
                    (!attention_mask.defined() || attention_mask.sizes() == input_ids.sizes()),
                "last_token_index: input_ids must be [B, S] with S > 0 and attention_mask alike, "
                "got ",
                input_ids.sizes(), " and ",
                attention_mask.defined() ? attention_mask.sizes() : at::IntArrayRef{});
    at::Tensor real = pad_token_id >= 0
                          ? input_ids != pad_token_id
                          : at::ones_like(input_ids, input_ids.options().dtype(at::kBool));
    if (attention_mask.defined()) {
        real = real & attention_mask.to(at::kBool);
    }
    // transformers: argmax(arange(S) * real), the rightmost real index (0 if there is none)
    const at::Tensor positions =
        at::arange(input_ids.size(1), input_ids.options().dtype(at::kLong));
    return (positions * real.to(at::kLong)).argmax(-1);
}

}  // namespace r1::model
