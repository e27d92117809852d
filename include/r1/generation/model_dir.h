// A model directory as stages and the CLI hand it on: a Hugging Face directory (model/hf.h:
// config.json, safetensors) with its tokenizer.json, loaded together; saved atomically, so a crash
// leaves the previous directory whole.
#pragma once

#include "r1/model/causal_lm.h"
#include "r1/model/options.h"
#include "r1/model/precision.h"
#include "r1/tokenizer/tokenizer.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace r1::generation {

struct ModelDir {
    model::ModelOptions options;
    model::CausalLm model{nullptr};
    std::optional<tokenizer::Tokenizer> tokenizer;
    std::string config_json;     // config.json as written (carried through unchanged)
    std::string tokenizer_json;  // tokenizer.json's text
};

/// Loads DIR/config.json, DIR/model.safetensors (every tensor must match) and DIR/tokenizer.json;
/// the projections in `precision` (fp8: a DeepSeek FP8 file's bytes kept as they are).
ModelDir load_model_dir(const std::filesystem::path& dir,
                        model::Precision precision = model::Precision::float32);

/// The ids that end a completion: config.json's eos_token_id (an id or a list), else the
/// tokenizer's special tokens among <|endoftext|>, <|im_end|>, <|eot_id|> and DeepSeek's end of
/// sentence. Empty when there are none.
std::vector<int64_t> eos_token_ids(const ModelDir& dir);

/// Writes `model` to `dir` in HF's layout (model::save_pretrained), replacing it atomically; the
/// config keys r1 does not model and the tokenizer come from `source` when given, and
/// `tokenizer_json` (when not empty) is written as tokenizer.json.
void save_model_dir(const std::filesystem::path& dir,
                    model::CausalLm& model,
                    const std::optional<std::filesystem::path>& source,
                    const std::string& tokenizer_json);

}  // namespace r1::generation
