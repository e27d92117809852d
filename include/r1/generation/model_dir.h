// A model directory as stages hand it on, in Hugging Face's layout: config.json, model.safetensors
// (r1's module names are the checkpoint keys) and tokenizer.json. Saved atomically: written into
// DIR.tmp-*, then renamed over DIR, so a crash leaves the previous directory whole.
#pragma once

#include "r1/model/causal_lm.h"
#include "r1/model/options.h"
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

/// Loads DIR/config.json, DIR/model.safetensors (every tensor must match) and DIR/tokenizer.json.
ModelDir load_model_dir(const std::filesystem::path& dir);

/// The ids that end a completion: config.json's eos_token_id (an id or a list), else the
/// tokenizer's special tokens among <|endoftext|>, <|im_end|>, <|eot_id|> and DeepSeek's end of
/// sentence. Empty when there are none.
std::vector<int64_t> eos_token_ids(const ModelDir& dir);

/// Writes `model` with its config and tokenizer texts to `dir`, replacing it atomically.
void save_model_dir(const std::filesystem::path& dir,
                    model::CausalLm& model,
                    const std::string& config_json,
                    const std::string& tokenizer_json);

}  // namespace r1::generation
