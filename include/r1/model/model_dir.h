// A model directory as stages and the CLI hand it on: a Hugging Face directory (model/hf.h:
// config.json, safetensors) with its tokenizer.json and chat template, loaded together; saved
// atomically, so a crash leaves the previous directory whole.
#pragma once

#include "r1/model/causal_lm.h"
#include "r1/model/options.h"
#include "r1/model/precision.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace r1::model {

struct ModelDir {
    std::filesystem::path path;
    model::ModelOptions options;
    model::CausalLm model{nullptr};
    std::optional<tokenizer::Tokenizer> tokenizer;
    std::string config_json;     // config.json as written (carried through unchanged)
    std::string tokenizer_json;  // tokenizer.json's text
    /// chat_template.jinja, or tokenizer_config.json's chat_template, with its special tokens
    std::optional<tokenizer::ModelTemplate> chat_template;
};

/// The prompt template a stage asks for: `kind` with the built-in texts, or for Template::model
/// the directory's own (ConfigError naming the directory when it has none).
tokenizer::ChatTemplate chat_template_for(const ModelDir& dir,
                                          tokenizer::Template kind,
                                          const tokenizer::ChatTemplateOptions& texts,
                                          bool prefilled_think);
/// The same for any directory `dir` whose own template (if any) is `own`.
tokenizer::ChatTemplate chat_template_for(const std::filesystem::path& dir,
                                          const std::optional<tokenizer::ModelTemplate>& own,
                                          tokenizer::Template kind,
                                          const tokenizer::ChatTemplateOptions& texts,
                                          bool prefilled_think);

/// Loads DIR/config.json, DIR/model.safetensors (every tensor must match) and DIR/tokenizer.json;
/// the projections in `precision` (fp8: a DeepSeek FP8 file's bytes kept as they are).
ModelDir load_model_dir(const std::filesystem::path& dir,
                        model::Precision precision = model::Precision::float32);

/// The ids that end a completion: config.json's eos_token_id (an id or a list), else the
/// tokenizer's special tokens among <|endoftext|>, <|im_end|>, <|eot_id|> and DeepSeek's end of
/// sentence. Empty when there are none.
std::vector<int64_t> eos_token_ids(const ModelDir& dir);
/// The same from a config.json's text and the directory's tokenizer (if any).
std::vector<int64_t> eos_token_ids(std::string_view config_json, const tokenizer::Tokenizer* tok);

struct SaveDirOptions {
    /// The config keys r1 does not model, the tokenizer and its files come from here.
    std::optional<std::filesystem::path> source;
    std::string tokenizer_json;  // written as tokenizer.json when not empty
    /// The template the model was trained with, written as chat_template.jinja when not empty
    /// (transformers reads it before tokenizer_config.json's), so generate and later stages use it.
    std::string chat_template;
};

/// Writes a model directory atomically: `save_weights` fills a fresh subdirectory (config.json,
/// safetensors and the source's files), whose files are lifted into `dir`, then the tokenizer and
/// template of `options` (source is for `save_weights`). The whole directory appears at once.
void write_model_dir(const std::filesystem::path& dir,
                     const std::function<void(const std::filesystem::path&)>& save_weights,
                     const SaveDirOptions& options);

/// Writes `model` to `dir` in HF's layout (model::save_pretrained), replacing it atomically.
void save_model_dir(const std::filesystem::path& dir,
                    model::CausalLm& model,
                    const SaveDirOptions& options);

}  // namespace r1::model
