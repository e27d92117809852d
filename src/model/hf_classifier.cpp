// Reward-model directories in and out (hf_classifier.h), over the shared HF I/O of hf_files.h.
#include "r1/model/hf_classifier.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <nlohmann/json.hpp>

#include <string>

#include "model/hf_files.h"

namespace r1::model {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kClassifierSuffix = "ForSequenceClassification";

json read_config(const fs::path& dir) {
    const fs::path path = dir / "config.json";
    try {
        return json::parse(util::read_file(path));
    } catch (const json::parse_error& e) {
        throw util::FormatError(util::str("invalid JSON: ", e.what()), {path.string()});
    }
}

/// An integer key, or the first integer of a list key (eos_token_id may be either).
std::optional<int64_t> token_id(const json& config, const char* key) {
    const auto it = config.find(key);
    if (it == config.end()) {
        return std::nullopt;
    }
    if (it->is_number_integer()) {
        return it->get<int64_t>();
    }
    if (it->is_array() && !it->empty() && it->front().is_number_integer()) {
        return it->front().get<int64_t>();
    }
    return std::nullopt;  // null or absent: transformers' None
}

bool names_classifier(const json& config) {
    const auto it = config.find("architectures");
    if (it == config.end() || !it->is_array()) {
        return false;
    }
    for (const auto& a : *it) {
        if (a.is_string() && a.get<std::string>().ends_with(kClassifierSuffix)) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool is_classifier_dir(const fs::path& dir) {
    return names_classifier(read_config(dir));
}

SequenceClassifier load_classifier(const fs::path& dir, const ClassifierLoadOptions& options) {
    const json config = read_config(dir);
    const ModelOptions source = without_absent_mtp(load_model_options(dir / "config.json"), dir);
    const int64_t pad =
        token_id(config, "pad_token_id")
            .value_or(options.pad_token_id.value_or(token_id(config, "eos_token_id").value_or(-1)));
    SequenceClassifier model(source, pad);
    KeySelection keys;
    if (!names_classifier(config)) {
        // a causal LM: its next-token heads are not part of a classifier; the score head is new
        const int64_t L = source.num_hidden_layers;
        const int64_t D = source.is_deepseek() ? source.num_nextn_predict_layers : 0;
        keys.skip = [L, D](const std::string& key) {
            if (key.starts_with("lm_head.")) {
                return true;
            }
            for (int64_t k = L; k < L + D; ++k) {
                if (key.starts_with(util::str("model.layers.", k, "."))) {
                    return true;
                }
            }
            return false;
        };
        keys.optional = {"score.weight"};
    }
    load_checkpoint(*model, model->options, dir, keys);
    model->eval();
    return model;
}

void save_classifier(SequenceClassifierImpl& model,
                     const fs::path& dir,
                     const SaveOptions& options) {
    NamedTensors tensors;
    for (const auto& [name, tensor] : named_tensors(model)) {
        tensors.emplace_back(name, stored_tensor(name, tensor, options));
    }
    json config =
        pretrained_config(model.options, options.source, tensors.front().second.scalar_type());
    std::string architecture = config.at("architectures").front().get<std::string>();
    architecture =
        architecture.substr(0, architecture.find("For")) + std::string(kClassifierSuffix);
    config["architectures"] = {architecture};
    config.erase("num_labels");  // transformers derives it from id2label
    config["id2label"] = {{"0", "LABEL_0"}};
    config["label2id"] = {{"LABEL_0", 0}};
    config["pad_token_id"] = model.pad_token_id >= 0 ? json(model.pad_token_id) : json(nullptr);
    write_pretrained(dir, tensors, config, options);
}

}  // namespace r1::model
