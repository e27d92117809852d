#include "r1/generation/model_dir.h"

#include "r1/io/safetensors.h"
#include "r1/model/state.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

namespace r1::generation {

namespace fs = std::filesystem;

ModelDir load_model_dir(const fs::path& dir) {
    if (!fs::is_directory(dir)) {
        throw util::IoError(dir.string() + ": not a model directory (expected config.json, "
                                           "model.safetensors and tokenizer.json inside)");
    }
    ModelDir out;
    out.config_json = util::read_file(dir / "config.json");
    nlohmann::json config;
    try {
        config = nlohmann::json::parse(out.config_json);
    } catch (const nlohmann::json::parse_error& e) {
        throw util::FormatError((dir / "config.json").string() + ": invalid JSON: " + e.what());
    }
    out.options = model::parse_model_options(config, (dir / "config.json").string());
    out.model = model::CausalLm(out.options);
    const io::SafetensorsFile weights(dir / "model.safetensors");
    model::NamedTensors tensors;
    for (const auto& name : weights.names()) {
        tensors.emplace_back(name, weights.tensor(name));
    }
    model::load_named_tensors(*out.model, tensors, weights.path().string());
    if (fs::exists(dir / "tokenizer.json")) {
        out.tokenizer_json = util::read_file(dir / "tokenizer.json");
        out.tokenizer = tokenizer::Tokenizer::from_json(out.tokenizer_json,
                                                        (dir / "tokenizer.json").string());
    }
    return out;
}

std::vector<int64_t> eos_token_ids(const ModelDir& dir) {
    std::vector<int64_t> ids;
    const auto config = nlohmann::json::parse(dir.config_json, nullptr, false);
    if (config.is_object() && config.contains("eos_token_id")) {
        const auto& eos = config.at("eos_token_id");
        if (eos.is_number_integer()) {
            ids.push_back(eos.get<int64_t>());
        } else if (eos.is_array()) {
            for (const auto& id : eos) {
                if (id.is_number_integer()) {
                    ids.push_back(id.get<int64_t>());
                }
            }
        }
    }
    if (!ids.empty() || !dir.tokenizer) {
        return ids;
    }
    for (const char* name : {"<|endoftext|>", "<|im_end|>", "<|eot_id|>",
                             "<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>"}) {
        if (const auto id = dir.tokenizer->token_to_id(name)) {
            ids.push_back(*id);
        }
    }
    return ids;
}

void save_model_dir(const fs::path& dir,
                    model::CausalLm& model,
                    const std::string& config_json,
                    const std::string& tokenizer_json) {
    const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
    fs::create_directories(parent);
    const fs::path tmp = parent / (dir.filename().string() + ".tmp-" + std::to_string(getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    io::write_safetensors(tmp / "model.safetensors", model::named_tensors(*model),
                          {{"format", "pt"}});
    util::atomic_write_file(tmp / "config.json", config_json);
    if (!tokenizer_json.empty()) {
        util::atomic_write_file(tmp / "tokenizer.json", tokenizer_json);
    }
    util::fsync_path(tmp);
    // rename() cannot replace a non-empty directory: move the old one aside first
    const fs::path old = parent / (dir.filename().string() + ".old-" + std::to_string(getpid()));
    if (fs::exists(dir)) {
        fs::rename(dir, old);
    }
    fs::rename(tmp, dir);
    util::fsync_path(parent);
    fs::remove_all(old);
}

}  // namespace r1::generation
