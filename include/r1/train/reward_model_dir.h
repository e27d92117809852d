// A reward model as stages, `r1 score` and GRPO use it: the classifier, its tokenizer, EOS and the
// template it was trained with (its chat_template.jinja, as every model r1 writes; `plain` without
// one), plus scoring of token ids and of a JSONL file of {prompt, completion} or {messages} rows.
#pragma once

#include "r1/data/options.h"
#include "r1/model/sequence_classifier.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/train/preference_data.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace r1::train {

struct RewardModelDir {
    std::filesystem::path path;
    model::SequenceClassifier model{nullptr};
    tokenizer::Tokenizer tokenizer;
    std::optional<tokenizer::ModelTemplate> own_template;  // chat_template.jinja (template model)
    std::shared_ptr<tokenizer::ChatTemplate> chat;         // the own template, else plain
    int64_t eos_id = -1;                                   // appended to string rows; -1: none

    RmEncoder encoder() const { return {tokenizer, *chat, eos_id}; }

    /// Renders with `format` from now on (a stage's data.prompt, a reward's own template);
    /// `model` is the directory's own template (ConfigError naming the directory without one).
    void set_prompt(const data::PromptFormatOptions& format);
};

/// Loads DIR as a reward model (model::load_classifier: a reward-model directory, or a causal LM
/// with a fresh score head) with DIR/tokenizer.json (required: IoError naming it). The pad token,
/// when config.json has none, is TRL's: tokenizer_config.json's pad_token, else the EOS.
RewardModelDir load_reward_model_dir(const std::filesystem::path& dir);

/// Writes `model` as a Hugging Face reward-model directory (config.json, safetensors, the source's
/// tokenizer files) with `chat` as its chat_template.jinja, atomically.
void save_reward_model_dir(const std::filesystem::path& dir,
                           model::SequenceClassifierImpl& model,
                           const std::filesystem::path& source,
                           const tokenizer::ChatTemplate& chat);

/// Rewards of token-id sequences, `batch_size` at a time, right-padded; no gradient, eval mode.
std::vector<double> score_ids(model::SequenceClassifierImpl& model,
                              const std::vector<std::vector<int64_t>>& ids,
                              int64_t batch_size = 8);

struct ScoreFileOptions {
    std::string model;   // reward-model directory
    std::string input;   // JSONL of {"prompt": str, "completion": str} or {"messages": [...]}
    std::string output;  // JSONL of {"reward": r}, one per input line; empty: `out`
    int64_t batch_size = 8;
};

struct ScoreFileSummary {
    int64_t rows = 0;
    double mean = 0.0;
};

/// `r1 score --reward-model`: each input row rendered as in training (the prompt through the
/// model's chat template, then the completion and EOS; messages through the chat template), scored,
/// written one {"reward"} per line (to options.output atomically, else to `out`). FormatError
/// naming file:line and the field for a malformed row.
ScoreFileSummary score_file(const ScoreFileOptions& options, std::ostream& out);

}  // namespace r1::train
