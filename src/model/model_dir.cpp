#include "r1/model/model_dir.h"

#include "r1/model/hf.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <nlohmann/json.hpp>

namespace r1::model {

namespace fs = std::filesystem;

ModelDir load_model_dir(const fs::path& dir, model::Precision precision) {
    ModelDir out;
    out.path = dir;
    out.config_json = util::read_file(dir / "config.json");
    out.model = model::load_pretrained(dir, {.precision = precision});
    out.options = out.model->options;  // as loaded (a transformers save without MTP: MTP off)
    if (fs::exists(dir / "tokenizer.json")) {
        out.tokenizer_json = util::read_file(dir / "tokenizer.json");
        out.tokenizer =
            tokenizer::Tokenizer::from_json(out.tokenizer_json, (dir / "tokenizer.json").string());
    }
    if (auto jinja = tokenizer::load_chat_template(dir)) {
        out.chat_template = tokenizer::ModelTemplate{*jinja, tokenizer::load_special_tokens(dir)};
    }
    return out;
}

tokenizer::ChatTemplate chat_template_for(const ModelDir& dir,
                                          tokenizer::Template kind,
                                          const tokenizer::ChatTemplateOptions& texts,
                                          bool prefilled_think) {
    return chat_template_for(dir.path, dir.chat_template, kind, texts, prefilled_think);
}

tokenizer::ChatTemplate chat_template_for(const fs::path& dir,
                                          const std::optional<tokenizer::ModelTemplate>& own,
                                          tokenizer::Template kind,
                                          const tokenizer::ChatTemplateOptions& texts,
                                          bool prefilled_think) {
    if (kind == tokenizer::Template::model && !own) {
        throw util::ConfigError(
            dir.string() +
            ": no chat template (chat_template.jinja, or tokenizer_config.json's "
            "chat_template) for template 'model'; choose r1_zero, qwen_math, "
            "chat or plain");
    }
    return {kind, texts, prefilled_think, own};
}

std::vector<int64_t> eos_token_ids(const ModelDir& dir) {
    return eos_token_ids(dir.config_json, dir.tokenizer ? &*dir.tokenizer : nullptr);
}

std::vector<int64_t> eos_token_ids(std::string_view config_json, const tokenizer::Tokenizer* tok) {
    std::vector<int64_t> ids;
    const auto config = nlohmann::json::parse(config_json, nullptr, false);
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
    if (!ids.empty() || tok == nullptr) {
        return ids;
    }
    for (const char* name : {"<|endoftext|>", "<|im_end|>", "<|eot_id|>",
                             "<\xef\xbd\x9c"
                             "end\xe2\x96\x81"
                             "of\xe2\x96\x81"
                             "sentence\xef\xbd\x9c>"}) {
        if (const auto id = tok->token_to_id(name)) {
            ids.push_back(*id);
        }
    }
    return ids;
}

void save_model_dir(const fs::path& dir, model::CausalLm& model, const SaveDirOptions& options) {
    write_model_dir(
        dir,
        [&](const fs::path& weights) {
            model::save_pretrained(*model, weights, {.source = options.source});
        },
        options);
}

void write_model_dir(const fs::path& dir,
                     const std::function<void(const fs::path&)>& save_weights,
                     const SaveDirOptions& options) {
    util::write_dir_atomically(dir, [&](const fs::path& tmp) {
        // the weights' writer is atomic itself: let it fill a fresh subdirectory, then lift its
        // files
        save_weights(tmp / "model");
        for (const auto& entry : fs::directory_iterator(tmp / "model")) {
            fs::rename(entry.path(), tmp / entry.path().filename());
        }
        fs::remove(tmp / "model");
        if (!options.tokenizer_json.empty()) {
            util::atomic_write_file(tmp / "tokenizer.json", options.tokenizer_json);
        }
        if (!options.chat_template.empty()) {
            util::atomic_write_file(tmp / "chat_template.jinja", options.chat_template);
        }
    });
}

}  // namespace r1::model
