// Reward models as Hugging Face directories: load_classifier() reads a *ForSequenceClassification
// directory or starts from a *ForCausalLM one (fresh score head); save_classifier() writes one that
// transformers loads as Qwen2/Llama/DeepseekV3 ForSequenceClassification with the same scores.
#pragma once

#include "r1/model/hf.h"
#include "r1/model/sequence_classifier.h"

#include <cstdint>
#include <filesystem>
#include <optional>

namespace r1::model {

struct ClassifierLoadOptions {
    /// The pad token when config.json names none (TRL: the tokenizer's pad token, else EOS);
    /// unset: config.json's first eos_token_id; neither: no pad token (-1).
    std::optional<int64_t> pad_token_id;
};

/// Whether DIR/config.json's architectures name a *ForSequenceClassification model.
bool is_classifier_dir(const std::filesystem::path& dir);

/// A reward-model directory (score.weight [1, H] required) or a causal-LM directory: its decoder
/// weights, its lm_head and MTP layers left aside, score ~ normal(0, initializer_range) from the
/// global generator. In eval mode. Errors as load_pretrained's, naming file and tensor.
SequenceClassifier load_classifier(const std::filesystem::path& dir,
                                   const ClassifierLoadOptions& options = {});

/// Writes config.json (architectures <Family>ForSequenceClassification, id2label {"0": "LABEL_0"},
/// label2id, pad_token_id, the source's other keys) and the weights `model.*`, `score.weight`,
/// atomically, with the source's tokenizer files (options.source; options.layout is unused).
void save_classifier(SequenceClassifierImpl& model,
                     const std::filesystem::path& dir,
                     const SaveOptions& options = {});

}  // namespace r1::model
