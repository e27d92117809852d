#include "r1/train/distill.h"

#include "r1/data/loader.h"
#include "r1/generation/engine.h"
#include "r1/model/causal_lm.h"
#include "r1/model/model_dir.h"
#include "r1/model/options.h"
#include "r1/train/optimizer.h"
#include "r1/train/schedule.h"
#include "r1/train/sft_dataset.h"
#include "r1/train/step_loop.h"
#include "r1/train/token_loss.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/log.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <chrono>
#include <numeric>

namespace r1::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kOnPolicyStream = 0x6f6e706f6cULL;  // "onpol"

/// Distillation compares distributions token by token: both models must split text alike.
void check_tokenizers(const tokenizer::Tokenizer& teacher,
                      const tokenizer::Tokenizer& student,
                      const std::string& teacher_dir,
                      const std::string& student_dir) {
    const int64_t n = std::min(teacher.vocab_size(), student.vocab_size());
    for (int64_t id = 0; id < n; ++id) {
        const std::vector<tokenizer::TokenId> one{static_cast<tokenizer::TokenId>(id)};
        const auto t = teacher.decode(one), s = student.decode(one);
        if (t != s) {
            throw util::ConfigError(
                util::str("the teacher's and the student's tokenizers differ at token ", id, ": '",
                          t, "' in ", teacher_dir, ", '", s, "' in ", student_dir,
                          "; distillation needs one tokenizer"));
        }
    }
    if (teacher.vocab_size() != student.vocab_size()) {
        throw util::ConfigError(util::str("the teacher's tokenizer has ", teacher.vocab_size(),
                                          " tokens (", teacher_dir, "), the student's ",
                                          student.vocab_size(), " (", student_dir, ")"));
    }
}

/// The divergence per position of two logit tensors [b, n, V] -> [b, n].
at::Tensor position_divergence(const at::Tensor& student,
                               const at::Tensor& teacher,
                               const DistillLossConfig& c,
                               int64_t top_k) {
    const DistillLossOptions options{
        .beta = c.beta, .temperature = c.temperature, .reduction = DistillReduction::none};
    if (top_k <= 0) {
        return distill_loss({.student_logits = student, .teacher_logits = teacher}, options)
            .sum(-1);
    }
    const auto logp = at::log_softmax(teacher.to(at::kFloat) / c.temperature, -1);
    const auto [values, indices] = logp.topk(std::min<int64_t>(top_k, logp.size(-1)), -1);
    return topk_distill_loss(
               {.student_logits = student, .teacher_logp = values, .teacher_indices = indices},
               options)
        .sum(-1);
}

class DistillSteps : public StageSteps {
  public:
    explicit DistillSteps(const DistillOptions& o);

    torch::nn::Module& module() override { return *student_; }

    torch::optim::Optimizer& optimizer() override { return *optimizer_; }

    std::vector<model::Moe> moe_layers() override { return student_->model->moe_layers(); }

    int64_t total_steps() const override { return total_steps_; }

    nlohmann::json step(int64_t step) override;

    nlohmann::json resume_state() const override {
        return {{"loader", data::to_json(loader_->state())}};
    }

    void restore(const nlohmann::json& state) override {
        loader_->restore(data::cursor_state_from_json(state.at("loader")));
    }

    void save_final(const fs::path& dir) override;

  private:
    void load_models();
    LossTally run(const SftDataset& set,
                  const std::vector<int64_t>& rows,
                  bool grad,
                  double nll_coef,
                  double& divergence);
    SftDataset sample(const std::vector<int64_t>& rows, int64_t step);
    nlohmann::json evaluate();

    const DistillOptions& options_;
    model::ModelDir teacher_;
    model::CausalLm student_{nullptr};
    std::string template_jinja_;  // the rows' template, saved with the student
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    std::optional<generation::Engine> engine_;
    SftDatasets data_;
    std::optional<data::Loader> loader_;
    std::vector<int64_t> eos_;
    int64_t total_steps_ = 0;
};

void DistillSteps::load_models() {
    teacher_ = model::load_model_dir(options_.teacher.model);
    teacher_.model->eval();
    for (auto& p : teacher_.model->parameters()) {
        p.set_requires_grad(false);
    }
    if (!teacher_.tokenizer) {
        throw util::IoError(options_.teacher.model +
                            ": no tokenizer.json in the teacher's directory");
    }
    if (!options_.student.checkpoint.empty()) {
        auto student = model::load_model_dir(options_.student.checkpoint);
        if (!student.tokenizer) {
            throw util::IoError(options_.student.checkpoint +
                                ": no tokenizer.json in the student's directory");
        }
        if (student.tokenizer_json != teacher_.tokenizer_json) {  // one file: one tokenizer
            check_tokenizers(*teacher_.tokenizer, *student.tokenizer, options_.teacher.model,
                             options_.student.checkpoint);
        }
        student_ = student.model;
    } else {
        student_ =
            model::CausalLm(model::load_model_options(options_.student.config));  // seeded init
    }
    eos_ = model::eos_token_ids(teacher_);
    if (eos_.empty()) {
        throw util::ConfigError(options_.teacher.model + ": no end-of-sequence token");
    }
}

DistillSteps::DistillSteps(const DistillOptions& o) : options_(o) {
    load_models();
    const auto& p = o.data.prompt;  // the teacher's template for `model`: the rows are its traces
    const auto chat =
        model::chat_template_for(teacher_, p.chat_template, p.templates, p.prefilled_think);
    template_jinja_ = chat.to_jinja();
    const auto renderer = make_sft_renderer(chat, o.loss.completion_only);
    data_ = load_sft_datasets(o.data, *teacher_.tokenizer, renderer, eos_.front(),
                              static_cast<uint64_t>(o.seed));
    loader_.emplace(static_cast<int64_t>(data_.train.rows.size()), static_cast<uint64_t>(o.seed));
    total_steps_ = stage_total_steps(static_cast<int64_t>(data_.train.rows.size()),
                                     o.batch.batch_size, o.epochs, o.max_steps);
    optimizer_ = make_adamw(student_->parameters(), o.optim);
    engine_.emplace(student_, teacher_.tokenizer);
    student_->train();
    log::info("distill: ", data_.train.documents.size(), " documents, teacher ", o.teacher.model,
              ", student ", o.student.checkpoint.empty() ? o.student.config : o.student.checkpoint);
}

LossTally DistillSteps::run(const SftDataset& set,
                            const std::vector<int64_t>& rows,
                            bool grad,
                            double nll_coef,
                            double& divergence) {
    const MicroBatchOptions micro{.micro_batch_size = options_.batch.micro_batch_size,
                                  .pad_id = eos_.front(),
                                  .packed = options_.data.packing == Packing::bfd,
                                  .normalize = options_.loss.normalize};
    LossTally tally;
    for (const auto& [batch, weights] : micro_batches(set, rows, micro)) {
        const model::ForwardOptions fwd{.position_ids = batch.position_ids};
        at::Tensor teacher_logits;
        {
            torch::NoGradGuard no_grad;
            teacher_logits =
                teacher_.model->forward(batch.input_ids, batch.attention_mask, fwd).logits;
        }
        const auto logits = student_->forward(batch.input_ids, batch.attention_mask, fwd).logits;
        const int64_t V =
            std::min(logits.size(-1), teacher_logits.size(-1));  // padded vocabularies
        const auto div =
            position_divergence(logits.slice(1, 0, -1).slice(2, 0, V),
                                teacher_logits.slice(1, 0, -1).slice(2, 0, V), options_.loss,
                                options_.teacher.top_k);  // [b, S-1]
        const auto w = weights.slice(1, 1).to(div.scalar_type());
        const auto kd = (div * w).sum();
        // With no NLL term its value is still reported, but no [N, V] backward runs through it.
        auto nll =
            next_token_loss(nll_coef == 0.0 ? logits.detach() : logits, batch.input_ids, weights);
        divergence += kd.item<double>();
        const double kd_coef = options_.loss.distill_weight;
        nll.loss = nll_coef * nll.loss + kd_coef * kd;
        if (grad) {
            nll.loss.backward();
        }
        tally.add(nll, batch.attention_mask.sum().item<int64_t>());
    }
    return tally;
}

/// GKD's on-policy batch: the student completes each document's prompt (its untrained prefix);
/// the sampled tokens are what the teacher then scores.
SftDataset DistillSteps::sample(const std::vector<int64_t>& rows, int64_t step) {
    std::vector<std::vector<int64_t>> prompts;
    for (const int64_t r : rows) {
        for (const int64_t d : data_.train.rows[static_cast<size_t>(r)]) {
            const auto& doc = data_.train.documents[static_cast<size_t>(d)];
            size_t first = 1;
            while (first < doc.train.size() && doc.train[first] == 0) {
                ++first;
            }
            prompts.emplace_back(doc.ids.begin(), doc.ids.begin() + static_cast<int64_t>(first));
        }
    }
    const auto seed = util::derive_seed(static_cast<uint64_t>(options_.seed),
                                        {kOnPolicyStream, static_cast<uint64_t>(step)});
    const auto out = engine_->generate({.prompts = prompts,
                                        .sampling = options_.on_policy.sampling,
                                        .seed = seed,
                                        .eos_token_ids = eos_});
    SftDataset set;
    for (const auto& c : out) {
        SftDocument doc{.ids = prompts[static_cast<size_t>(c.prompt_index)]};
        doc.train.assign(doc.ids.size(), 0);
        for (const int64_t t : c.tokens) {
            doc.ids.push_back(t);
            doc.train.push_back(1);
        }
        const auto keep =
            static_cast<size_t>(std::min<int64_t>(options_.data.max_length, doc.ids.size()));
        doc.ids.resize(keep);
        doc.train.resize(keep);
        doc.trained_tokens = std::accumulate(doc.train.begin(), doc.train.end(), int64_t{0});
        set.rows.push_back({static_cast<int64_t>(set.documents.size())});
        set.documents.push_back(std::move(doc));
    }
    return set;
}

nlohmann::json DistillSteps::step(int64_t step) {
    const auto t0 = Clock::now();
    const auto rows = loader_->next_batch(options_.batch.batch_size);
    const auto coin = util::make_generator(util::derive_seed(
        static_cast<uint64_t>(options_.seed), {kOnPolicyStream, 0, static_cast<uint64_t>(step)}));
    const bool on_policy =
        options_.on_policy.fraction > 0 &&
        at::rand({1}, coin, at::kDouble).item<double>() < options_.on_policy.fraction;
    optimizer_->zero_grad();
    double divergence = 0;
    LossTally tally;
    if (on_policy) {  // no NLL on the student's own samples: they are no targets
        const auto set = sample(rows, step);
        std::vector<int64_t> all(set.rows.size());
        std::iota(all.begin(), all.end(), 0);
        tally = run(set, all, true, 0.0, divergence);
    } else {
        tally = run(data_.train, rows, true, 1.0 - options_.loss.distill_weight, divergence);
    }
    const double grad_norm = clip_gradients(student_->parameters(), options_.optim.max_grad_norm);
    const double lr = learning_rate(options_.optim, step, total_steps_);
    set_learning_rate(*optimizer_, lr);
    optimizer_->step();
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    nlohmann::json m = {{"loss", tally.loss},
                        {"loss/divergence", divergence},
                        {"loss/nll", tally.mean_nll()},
                        {"token_accuracy", tally.accuracy()},
                        {"on_policy", on_policy},
                        {"lr", lr},
                        {"grad_norm", grad_norm},
                        {"perf/train_tokens_per_s", static_cast<double>(tally.tokens) / seconds}};
    if (eval_due(step, options_.eval.every, total_steps_)) {
        m.update(evaluate());
    }
    return m;
}

/// Held-out divergence to the teacher and the student's NLL, token means over the split.
nlohmann::json DistillSteps::evaluate() {
    const auto size = static_cast<int64_t>(data_.eval.rows.size());
    return evaluate_held_out(
        *student_, size, [&](const std::vector<int64_t>& rows) -> nlohmann::json {
            double divergence = 0;
            const LossTally tally = run(data_.eval, rows, false, 0.0, divergence);
            return {{"eval/divergence", divergence},
                    {"eval/loss", tally.mean_nll()},
                    {"eval/token_accuracy", tally.accuracy()}};
        });
}

void DistillSteps::save_final(const fs::path& dir) {
    if (!options_.student.checkpoint.empty()) {
        model::save_model_dir(
            dir, student_,
            {.source = fs::path(options_.student.checkpoint), .chat_template = template_jinja_});
        return;
    }
    // from a config.json: its directory's keys are the student's; the tokenizer is the teacher's
    const fs::path config(options_.student.config);
    const auto source =
        config.filename() == "config.json" ? std::optional(config.parent_path()) : std::nullopt;
    model::save_model_dir(dir, student_,
                          {.source = source,
                           .tokenizer_json = teacher_.tokenizer_json,
                           .chat_template = template_jinja_});
}

}  // namespace

LoopResult run_distill(const DistillOptions& o, const std::string& resolved_yaml) {
    return run_stage_loop(loop_options("distill", o, o.moe.bias_update_gamma), resolved_yaml,
                          [&o](const io::RunDir&) { return std::make_unique<DistillSteps>(o); });
}

}  // namespace r1::train
