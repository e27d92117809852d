#include "r1/train/sft.h"

#include "r1/data/loader.h"
#include "r1/model/causal_lm.h"
#include "r1/model/model_dir.h"
#include "r1/train/optimizer.h"
#include "r1/train/schedule.h"
#include "r1/train/sft_dataset.h"
#include "r1/train/step_loop.h"
#include "r1/train/token_loss.h"
#include "r1/util/error.h"
#include "r1/util/log.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <chrono>

namespace r1::train {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kNoiseStream = 0x6e6f697365ULL;  // "noise"

/// What the base directory gives the rows: its template and its end-of-sequence id.
struct SftInputs {
    tokenizer::ChatTemplate chat;
    int64_t eos = 0;
};

class SftSteps : public StageSteps {
  public:
    SftSteps(const SftOptions& o, const model::ModelDir& base);

    torch::nn::Module& module() override { return *model_; }

    torch::optim::Optimizer& optimizer() override { return *optimizer_; }

    std::vector<model::Moe> moe_layers() override { return model_->model->moe_layers(); }

    nlohmann::json step(int64_t step) override;

    nlohmann::json resume_state() const override {
        return {{"loader", data::to_json(loader_.state())}};
    }

    void restore(const nlohmann::json& state) override {
        loader_.restore(data::cursor_state_from_json(state.at("loader")));
    }

    void save_final(const std::filesystem::path& dir) override {
        model::save_model_dir(dir, model_,
                              {.source = std::filesystem::path(options_.init.checkpoint),
                               .chat_template = template_jinja_});
    }

    int64_t total_steps() const override { return total_steps_; }

  private:
    SftSteps(const SftOptions& o, const model::ModelDir& base, const SftInputs& in);
    LossTally run_rows(const SftDataset& set,
                       const std::vector<int64_t>& rows,
                       int64_t step,
                       bool grad);
    nlohmann::json evaluate();

    const SftOptions& options_;
    std::string template_jinja_;  // what the rows were rendered with, saved with the model
    model::CausalLm model_{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    SftDatasets data_;
    data::Loader loader_;
    int64_t pad_id_ = 0;
    int64_t total_steps_ = 0;
};

// Read once, in the order their errors have always come: the template, then the tokenizer, then
// the end-of-sequence token.
SftInputs inputs_of(const SftOptions& o, const model::ModelDir& base) {
    const auto& p = o.data.prompt;
    auto chat = model::chat_template_for(base, p.chat_template, p.templates, p.prefilled_think);
    if (!base.tokenizer) {
        throw util::IoError(o.init.checkpoint + ": no tokenizer.json in the model directory");
    }
    const auto eos = model::eos_token_ids(base);
    if (eos.empty()) {
        throw util::ConfigError(o.init.checkpoint +
                                ": no end-of-sequence token (config.json eos_token_id, or a "
                                "known special token in tokenizer.json)");
    }
    return {std::move(chat), eos.front()};
}

SftDatasets load_data(const SftOptions& o, const model::ModelDir& base, const SftInputs& in) {
    const auto renderer = make_sft_renderer(in.chat, o.loss.completion_only);
    auto data =
        load_sft_datasets(o.data, *base.tokenizer, renderer, in.eos, static_cast<uint64_t>(o.seed));
    log::info("sft: ", data.train.documents.size(), " training documents in ",
              data.train.rows.size(), " rows, ", data.eval.documents.size(), " held out; ",
              data.train.truncated_documents, " cut to ", o.data.max_length, " tokens (",
              data.train.truncated_tokens, " tokens lost)");
    return data;
}

SftSteps::SftSteps(const SftOptions& o, const model::ModelDir& base)
    : SftSteps(o, base, inputs_of(o, base)) {}

SftSteps::SftSteps(const SftOptions& o, const model::ModelDir& base, const SftInputs& in)
    : options_(o),
      template_jinja_(in.chat.to_jinja()),
      model_(base.model),
      data_(load_data(o, base, in)),
      loader_(static_cast<int64_t>(data_.train.rows.size()), static_cast<uint64_t>(o.seed)),
      pad_id_(in.eos) {
    if (o.precision == model::Precision::fp8) {
        model::set_linear_mode(*model_, model::LinearMode::fp8_train);
    }
    optimizer_ = make_adamw(model_->parameters(), o.optim);
    total_steps_ = stage_total_steps(static_cast<int64_t>(data_.train.rows.size()),
                                     o.batch.batch_size, o.epochs, o.max_steps);
    model_->train();
}

LossTally SftSteps::run_rows(const SftDataset& set,
                             const std::vector<int64_t>& rows,
                             int64_t step,
                             bool grad) {
    const MicroBatchOptions micro{.micro_batch_size = options_.batch.micro_batch_size,
                                  .pad_id = pad_id_,
                                  .packed = options_.data.packing == Packing::bfd,
                                  .normalize = options_.loss.normalize};
    LossTally sums;
    uint64_t index = 0;
    for (const auto& [batch, weights] : micro_batches(set, rows, micro)) {
        const auto noise = util::make_generator(
            util::derive_seed(static_cast<uint64_t>(options_.seed),
                              {kNoiseStream, static_cast<uint64_t>(step), index++}));
        auto out = model_->forward(batch.input_ids, batch.attention_mask,
                                   {.autocast = options_.precision == model::Precision::bf16,
                                    .position_ids = batch.position_ids,
                                    .neftune_alpha = grad ? options_.loss.neftune_alpha : 0.0,
                                    .noise = noise});
        const auto loss = next_token_loss(out.logits, batch.input_ids, weights);
        if (grad) {
            loss.loss.backward();
        }
        sums.add(loss, batch.attention_mask.sum().item<int64_t>());
    }
    return sums;
}

nlohmann::json SftSteps::step(int64_t step) {
    const auto t0 = Clock::now();
    const auto rows = loader_.next_batch(options_.batch.batch_size);
    optimizer_->zero_grad();
    const LossTally sums = run_rows(data_.train, rows, step, true);
    const double grad_norm = clip_gradients(model_->parameters(), options_.optim.max_grad_norm);
    const double lr = learning_rate(options_.optim, step, total_steps_);
    set_learning_rate(*optimizer_, lr);
    optimizer_->step();
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    nlohmann::json m = {{"loss", sums.loss},
                        {"token_accuracy", sums.accuracy()},
                        {"lr", lr},
                        {"grad_norm", grad_norm},
                        {"tokens/trained", sums.count},
                        {"perf/train_tokens_per_s", static_cast<double>(sums.tokens) / seconds},
                        {"epoch", static_cast<double>(loader_.state().epoch) +
                                      static_cast<double>(loader_.state().position) /
                                          static_cast<double>(data_.train.rows.size())}};
    if (step == 0) {
        m["data/truncated_documents"] = data_.train.truncated_documents;
        m["data/truncated_tokens"] = data_.train.truncated_tokens;
    }
    if (eval_due(step, options_.eval.every, total_steps_)) {
        m.update(evaluate());
    }
    return m;
}

/// The held-out loss as a token mean over the whole split, and its token accuracy.
nlohmann::json SftSteps::evaluate() {
    const auto size = static_cast<int64_t>(data_.eval.rows.size());
    return evaluate_held_out(
        *model_, size, [&](const std::vector<int64_t>& rows) -> nlohmann::json {
            const LossTally sums = run_rows(data_.eval, rows, 0, false);
            return {{"eval/loss", sums.mean_nll()}, {"eval/token_accuracy", sums.accuracy()}};
        });
}

}  // namespace

LoopResult run_sft(const SftOptions& o, const std::string& resolved_yaml) {
    return run_stage_loop(
        loop_options("sft", o, o.moe.bias_update_gamma), resolved_yaml, [&o](const io::RunDir&) {
            return std::make_unique<SftSteps>(o, model::load_model_dir(o.init.checkpoint));
        });
}

}  // namespace r1::train
