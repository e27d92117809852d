// Reward-model directories with their tokenizer and template, and scoring (reward_model_dir.h).
#include "r1/train/reward_model_dir.h"

#include "r1/io/jsonl.h"
#include "r1/model/hf_classifier.h"
#include "r1/model/model_dir.h"
#include "r1/model/score.h"
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

/// TRL's order for the pad token: the tokenizer's own (tokenizer_config.json's pad_token), else
/// the EOS token.
std::optional<int64_t> pad_of(const nlohmann::ordered_json& special,
                              const tokenizer::Tokenizer& tok) {
    if (!special.contains("pad_token")) {
        return std::nullopt;
    }
    const auto id = tok.token_to_id(special.at("pad_token").get<std::string>());
    return id ? std::optional<int64_t>(*id) : std::nullopt;
}

}  // namespace

RewardModelDir load_reward_model_dir(const fs::path& dir) {
    const fs::path tok_path = dir / "tokenizer.json";
    if (!fs::exists(tok_path)) {
        throw util::IoError(tok_path.string() + ": missing; a reward model needs its tokenizer");
    }
    RewardModelDir out{.path = dir, .tokenizer = tokenizer::Tokenizer::from_file(tok_path)};
    const auto eos = model::eos_token_ids(util::read_file(dir / "config.json"), &out.tokenizer);
    out.eos_id = eos.empty() ? -1 : eos.front();
    const auto special = tokenizer::load_special_tokens(dir);
    const auto pad = pad_of(special, out.tokenizer);
    out.model =
        model::load_classifier(dir, {.pad_token_id = pad               ? *pad
                                                     : out.eos_id >= 0 ? std::optional(out.eos_id)
                                                                       : std::nullopt});
    if (auto jinja = tokenizer::load_chat_template(dir)) {
        out.own_template = tokenizer::ModelTemplate{*jinja, special};
    }
    out.set_prompt({.chat_template = out.own_template ? tokenizer::Template::model
                                                      : tokenizer::Template::plain});
    return out;
}

void RewardModelDir::set_prompt(const data::PromptFormatOptions& format) {
    chat = std::make_shared<tokenizer::ChatTemplate>(model::chat_template_for(
        path, own_template, format.chat_template, format.templates, format.prefilled_think));
}

void save_reward_model_dir(const fs::path& dir,
                           model::SequenceClassifierImpl& model,
                           const fs::path& source,
                           const tokenizer::ChatTemplate& chat) {
    // the training template, which transformers reads before tokenizer_config.json's
    model::write_model_dir(dir,
                           [&](const fs::path& weights) {
                               model::save_classifier(model, weights, {.source = source});
                           },
                           {.chat_template = chat.to_jinja()});
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
        std::vector<const std::vector<int64_t>*> rows;
        for (size_t i = b; i < e; ++i) {
            rows.push_back(&ids[i]);
        }
        const auto [input, mask] = model::right_padded(rows, pad);
        const auto n = static_cast<int64_t>(e - b);
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
