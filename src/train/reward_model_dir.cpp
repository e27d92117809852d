// Reward-model directories with their tokenizer and template, and scoring (reward_model_dir.h).
#include "r1/train/reward_model_dir.h"

#include "r1/generation/model_dir.h"
#include "r1/io/jsonl.h"
#include "r1/model/hf_classifier.h"
#include "r1/tokenizer/jinja.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>
#include <sstream>

namespace r1::train {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<json> read_json(const fs::path& path) {
    if (!fs::exists(path)) {
        return std::nullopt;
    }
    try {
        return json::parse(util::read_file(path));
    } catch (const json::parse_error& e) {
        throw util::FormatError(util::str("invalid JSON: ", e.what()), {path.string()});
    }
}

/// TRL's order for the pad token: the tokenizer's own (tokenizer_config.json pad_token, a string
/// or {"content": ...}), else the EOS token.
std::optional<int64_t> tokenizer_pad(const fs::path& dir, const tokenizer::Tokenizer& tok) {
    const auto config = read_json(dir / "tokenizer_config.json");
    if (!config || !config->contains("pad_token")) {
        return std::nullopt;
    }
    const json& pad = config->at("pad_token");
    const json name = pad.is_object() ? pad.value("content", json()) : pad;
    if (!name.is_string()) {
        return std::nullopt;
    }
    const auto id = tok.token_to_id(name.get<std::string>());
    return id ? std::optional<int64_t>(*id) : std::nullopt;
}

/// generation's EOS (config.json's eos_token_id, else a known end token of the tokenizer).
int64_t eos_of(const fs::path& dir, const tokenizer::Tokenizer& tok) {
    generation::ModelDir probe;  // eos_token_ids() reads only its config.json and tokenizer
    probe.config_json = util::read_file(dir / "config.json");
    probe.tokenizer = tok;
    const auto eos = generation::eos_token_ids(probe);
    return eos.empty() ? -1 : eos.front();
}

}  // namespace

RewardModelDir load_reward_model_dir(const fs::path& dir) {
    const fs::path tok_path = dir / "tokenizer.json";
    if (!fs::exists(tok_path)) {
        throw util::IoError(tok_path.string() + ": missing; a reward model needs its tokenizer");
    }
    RewardModelDir out{.path = dir, .tokenizer = tokenizer::Tokenizer::from_file(tok_path)};
    out.eos_id = eos_of(dir, out.tokenizer);
    const auto pad = tokenizer_pad(dir, out.tokenizer);
    out.model =
        model::load_classifier(dir, {.pad_token_id = pad               ? *pad
                                                     : out.eos_id >= 0 ? std::optional(out.eos_id)
                                                                       : std::nullopt});
    if (auto jinja = tokenizer::load_chat_template(dir)) {
        out.own_template = tokenizer::ModelTemplate{*jinja, tokenizer::load_special_tokens(dir)};
    }
    out.set_prompt({.chat_template = out.own_template ? tokenizer::Template::model
                                                      : tokenizer::Template::plain});
    return out;
}

void RewardModelDir::set_prompt(const data::PromptFormatOptions& format) {
    if (format.chat_template == tokenizer::Template::model && !own_template) {
        throw util::ConfigError(
            path.string() +
            ": no chat template (chat_template.jinja, or tokenizer_config.json's "
            "chat_template) for template 'model'; choose r1_zero, qwen_math, "
            "chat or plain");
    }
    chat = std::make_shared<tokenizer::ChatTemplate>(format.chat_template, format.templates,
                                                     format.prefilled_think, own_template);
}

void save_reward_model_dir(const fs::path& dir,
                           model::SequenceClassifierImpl& model,
                           const fs::path& source,
                           const tokenizer::ChatTemplate& chat) {
    util::write_dir_atomically(dir, [&](const fs::path& tmp) {
        // save_classifier is atomic itself: let it fill a fresh subdirectory, then lift its files
        model::save_classifier(model, tmp / "model", {.source = source});
        for (const auto& entry : fs::directory_iterator(tmp / "model")) {
            fs::rename(entry.path(), tmp / entry.path().filename());
        }
        fs::remove(tmp / "model");
        // the training template, which transformers reads before tokenizer_config.json's
        util::atomic_write_file(tmp / "chat_template.jinja", chat.to_jinja());
    });
}

std::vector<double> score_ids(model::SequenceClassifierImpl& model,
                              const std::vector<std::vector<int64_t>>& ids,
                              int64_t batch_size) {
    torch::NoGradGuard no_grad;
    const bool training = model.is_training();
    model.eval();
    const int64_t pad = std::max<int64_t>(model.pad_token_id, 0);  // masked: any id would do
    std::vector<double> out;
    for (size_t b = 0; b < ids.size(); b += static_cast<size_t>(batch_size)) {
        const size_t e = std::min(ids.size(), b + static_cast<size_t>(batch_size));
        size_t S = 1;
        for (size_t i = b; i < e; ++i) {
            S = std::max(S, ids[i].size());
        }
        const auto n = static_cast<int64_t>(e - b);
        at::Tensor input = at::full({n, static_cast<int64_t>(S)}, pad, at::kLong);
        at::Tensor mask = at::zeros({n, static_cast<int64_t>(S)}, at::kLong);
        for (size_t i = b; i < e; ++i) {
            const auto len = static_cast<int64_t>(ids[i].size());
            const auto row = static_cast<int64_t>(i - b);
            input[row].slice(0, 0, len).copy_(at::tensor(ids[i], at::kLong));
            mask[row].slice(0, 0, len).fill_(1);
        }
        const at::Tensor rewards = model.forward(input, mask).to(at::kDouble).contiguous();
        out.insert(out.end(), rewards.data_ptr<double>(), rewards.data_ptr<double>() + n);
    }
    model.train(training);
    return out;
}

ScoreFileSummary score_file(const ScoreFileOptions& o, std::ostream& out) {
    auto rm = load_reward_model_dir(o.model);
    const RmEncoder encoder = rm.encoder();
    std::vector<std::vector<int64_t>> ids;
    io::JsonlReader reader(o.input);
    json line;
    while (reader.next(line)) {
        const auto row = data::sft_example_from_json(io::JsonFields(line, reader.where()));
        using Shape = data::SftExample::Shape;
        if (row.shape == Shape::text) {
            ids.push_back(encode_response(std::nullopt, row.text, encoder));
        } else if (row.shape == Shape::prompt_completion && row.messages.empty()) {
            ids.push_back(encode_response(row.prompt, row.completion, encoder));
        } else {
            try {
                ids.push_back(encode_conversation(row.messages, encoder));
            } catch (const util::ConfigError& e) {
                throw util::FormatError(e.what(), reader.where());
            }
        }
    }
    const auto rewards = score_ids(*rm.model, ids, o.batch_size);
    std::ostringstream lines;
    ScoreFileSummary summary{.rows = static_cast<int64_t>(rewards.size())};
    for (const double r : rewards) {
        lines << io::to_jsonl_line({{"reward", r}}) << "\n";
        summary.mean += r / static_cast<double>(rewards.size());
    }
    if (o.output.empty()) {
        out << lines.str();
    } else {
        util::atomic_write_file(o.output, lines.str());
    }
    return summary;
}

}  // namespace r1::train
