// The rm stage's steps on the shared stage loop (train/reward_model.h): pairs per step in
// micro-batches of both sides, TRL's pairwise loss, held-out accuracy and margin.
#include "r1/train/reward_model.h"

#include "r1/data/loader.h"
#include "r1/train/optimizer.h"
#include "r1/train/pairwise_loss.h"
#include "r1/train/preference_data.h"
#include "r1/train/reward_model_dir.h"
#include "r1/train/schedule.h"
#include "r1/train/step_loop.h"
#include "r1/util/log.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

namespace r1::train {
namespace {

/// Pair-weighted sums over a step's (or the held-out set's) micro-batches: each micro-batch's
/// means enter with weight m / (pairs in the step), so the totals are means over all the pairs.
struct PairTally {
    double loss = 0, accuracy = 0, margin = 0, mean_reward = 0;
    double min_reward = std::numeric_limits<double>::infinity();
    double max_reward = -std::numeric_limits<double>::infinity();

    void add(const PairwiseLoss& l, double weight) {
        loss += l.loss.item<double>() * weight;
        accuracy += l.accuracy * weight;
        margin += l.margin * weight;
        mean_reward += l.mean_reward * weight;
        min_reward = std::min(min_reward, l.min_reward);
        max_reward = std::max(max_reward, l.max_reward);
    }
};

class RmSteps : public StageSteps {
  public:
    RmSteps(const RmOptions& o, RewardModelDir rm);

    torch::nn::Module& module() override { return *rm_.model; }

    torch::optim::Optimizer& optimizer() override { return *optimizer_; }

    std::vector<model::Moe> moe_layers() override { return rm_.model->moe_layers(); }

    int64_t total_steps() const override { return total_steps_; }

    nlohmann::json step(int64_t step) override;

    nlohmann::json resume_state() const override {
        return {{"loader", data::to_json(loader_.state())}};
    }

    void restore(const nlohmann::json& state) override {
        loader_.restore(data::cursor_state_from_json(state.at("loader")));
    }

    void save_final(const std::filesystem::path& dir) override {
        save_reward_model_dir(dir, *rm_.model, options_.init.checkpoint, *rm_.chat);
    }

    std::string status(const nlohmann::json& m) const override {
        return util::str("loss ", util::fixed(m.value("loss", 0.0), 4), " acc ",
                         util::fixed(m.value("accuracy", 0.0), 3));
    }

  private:
    PairTally run_pairs(const PreferenceSet& set, const std::vector<int64_t>& rows, bool grad);
    nlohmann::json evaluate();

    const RmOptions& options_;
    RewardModelDir rm_;
    PreferenceSets data_;
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    data::Loader loader_;
    int64_t total_steps_ = 0;
};

PreferenceSets load_data(const RmOptions& o, const RewardModelDir& rm) {
    auto data = load_preference_sets(o.data, rm.encoder(), static_cast<uint64_t>(o.seed));
    log::info("rm: ", data.train.pairs.size(), " training pairs, ", data.eval.pairs.size(),
              " held out; ", data.train.dropped + data.eval.dropped, " dropped as longer than ",
              o.data.max_length, " tokens (", data.train.dropped, " training, ", data.eval.dropped,
              " held out)");
    return data;
}

RmSteps::RmSteps(const RmOptions& o, RewardModelDir rm)
    : options_(o),
      rm_(std::move(rm)),
      data_(load_data(o, rm_)),
      optimizer_(make_adamw(rm_.model->parameters(), o.optim)),
      loader_(static_cast<int64_t>(data_.train.pairs.size()), static_cast<uint64_t>(o.seed)) {
    total_steps_ = stage_total_steps(static_cast<int64_t>(data_.train.pairs.size()),
                                     o.batch.batch_size, o.epochs, o.max_steps);
    rm_.model->train();
}

PairTally RmSteps::run_pairs(const PreferenceSet& set,
                             const std::vector<int64_t>& rows,
                             bool grad) {
    const auto micro = static_cast<size_t>(options_.batch.micro_batch_size);
    const int64_t pad = std::max<int64_t>(rm_.model->pad_token_id, 0);  // masked anyway
    PairTally tally;
    for (size_t b = 0; b < rows.size(); b += micro) {
        const std::vector<int64_t> part(
            rows.begin() + static_cast<int64_t>(b),
            rows.begin() + static_cast<int64_t>(std::min(rows.size(), b + micro)));
        const PairBatch batch = collate_pairs(set, part, pad);
        const at::Tensor rewards =
            rm_.model->forward(batch.input_ids, batch.attention_mask);  // [2m]
        const auto halves = rewards.chunk(2);
        const PairwiseLoss l =
            pairwise_loss({.chosen = halves[0], .rejected = halves[1], .margin = batch.margin},
                          {.center_rewards_coefficient = options_.loss.center_rewards_coefficient});
        // every term of the loss is a mean over pairs: weighting by m / pairs gives the step's mean
        const double weight = static_cast<double>(part.size()) / static_cast<double>(rows.size());
        if (grad) {
            (l.loss * weight).backward();
        }
        tally.add(l, weight);
    }
    return tally;
}

nlohmann::json RmSteps::step(int64_t step) {
    const auto rows = loader_.next_batch(options_.batch.batch_size);
    optimizer_->zero_grad();
    const PairTally t = run_pairs(data_.train, rows, true);
    const double grad_norm = clip_gradients(rm_.model->parameters(), options_.optim.max_grad_norm);
    const double lr = learning_rate(options_.optim, step, total_steps_);
    set_learning_rate(*optimizer_, lr);
    optimizer_->step();
    const auto pairs = static_cast<double>(data_.train.pairs.size());
    nlohmann::json m = {{"loss", t.loss},
                        {"accuracy", t.accuracy},
                        {"margin", t.margin},
                        {"reward/mean", t.mean_reward},
                        {"reward/min", t.min_reward},
                        {"reward/max", t.max_reward},
                        {"lr", lr},
                        {"grad_norm", grad_norm},
                        {"data/dropped_pairs", data_.train.dropped},
                        {"epoch", static_cast<double>(loader_.state().epoch) +
                                      static_cast<double>(loader_.state().position) / pairs}};
    if (eval_due(step, options_.eval.every, total_steps_)) {
        m.update(evaluate());
    }
    return m;
}

/// Accuracy, margin and loss over the whole held-out set.
nlohmann::json RmSteps::evaluate() {
    const auto size = static_cast<int64_t>(data_.eval.pairs.size());
    return evaluate_held_out(*rm_.model, size,
                             [&](const std::vector<int64_t>& rows) -> nlohmann::json {
                                 const PairTally t = run_pairs(data_.eval, rows, false);
                                 return {{"eval/accuracy", t.accuracy},
                                         {"eval/margin", t.margin},
                                         {"eval/loss", t.loss},
                                         {"eval/dropped_pairs", data_.eval.dropped}};
                             });
}

}  // namespace

LoopResult run_reward_model(const RmOptions& o, const std::string& resolved_yaml) {
    return run_stage_loop(
        loop_options("rm", o, o.moe.bias_update_gamma), resolved_yaml, [&o](const io::RunDir&) {
            auto rm = load_reward_model_dir(o.init.checkpoint);
            rm.set_prompt(o.data.prompt);  // the stage's template, saved with the model at the end
            return std::make_unique<RmSteps>(o, std::move(rm));
        });
}

}  // namespace r1::train
