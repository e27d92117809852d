#include "r1/train/pretrain.h"

#include "r1/model/causal_lm.h"
#include "r1/model/model_dir.h"
#include "r1/model/mtp.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/train/optimizer.h"
#include "r1/train/schedule.h"
#include "r1/train/step_loop.h"
#include "r1/util/error.h"
#include "r1/util/log.h"
#include "r1/util/str.h"

#include <torch/nn/functional/loss.h>

#include <chrono>

namespace r1::train {
namespace {

using Clock = std::chrono::steady_clock;

struct Batch {
    at::Tensor ids;   // [B, T] int64
    at::Tensor mask;  // [B, T] int64 1/0
};

/// Documents [first, first + B) of the corpus, each followed by EOS, cut to max_length.
Batch make_batch(const data::Corpus& corpus,
                 const tokenizer::Tokenizer& tok,
                 int64_t eos,
                 int64_t first,
                 const PretrainOptions& o) {
    std::vector<std::vector<tokenizer::TokenId>> docs;
    int64_t T = 1;
    for (int64_t b = 0; b < o.batch_size; ++b) {
        auto ids = tok.encode(corpus.document(static_cast<uint64_t>(first + b)));
        ids.push_back(static_cast<tokenizer::TokenId>(eos));
        if (static_cast<int64_t>(ids.size()) > o.max_length) {
            ids.resize(static_cast<size_t>(o.max_length));
        }
        T = std::max<int64_t>(T, static_cast<int64_t>(ids.size()));
        docs.push_back(std::move(ids));
    }
    Batch batch{torch::full({o.batch_size, T}, eos, torch::kInt64),
                torch::zeros({o.batch_size, T}, torch::kInt64)};
    for (int64_t b = 0; b < o.batch_size; ++b) {
        const auto n = static_cast<int64_t>(docs[b].size());
        batch.ids[b].slice(0, 0, n).copy_(
            torch::tensor(std::vector<int64_t>(docs[b].begin(), docs[b].end()), torch::kInt64));
        batch.mask[b].slice(0, 0, n).fill_(1);
    }
    return batch;
}

/// Mean next-token cross-entropy over the positions whose target is a real token.
at::Tensor lm_loss(const at::Tensor& logits, const Batch& batch) {
    const int64_t V = logits.size(-1);
    auto targets = batch.ids.slice(1, 1).masked_fill(batch.mask.slice(1, 1) == 0, -100);
    return torch::nn::functional::cross_entropy(
        logits.slice(1, 0, -1).reshape({-1, V}), targets.reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
}

}  // namespace

void visit(config::Visitor& v, PretrainModelOptions& o) {
    v.field("config", o.config, "config.json of the architecture (weights start random)")
        .required();
    v.field("special_tokens", o.special_tokens,
            "special tokens of the byte-level tokenizer; the first ends documents (EOS)");
    v.field("mtp_lambda", o.mtp_lambda, "weight of the multi-token-prediction loss")
        .range(0.0, 10.0);
    v.field("balance_alpha", o.balance_alpha, "sequence-wise balance loss weight").range(0.0, 1.0);
    v.field("bias_update_gamma", o.bias_update_gamma, "aux-loss-free bias update speed; 0 is off")
        .range(0.0, 1.0);
}

void visit(config::Visitor& v, PretrainOptions& o) {
    v.field("stage", o.stage, "must be pretrain");
    v.field("seed", o.seed, "run seed: initial weights and the corpus stream").min(0);
    v.field("run_dir", o.run_dir, "where config.yaml, log.txt, metrics and checkpoints go");
    v.field("max_steps", o.max_steps, "optimizer steps").min(1);
    v.field("batch_size", o.batch_size, "documents per optimizer step").min(1);
    v.field("max_length", o.max_length, "tokens per document at most").min(2);
    v.field(
        "precision", o.precision,
        "GEMM precision: float32, bf16 (autocast) or fp8 (FP8 Fprop/Dgrad/Wgrad, float32 masters)");
    v.section("model", o.model, "the architecture and its training losses");
    v.section("corpus", o.corpus, "the built-in synthetic corpus");
    v.section("prompt", o.prompt, "how each document's prompt is rendered");
    v.section("optim", o.optim, "optimizer and learning-rate schedule");
    v.section("log", o.log, "logging cadence");
    v.section("checkpoint", o.checkpoint, "checkpoint cadence");
}

void validate(const PretrainOptions& o) {
    if (o.stage != "pretrain") {
        throw util::ConfigError(
            util::str("key 'stage': this is a pretrain config, got '", o.stage, "'"));
    }
    if (o.prompt.chat_template == tokenizer::Template::model) {
        throw util::ConfigError(
            "key 'prompt.template': pretraining starts from no model directory to take a template "
            "from; choose r1_zero, qwen_math, chat or plain");
    }
    if (o.model.special_tokens.empty()) {
        throw util::ConfigError(
            "key 'model.special_tokens': at least one (the EOS token) is needed");
    }
    validate(o.optim);
}

namespace {

/// Pretraining as a stage of the loop: documents of the built-in corpus, next-token loss plus the
/// MTP and balance losses.
class PretrainSteps : public StageSteps {
  public:
    explicit PretrainSteps(const PretrainOptions& o)
        : options_(o),
          model_options_(model::load_model_options(o.model.config)),
          tok_(tokenizer::Tokenizer::bytes(o.model.special_tokens)),
          corpus_(o.corpus, o.prompt.make(), static_cast<uint64_t>(o.seed)) {
        if (model_options_.vocab_size < tok_.vocab_size()) {
            throw util::ConfigError(
                util::str(o.model.config, ": vocab_size (", model_options_.vocab_size,
                          ") is smaller than the byte tokenizer's ", tok_.vocab_size()));
        }
        eos_ = *tok_.token_to_id(o.model.special_tokens.front());
        lm_ = model::CausalLm(model_options_);  // random weights from the seeded global generator
        lm_->set_balance_loss_alpha(o.model.balance_alpha);
        if (o.precision == model::Precision::fp8) {
            const int64_t n = model::set_linear_mode(*lm_, model::LinearMode::fp8_train);
            log::info("pretrain: ", n, " linear layers train with FP8 GEMMs (docs/fp8.md)");
        }
        optimizer_ = make_adamw(lm_->parameters(), o.optim);
        mtp_ = o.model.mtp_lambda > 0 && model_options_.is_deepseek() &&
               model_options_.num_nextn_predict_layers > 0;
        lm_->train();
    }

    torch::nn::Module& module() override { return *lm_; }

    torch::optim::Optimizer& optimizer() override { return *optimizer_; }

    std::vector<model::Moe> moe_layers() override { return lm_->model->moe_layers(); }

    int64_t total_steps() const override { return options_.max_steps; }

    nlohmann::json step(int64_t step) override {
        const auto t0 = Clock::now();
        const Batch batch = make_batch(corpus_, tok_, eos_, step * options_.batch_size, options_);
        auto out =
            lm_->forward(batch.ids, batch.mask,
                         {.mtp = mtp_, .autocast = options_.precision == model::Precision::bf16});
        out.logits = out.logits.to(at::kFloat);  // bf16 logits under autocast: the loss in float32
        for (auto& logits : out.mtp_logits) {
            logits = logits.to(at::kFloat);
        }
        const auto loss = lm_loss(out.logits, batch);
        auto total = loss;
        at::Tensor mtp_loss;
        if (mtp_) {
            mtp_loss =
                model::mtp_loss(out.mtp_logits, batch.ids, batch.mask, options_.model.mtp_lambda);
            total = total + mtp_loss;
        }
        if (out.aux_loss.defined()) {
            total = total + out.aux_loss;
        }
        optimizer_->zero_grad();
        total.backward();
        const double grad_norm = clip_gradients(lm_->parameters(), options_.optim.max_grad_norm);
        const double lr = learning_rate(options_.optim, step, options_.max_steps);
        set_learning_rate(*optimizer_, lr);
        optimizer_->step();
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        nlohmann::json row = {
            {"loss", loss.item<double>()},
            {"lr", lr},
            {"grad_norm", grad_norm},
            {"perf/train_tokens_per_s", batch.mask.sum().item<double>() / seconds}};
        if (mtp_) {
            row["loss/mtp"] = mtp_loss.item<double>();
        }
        return row;
    }

    void save_final(const std::filesystem::path& dir) override {
        // a config.json's directory is a source: its keys r1 does not model (eos_token_id) are kept
        const std::filesystem::path config_path(options_.model.config);
        const auto source = config_path.filename() == "config.json"
                                ? std::optional(config_path.parent_path())
                                : std::nullopt;
        model::save_model_dir(
            dir, lm_,
            {.source = source,
             .tokenizer_json = tokenizer::Tokenizer::bytes_json(options_.model.special_tokens),
             .chat_template =
                 options_.prompt.make().to_jinja()});  // documents open with this prompt
    }

  private:
    const PretrainOptions& options_;
    model::ModelOptions model_options_;
    tokenizer::Tokenizer tok_;
    data::Corpus corpus_;
    int64_t eos_ = 0;
    model::CausalLm lm_{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    bool mtp_ = false;
};

}  // namespace

PretrainResult run_pretrain(const PretrainOptions& o, const std::string& resolved_yaml) {
    const auto loop = loop_options("pretrain", o, o.model.bias_update_gamma);
    const auto r = run_stage_loop(loop, resolved_yaml, [&o](const io::RunDir&) {
        return std::make_unique<PretrainSteps>(o);
    });
    const double loss = r.last_metrics.value("loss", 0.0);
    return {.steps = r.steps,
            .interrupted = r.interrupted,
            .final_model = r.final_model,
            .final_loss = loss};
}

}  // namespace r1::train
