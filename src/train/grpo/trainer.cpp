#include "r1/train/grpo/trainer.h"

#include "r1/data/prompt_set.h"
#include "r1/eval/evaluate.h"
#include "r1/generation/engine.h"
#include "r1/model/model_dir.h"
#include "r1/train/grpo/dynamic_sampling.h"
#include "r1/train/grpo/logprob.h"
#include "r1/train/grpo/loss.h"
#include "r1/train/grpo/rollout.h"
#include "r1/train/optimizer.h"
#include "r1/train/schedule.h"
#include "r1/train/step_loop.h"
#include "r1/util/error.h"
#include "r1/util/interrupt.h"
#include "r1/util/log.h"
#include "r1/util/rng.h"

#include <torch/nn/modules/container/any.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>
#include <optional>

namespace r1::train::grpo {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kRolloutStream = 0x726f6c6c6f7574ULL;  // "rollout"
constexpr uint64_t kEvalStream = 0x6576616cULL;           // "eval"

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

int64_t generation_batch(const GrpoOptions& o) {
    if (o.batch.generation_batch_size > 0) {
        return o.batch.generation_batch_size;
    }
    const int64_t prompts = o.dynamic_sampling.enable ? o.dynamic_sampling.gen_prompts_per_step
                                                      : o.batch.prompts_per_step;
    return prompts * o.batch.num_generations;
}

/// The rollout's completions, each mini-batch sorted by sequence length: micro-batches then pad
/// to their own longest sequence, not to the rollout's. The loss is a sum over micro-batches with
/// the mini-batch's normaliser, so the order changes no result beyond float summation order.
std::vector<int64_t> length_order(const Rollout& r, int64_t mini) {
    const auto N = static_cast<int64_t>(r.completions.size());
    std::vector<int64_t> order(static_cast<size_t>(N)), length(static_cast<size_t>(N));
    for (int64_t i = 0; i < N; ++i) {
        const auto& c = r.completions[static_cast<size_t>(i)];
        order[static_cast<size_t>(i)] = i;
        const auto& prompt = r.prompt_ids[static_cast<size_t>(c.prompt_index)];
        length[static_cast<size_t>(i)] = static_cast<int64_t>(prompt.size() + c.tokens.size());
    }
    for (int64_t m = 0; m < N; m += mini) {
        std::stable_sort(order.begin() + m, order.begin() + std::min(N, m + mini),
                         [&length](int64_t a, int64_t b) {
                             return length[static_cast<size_t>(a)] < length[static_cast<size_t>(b)];
                         });
    }
    return order;
}

/// What one update (mu passes over the rollout) measured, averaged over its optimizer steps.
struct UpdateStats {
    double loss = 0, pg_loss = 0, kl = 0, entropy = 0;
    double clip_low = 0, clip_high = 0, clip_region = 0, ratio_mean = 0;
    double grad_norm = 0, lr = 0;
    int64_t optimizer_steps = 0;
    int64_t tokens = 0;
    double seconds = 0;
};

/// GRPO as a stage of the loop: one step is a rollout, its rewards and advantages, then the
/// update's optimizer steps (grpo-spec §1).
class Trainer : public StageSteps {
  public:
    Trainer(const GrpoOptions& options, const io::RunDir& run_dir);

    torch::nn::Module& module() override { return *policy_; }

    torch::optim::Optimizer& optimizer() override { return *optimizer_; }

    std::vector<model::Moe> moe_layers() override { return policy_->model->moe_layers(); }

    int64_t total_steps() const override { return options_.max_steps; }

    nlohmann::json step(int64_t step) override;

    nlohmann::json resume_state() const override { return {{"prompt_cursor", prompts_.seen()}}; }

    void restore(const nlohmann::json& state) override {
        prompts_.restore(state.value("prompt_cursor", int64_t{0}));
    }

    void save_final(const std::filesystem::path& dir) override;
    std::string status(const nlohmann::json& m) const override;

  private:
    Rollout next_rollout(uint64_t seed);
    UpdateStats update(const Rollout& rollout);
    at::Tensor logprobs_no_grad(model::CausalLm& model, const SequenceBatch& batch);
    void micro_step(const SequenceBatch& micro,
                    const PolicyLossInput& base,
                    const LossNormalizer& norm,
                    UpdateStats& stats);
    nlohmann::json metrics(const Rollout& rollout, const UpdateStats& stats, double step_seconds);
    void write_completions(const Rollout& r);
    std::optional<nlohmann::json> maybe_evaluate(int64_t steps_done);
    void refresh_reference(int64_t steps_done);

    const GrpoOptions& options_;
    const io::RunDir& run_dir_;
    model::ModelDir base_;
    model::CausalLm policy_{nullptr};
    model::CausalLm reference_{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    std::optional<generation::Engine> engine_;
    std::optional<rewards::RewardSet> rewards_;
    tokenizer::ChatTemplate template_;
    data::PromptStream prompts_;  // the data position: prompts handed out so far
    std::vector<int64_t> eos_;
    int64_t step_ = 0;
    std::optional<std::vector<data::Sample>> held_out_;  // the in-run eval's problems, read once
};

Trainer::Trainer(const GrpoOptions& options, const io::RunDir& run_dir)
    : options_(options),
      run_dir_(run_dir),
      base_(model::load_model_dir(options.init.checkpoint)),
      template_(model::chat_template_for(
          base_, options.data.chat_template, options.data.templates, options.data.prefilled_think)),
      prompts_(data::PromptSet::from_options(options.data, data::Subset::train),
               static_cast<uint64_t>(options.seed)) {
    if (!base_.tokenizer) {
        throw util::IoError(options_.init.checkpoint +
                            ": no tokenizer.json in the model directory");
    }
    policy_ = base_.model;
    if (options_.kl.beta > 0) {  // beta = 0 loads no reference (grpo-spec §1.4)
        reference_ = std::dynamic_pointer_cast<model::CausalLmImpl>(policy_->clone());
        reference_->eval();
        for (auto& p : reference_->parameters()) {
            p.set_requires_grad(false);
        }
    }
    optimizer_ = make_adamw(policy_->parameters(), options_.optim);
    engine_.emplace(policy_, base_.tokenizer,
                    generation::EngineOptions{.max_batch_size = generation_batch(options_)});
    rewards_.emplace(options_.rewards);
    // an unknown metric fails now, not after the first rollout
    if (options_.dynamic_sampling.enable) {
        metric_column(rewards_->names(), options_.dynamic_sampling.metric);
    }
    eos_ = model::eos_token_ids(base_);
}

/// B groups for one step. With dynamic sampling: batches of gen_prompts_per_step prompts, each
/// from its own seed, until B groups carry a signal; the surplus is dropped (as verl does).
Rollout Trainer::next_rollout(uint64_t seed) {
    const eval::RowScorer scorer{*engine_, *base_.tokenizer, template_, *rewards_, eos_};
    const int64_t B = options_.batch.prompts_per_step, G = options_.batch.num_generations;
    const auto& ds = options_.dynamic_sampling;
    if (!ds.enable) {
        return make_rollout(scorer, prompts_.next(B), options_, seed);
    }
    std::deque<Rollout> batches;  // a deque: GroupRefs point into it while it grows
    std::vector<GroupRef> kept;
    // generated, but no group kept: gather_groups misses them
    std::vector<const Rollout*> all_flat;
    for (int64_t k = 0; static_cast<int64_t>(kept.size()) < B; ++k) {
        if (ds.max_gen_batches > 0 && k == ds.max_gen_batches) {
            throw util::Error(
                util::str("dynamic sampling: only ", kept.size(), " of ", B, " groups had a ",
                          ds.metric, " std above ", ds.tol, " after ", k, " generation batches of ",
                          ds.gen_prompts_per_step, " prompts (step ", step_ + 1,
                          "); raise dynamic_sampling.max_gen_batches or check the rewards"));
        }
        const uint64_t batch_seed =
            k == 0 ? seed : util::derive_seed(seed, {static_cast<uint64_t>(k)});
        Rollout& r = batches.emplace_back(
            make_rollout(scorer, prompts_.next(ds.gen_prompts_per_step), options_, batch_seed));
        const auto groups = informative_groups(r, ds, G);
        r.flat_groups = r.generated_groups - static_cast<int64_t>(groups.size());
        for (int64_t g : groups) {
            kept.push_back({&r, g});
        }
        if (groups.empty()) {
            all_flat.push_back(&r);
        }
    }
    kept.resize(static_cast<size_t>(B));
    Rollout out = gather_groups(kept, options_);
    for (const Rollout* r : all_flat) {
        add_generation_costs(out, *r);
    }
    return out;
}

at::Tensor Trainer::logprobs_no_grad(model::CausalLm& model, const SequenceBatch& batch) {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> parts;
    const int64_t micro = options_.batch.micro_batch_size;
    const int64_t L = batch.completion_ids.size(1);
    for (int64_t b = 0; b < batch.size(); b += micro) {
        const auto part = batch.slice(b, std::min(b + micro, batch.size()));
        auto logp =
            completion_logprobs(model, part, {.temperature = options_.sampling.temperature}).logp;
        parts.push_back(torch::constant_pad_nd(logp, {0, L - logp.size(1)}));
    }
    return torch::cat(parts, 0);
}

void Trainer::micro_step(const SequenceBatch& micro,
                         const PolicyLossInput& base,
                         const LossNormalizer& norm,
                         UpdateStats& stats) {
    const int64_t L = micro.completion_ids.size(1);
    auto lp = completion_logprobs(policy_, micro,
                                  {.temperature = options_.sampling.temperature, .entropy = true});
    PolicyLossInput in{
        .logp = lp.logp,
        .old_logp = base.old_logp.defined() ? base.old_logp.slice(1, 0, L) : at::Tensor(),
        .ref_logp = base.ref_logp.defined() ? base.ref_logp.slice(1, 0, L) : at::Tensor(),
        .entropy = lp.entropy,
        .advantages = base.advantages,
        .mask = base.mask.slice(1, 0, L)};
    const PolicyLossConfig config{.clip = options_.clip,
                                  .kl = options_.kl,
                                  .loss = options_.loss,
                                  .max_completion_length = options_.sampling.max_completion_length};
    const auto out = policy_loss(in, config, norm);
    out.loss.backward();
    const double share = in.mask.sum().item<double>() / std::max(norm.tokens, 1.0);
    stats.loss += out.loss.item<double>();
    stats.pg_loss += out.pg_loss;
    stats.kl += out.kl * share;
    stats.entropy += out.entropy * share;
    stats.clip_low += out.clip_low_frac * share;
    stats.clip_high += out.clip_high_frac * share;
    stats.clip_region += out.clip_region_frac * share;
    stats.ratio_mean += out.ratio_mean * share;
    stats.tokens += micro.attention_mask.sum().item<int64_t>();
}

UpdateStats Trainer::update(const Rollout& r) {
    const auto t0 = Clock::now();
    const int64_t mini = options_.batch.mini_batch_size, micro = options_.batch.micro_batch_size;
    const auto order = length_order(r, mini);
    std::vector<std::vector<int64_t>> prompts, completions;
    for (int64_t i : order) {
        const auto& c = r.completions[static_cast<size_t>(i)];
        prompts.push_back(r.prompt_ids[static_cast<size_t>(c.prompt_index)]);
        completions.push_back(c.tokens);
    }
    const auto batch = make_sequence_batch(prompts, completions, eos_.empty() ? 0 : eos_[0]);
    const auto advantages = r.advantages.index_select(0, torch::tensor(order, torch::kInt64));
    auto mask = batch.completion_mask.clone();
    if (options_.truncation
            .mask_truncated) {  // after the advantages: they still count in their group
        for (size_t i = 0; i < order.size(); ++i) {
            if (r.truncated[static_cast<size_t>(order[i])]) {
                mask[static_cast<int64_t>(i)].zero_();
            }
        }
    }
    const int64_t N = batch.size();
    const bool off_policy = options_.batch.num_iterations > 1 || N > mini;
    const auto old_logp = off_policy ? logprobs_no_grad(policy_, batch) : at::Tensor();
    const auto ref_logp = reference_ ? logprobs_no_grad(reference_, batch) : at::Tensor();
    policy_->train();
    UpdateStats stats;
    const int64_t total_steps = options_.max_steps * options_.batch.num_iterations * (N / mini);
    for (int64_t pass = 0; pass < options_.batch.num_iterations; ++pass) {
        for (int64_t m = 0; m < N; m += mini) {
            optimizer_->zero_grad();
            const auto norm = loss_normalizer(mask.slice(0, m, m + mini));
            for (int64_t b = m; b < m + mini; b += micro) {
                const int64_t e = std::min(b + micro, m + mini);
                const PolicyLossInput base{
                    .old_logp = old_logp.defined() ? old_logp.slice(0, b, e) : at::Tensor(),
                    .ref_logp = ref_logp.defined() ? ref_logp.slice(0, b, e) : at::Tensor(),
                    .advantages = advantages.slice(0, b, e),
                    .mask = mask.slice(0, b, e)};
                micro_step(batch.slice(b, e), base, norm, stats);
            }
            stats.grad_norm += clip_gradients(policy_->parameters(), options_.optim.max_grad_norm);
            const int64_t k =
                step_ * options_.batch.num_iterations * (N / mini) + stats.optimizer_steps;
            stats.lr = learning_rate(options_.optim, k, total_steps);
            set_learning_rate(*optimizer_, stats.lr);
            optimizer_->step();
            ++stats.optimizer_steps;
        }
    }
    const double n = static_cast<double>(std::max<int64_t>(stats.optimizer_steps, 1));
    for (double* v : {&stats.loss, &stats.pg_loss, &stats.kl, &stats.entropy, &stats.clip_low,
                      &stats.clip_high, &stats.clip_region, &stats.ratio_mean, &stats.grad_norm}) {
        *v /= n;
    }
    stats.seconds = since(t0);
    return stats;
}

/// mean, min and max of completion lengths, over all or over those that ended by themselves.
void length_stats(const Rollout& r, nlohmann::json& m) {
    double sum = 0, tsum = 0;
    int64_t lo = INT64_MAX, hi = 0, tlo = INT64_MAX, thi = 0, tn = 0;
    for (size_t i = 0; i < r.completions.size(); ++i) {
        const auto n = static_cast<int64_t>(r.completions[i].tokens.size());
        sum += static_cast<double>(n);
        lo = std::min(lo, n);
        hi = std::max(hi, n);
        if (!r.truncated[i]) {
            tsum += static_cast<double>(n);
            tlo = std::min(tlo, n);
            thi = std::max(thi, n);
            ++tn;
        }
    }
    const auto N = static_cast<double>(std::max<size_t>(r.completions.size(), 1));
    m["completion_len/mean"] = sum / N;
    m["completion_len/min"] = lo == INT64_MAX ? 0 : lo;
    m["completion_len/max"] = hi;
    m["completion_len/terminated_mean"] = tn > 0 ? tsum / static_cast<double>(tn) : 0.0;
    m["completion_len/terminated_min"] = tn > 0 ? tlo : 0;
    m["completion_len/terminated_max"] = thi;
    m["completion/truncated_frac"] = static_cast<double>(r.completions.size() - tn) / N;
    m["completion_chars/mean"] = [&r, N] {
        double chars = 0;
        for (const auto& t : r.texts) {
            chars += static_cast<double>(t.size());
        }
        return chars / N;
    }();
}

nlohmann::json Trainer::metrics(const Rollout& rollout,
                                const UpdateStats& stats,
                                double step_seconds) {
    nlohmann::json row = {{"step", step_}};
    for (const auto& [name, value] : rollout.rewards.metrics()) {
        row[name] = value;
    }
    // accuracy as its own curve when a reward of that name runs (the R1 paper's first figure)
    if (row.contains("reward/accuracy/mean")) {
        row["accuracy"] = row["reward/accuracy/mean"];
    }
    row["frac_reward_zero_std"] = rollout.zero_std.to(torch::kFloat64).mean().item<double>();
    row["advantage/mean"] = rollout.advantages.mean().item<double>();
    row["advantage/std"] = rollout.advantages.std().item<double>();
    row["advantage/min"] = rollout.advantages.min().item<double>();
    row["advantage/max"] = rollout.advantages.max().item<double>();
    length_stats(rollout, row);
    row["loss/total"] = stats.loss;
    row["loss/pg"] = stats.pg_loss;
    row["kl"] = stats.kl;
    row["entropy"] = stats.entropy;
    row["clip/low_frac"] = stats.clip_low;
    row["clip/high_frac"] = stats.clip_high;
    row["clip/region_frac"] = stats.clip_region;
    row["ratio/mean"] = stats.ratio_mean;
    row["grad_norm"] = stats.grad_norm;
    row["lr"] = stats.lr;
    const auto& gen = engine_->last_stats();
    row["perf/gen_tokens_per_s"] =
        static_cast<double>(gen.generated_tokens) / std::max(rollout.generate_seconds, 1e-9);
    row["perf/train_tokens_per_s"] =
        static_cast<double>(stats.tokens) / std::max(stats.seconds, 1e-9);
    row["time/generate"] = rollout.generate_seconds;
    row["time/reward"] = rollout.reward_seconds;
    row["time/update"] = stats.seconds;
    row["time/step"] = step_seconds;
    row["prompts_seen"] = prompts_.seen();
    if (options_.dynamic_sampling.enable) {
        row["dynamic_sampling/generation_batches"] = rollout.generation_batches;
        row["dynamic_sampling/flat_frac"] =
            static_cast<double>(rollout.flat_groups) /
            static_cast<double>(std::max<int64_t>(rollout.generated_groups, 1));
    }
    return row;
}

void Trainer::write_completions(const Rollout& r) {
    std::ofstream out(run_dir_.completions(), std::ios::app);
    const int64_t G = options_.batch.num_generations;
    const auto total = r.rewards.total.contiguous();
    for (size_t i = 0; i < r.completions.size(); ++i) {
        nlohmann::json row = {{"step", step_},
                              {"prompt", r.samples[i / static_cast<size_t>(G)].prompt},
                              {"completion", r.texts[i]},
                              {"reward", total[static_cast<int64_t>(i)].item<double>()},
                              {"advantage", r.advantages[static_cast<int64_t>(i)].item<double>()},
                              {"length", r.completions[i].tokens.size()},
                              {"truncated", static_cast<bool>(r.truncated[i])}};
        for (size_t k = 0; k < r.rewards.stats.size(); ++k) {
            const double v =
                r.rewards.per_function[static_cast<int64_t>(i)][static_cast<int64_t>(k)]
                    .item<double>();
            row["rewards"][r.rewards.stats[k].name] =
                std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
        }
        out << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    for (int64_t i = 0;
         i < std::min<int64_t>(options_.log.num_completions_to_print, r.texts.size()); ++i) {
        log::info("step ", step_, " sample ", i, " (reward ", total[i].item<double>(),
                  "): ", r.texts[static_cast<size_t>(i)]);
    }
}

std::optional<nlohmann::json> Trainer::maybe_evaluate(int64_t steps_done) {
    if (options_.log.eval_every <= 0 || steps_done % options_.log.eval_every != 0) {
        return std::nullopt;
    }
    if (!held_out_) {
        const auto set = data::PromptSet::from_options(options_.data, data::Subset::eval);
        held_out_.emplace();
        for (int64_t i = 0; i < set.size().value_or(0); ++i) {
            held_out_->push_back(set.at(i));
        }
    }
    const auto& problems = *held_out_;
    if (problems.empty()) {
        return std::nullopt;
    }
    eval::Evaluator evaluator(*engine_, *base_.tokenizer, template_,
                              {{.name = "accuracy", .weight = 1.0}});
    const auto result = evaluator.run(
        problems, {.num_samples = options_.log.eval_samples,
                   .sampling = options_.sampling,
                   .seed = util::derive_seed(static_cast<uint64_t>(options_.seed), {kEvalStream}),
                   .eos_token_ids = eos_});
    return nlohmann::json{{"eval/pass@1", result.overall.pass_at_1},
                          {"eval/maj@k", result.overall.maj_at_k},
                          {"eval/mean_length", result.overall.mean_length}};
}

nlohmann::json Trainer::step(int64_t step) {
    step_ = step;
    const auto t0 = Clock::now();
    const uint64_t seed = util::derive_seed(static_cast<uint64_t>(options_.seed),
                                            {kRolloutStream, static_cast<uint64_t>(step)});
    const Rollout r = next_rollout(seed);
    const UpdateStats u = update(r);
    auto m = metrics(r, u, since(t0));
    if (options_.log.completions_every > 0 && step % options_.log.completions_every == 0) {
        write_completions(r);
    }
    refresh_reference(step + 1);
    if (auto e = maybe_evaluate(step + 1)) {
        m.update(*e);
    }
    return m;
}

/// TRL's sync_ref_model: every ref_update_every steps, ref <- alpha * policy + (1 - alpha) * ref.
void Trainer::refresh_reference(int64_t steps_done) {
    if (!reference_ || options_.kl.ref_update_every <= 0 ||
        steps_done % options_.kl.ref_update_every != 0) {
        return;
    }
    torch::NoGradGuard no_grad;
    const double alpha = options_.kl.ref_mixup_alpha;
    const auto policy = policy_->named_parameters();
    for (auto& ref : reference_->named_parameters()) {
        ref.value().mul_(1.0 - alpha).add_(policy[ref.key()], alpha);
    }
}

std::string Trainer::status(const nlohmann::json& m) const {
    return util::str("reward ", util::fixed(m.value("reward/mean", 0.0), 3), " len ",
                     util::fixed(m.value("completion_len/mean", 0.0), 1));
}

void Trainer::save_final(const std::filesystem::path& dir) {
    model::save_model_dir(dir, policy_,
                          {.source = std::filesystem::path(options_.init.checkpoint),
                           .chat_template = template_.to_jinja()});
}

}  // namespace

GrpoResult run_grpo(const GrpoOptions& options, const std::string& resolved_yaml) {
    const auto loop = loop_options("grpo", options, options.moe.bias_update_gamma);
    const auto r = run_stage_loop(loop, resolved_yaml, [&options](const io::RunDir& run_dir) {
        return std::make_unique<Trainer>(options, run_dir);
    });
    return {.steps = r.steps,
            .interrupted = r.interrupted,
            .final_model = r.final_model,
            .last_metrics = r.last_metrics};
}

}  // namespace r1::train::grpo
