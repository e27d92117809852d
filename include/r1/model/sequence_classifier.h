// SequenceClassifier: a scalar head on the decoder, as transformers' *ForSequenceClassification
// with num_labels 1 (a reward model): `model` (the Decoder) and `score` (Linear H -> 1, no bias),
// so named_parameters() are that checkpoint's keys; the reward is read at each row's last token.
#pragma once

#include "r1/model/causal_lm.h"
#include "r1/model/options.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace r1::model {

class SequenceClassifierImpl : public torch::nn::Cloneable<SequenceClassifierImpl> {
  public:
    /// `options` with MTP dropped (a classifier has no next-token heads); `pad_token_id` < 0: none.
    SequenceClassifierImpl(const ModelOptions& options, int64_t pad_token_id);
    /// Registers model and score; score ~ normal(0, initializer_range) from the global generator,
    /// as transformers' _init_weights.
    void reset() override;
    /// input_ids [B, S] int64, attention_mask [B, S] 1/0 or undefined -> rewards [B], each read at
    /// its row's last real token (last_token_index).
    at::Tensor forward(const at::Tensor& input_ids,
                       const at::Tensor& attention_mask = {},
                       ForwardOptions forward_options = {});

    std::vector<Moe> moe_layers() { return model->moe_layers(); }

    ModelOptions options;
    int64_t pad_token_id = -1;  // config.json pad_token_id: never a reading position
    Decoder model{nullptr};
    torch::nn::Linear score{nullptr};
};

TORCH_MODULE(SequenceClassifier);

/// Each row's last position that the mask keeps and whose id is not pad_token_id: transformers'
/// rightmost id != pad_token_id (so left and right padding both work, and a trailing EOS that is
/// also the pad token is skipped, as in TRL), narrowed by the mask when one is given; 0 for a row
/// with no such position. input_ids [B, S], attention_mask [B, S] or undefined -> [B] int64.
at::Tensor last_token_index(const at::Tensor& input_ids,
                            const at::Tensor& attention_mask,
                            int64_t pad_token_id);

/// `options` as a classifier holds them: num_nextn_predict_layers 0.
ModelOptions classifier_options(ModelOptions options);

}  // namespace r1::model
