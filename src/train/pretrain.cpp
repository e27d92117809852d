#include "r1/train/pretrain.h"

#include "r1/io/checkpoint.h"
#include "r1/io/run_dir.h"
#include "r1/model/balance.h"
#include "r1/model/causal_lm.h"
#include "r1/model/mtp.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/train/metrics.h"
#include "r1/generation/model_dir.h"
#include "r1/train/optimizer.h"
#include "r1/train/train_state.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/interrupt.h"
#include "r1/util/log.h"
#include "r1/util/progress.h"
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
Batch make_batch(const Corpus& corpus,
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
    v.field("config", o.config, "config.json of the architecture (weights start random)").required();
    v.field("special_tokens", o.special_tokens,
            "special tokens of the byte-level tokenizer; the first ends documents (EOS)");
    v.field("mtp_lambda", o.mtp_lambda, "weight of the multi-token-prediction loss").range(0.0, 10.0);
    v.field("balance_alpha", o.balance_alpha, "sequence-wise balance loss weight").range(0.0, 1.0);
    v.field("bias_update_gamma", o.bias_update_gamma,
            "aux-loss-free bias update speed; 0 is off")
        .range(0.0, 1.0);
}

void visit(config::Visitor& v, PretrainOptions& o) {
    v.field("stage", o.stage, "must be pretrain");
    v.field("seed", o.seed, "run seed: initial weights and the corpus stream").min(0);
    v.field("run_dir", o.run_dir, "where config.yaml, log.txt, metrics and checkpoints go");
    v.field("max_steps", o.max_steps, "optimizer steps").min(1);
    v.field("batch_size", o.batch_size, "documents per optimizer step").min(1);
    v.field("max_length", o.max_length, "tokens per document at most").min(2);
    v.field("precision", o.precision,
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
        throw util::ConfigError(util::str("key 'stage': this is a pretrain config, got '", o.stage, "'"));
    }
    if (o.model.special_tokens.empty()) {
        throw util::ConfigError("key 'model.special_tokens': at least one (the EOS token) is needed");
    }
    validate(o.optim);
}

PretrainResult run_pretrain(const PretrainOptions& o, const std::string& resolved_yaml) {
    const auto run_dir = io::RunDir::create(o.run_dir, resolved_yaml);
    const log::FileScope log_file(run_dir.log().string());
    const auto options = model::load_model_options(o.model.config);
    const auto tok = tokenizer::Tokenizer::bytes(o.model.special_tokens);
    if (options.vocab_size < tok.vocab_size()) {
        throw util::ConfigError(util::str(o.model.config, ": vocab_size (", options.vocab_size,
                                          ") is smaller than the byte tokenizer's ", tok.vocab_size()));
    }
    const int64_t eos = *tok.token_to_id(o.model.special_tokens.front());
    torch::manual_seed(static_cast<uint64_t>(o.seed));  // the one use of the global generator
    model::CausalLm lm(options);
    lm->set_balance_loss_alpha(o.model.balance_alpha);
    if (o.precision == model::Precision::fp8) {
        const int64_t n = model::set_linear_mode(*lm, model::LinearMode::fp8_train);
        log::info("pretrain: ", n, " linear layers train with FP8 GEMMs (docs/fp8.md)");
    }
    auto optimizer = make_adamw(lm->parameters(), o.optim);
    const Corpus corpus(o.corpus, o.prompt.make(), static_cast<uint64_t>(o.seed));

    io::Checkpointer checkpointer(run_dir.checkpoints(), o.checkpoint.keep);
    int64_t step = 0;
    if (const auto latest = checkpointer.latest()) {
        step = load_train_state(*latest, *lm, *optimizer).at("step").get<int64_t>();
        log::info("pretrain: resumed from ", latest->string(), " at step ", step);
    }
    MetricsLog metrics(run_dir.metrics(), step);
    const bool mtp = o.model.mtp_lambda > 0 && options.is_deepseek() && options.num_nextn_predict_layers > 0;
    util::ProgressBar progress({.label = "pretrain", .total = o.max_steps, .unit = "step"});
    PretrainResult result;
    lm->train();
    for (; step < o.max_steps;) {
        const auto t0 = Clock::now();
        const Batch batch = make_batch(corpus, tok, eos, step * o.batch_size, o);
        auto out = lm->forward(batch.ids, batch.mask,
                               {.mtp = mtp, .autocast = o.precision == model::Precision::bf16});
        out.logits = out.logits.to(at::kFloat);  // bf16 logits under autocast: the loss in float32
        for (auto& logits : out.mtp_logits) {
            logits = logits.to(at::kFloat);
        }
        const auto loss = lm_loss(out.logits, batch);
        auto total = loss;
        at::Tensor mtp_loss;
        if (mtp) {
            mtp_loss = model::mtp_loss(out.mtp_logits, batch.ids, batch.mask, o.model.mtp_lambda);
            total = total + mtp_loss;
        }
        if (out.aux_loss.defined()) {
            total = total + out.aux_loss;
        }
        optimizer->zero_grad();
        total.backward();
        const double grad_norm = clip_gradients(lm->parameters(), o.optim.max_grad_norm);
        const double lr = scheduled_step(*optimizer, o.optim, step, o.max_steps);
        double balance = 0;
        auto moes = lm->model->moe_layers();
        for (auto& moe : moes) {
            balance += model::max_over_mean_load(moe->expert_load());
            if (o.model.bias_update_gamma > 0) {
                model::update_expert_bias(*moe, o.model.bias_update_gamma);  // resets the load
            } else {
                moe->reset_expert_load();
            }
        }
        ++step;
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        result.final_loss = loss.item<double>();
        nlohmann::json row = {{"step", step}, {"loss", result.final_loss}, {"lr", lr},
                              {"grad_norm", grad_norm}, {"time/step", seconds},
                              {"perf/train_tokens_per_s", batch.mask.sum().item<double>() / seconds}};
        if (mtp) {
            row["loss/mtp"] = mtp_loss.item<double>();
        }
        if (!moes.empty()) {
            row["moe/max_over_mean_load"] = balance / static_cast<double>(moes.size());
        }
        metrics.write(row);
        progress.update(step, util::str("loss ", util::fixed(result.final_loss, 4)));
        const bool save = util::interrupted() ||
                          (o.checkpoint.every > 0 && step % o.checkpoint.every == 0 && step < o.max_steps);
        if (save) {
            checkpointer.save(step, [&](const std::filesystem::path& dir) {
                save_train_state(dir, *lm, *optimizer, {{"step", step}, {"seed", o.seed}});
            });
        }
        if (util::interrupted()) {
            result.steps = step;
            result.interrupted = true;
            return result;
        }
    }
    progress.finish(util::str("loss ", util::fixed(result.final_loss, 4)));
    result.steps = step;
    result.final_model = (run_dir.path() / "final").string();
    // a config.json's directory is a source: its keys r1 does not model (eos_token_id) are kept
    const std::filesystem::path config_path(o.model.config);
    const auto source = config_path.filename() == "config.json"
                            ? std::optional(config_path.parent_path())
                            : std::nullopt;
    generation::save_model_dir(result.final_model, lm, source,
                   tokenizer::Tokenizer::bytes_json(o.model.special_tokens));
    log::info("pretrain: final model in ", result.final_model, " (loss ", util::fixed(result.final_loss, 4), ")");
    return result;
}

}  // namespace r1::train
