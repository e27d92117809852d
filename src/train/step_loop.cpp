#include "r1/train/step_loop.h"

#include "r1/io/checkpoint.h"
#include "r1/model/balance.h"
#include "r1/train/metrics.h"
#include "r1/train/train_state.h"
#include "r1/util/interrupt.h"
#include "r1/util/log.h"
#include "r1/util/progress.h"

#include <torch/csrc/autograd/grad_mode.h>
#include <torch/utils.h>

#include <chrono>
#include <numeric>
#include <optional>

namespace r1::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// The step's expert-load statistic, then the bias step (gamma > 0) or a plain reset, so that the
/// next step's load is its own. Every stage does this, so that no stage forgets to (grpo-spec §7).
void balance_experts(std::vector<model::Moe> moes, double gamma, nlohmann::json& metrics) {
    if (moes.empty()) {
        return;
    }
    double balance = 0;
    for (auto& moe : moes) {
        balance += model::max_over_mean_load(moe->expert_load());
        if (gamma > 0) {
            model::update_expert_bias(*moe, gamma);  // resets the load
        } else {
            moe->reset_expert_load();
        }
    }
    metrics["moe/max_over_mean_load"] = balance / static_cast<double>(moes.size());
}

class Loop {
  public:
    Loop(const LoopOptions& options, const io::RunDir& run_dir, StageSteps& stage)
        : options_(options),
          run_dir_(run_dir),
          stage_(stage),
          checkpointer_(run_dir.checkpoints(), options.checkpoint.keep) {}

    LoopResult run();

  private:
    void resume();
    void save_checkpoint();
    bool checkpoint_due() const;

    const LoopOptions& options_;
    const io::RunDir& run_dir_;
    StageSteps& stage_;
    io::Checkpointer checkpointer_;
    std::optional<MetricsLog> metrics_;
    int64_t step_ = 0;
};

void Loop::resume() {
    if (const auto latest = checkpointer_.latest()) {
        const auto state = load_train_state(*latest, stage_.module(), stage_.optimizer());
        step_ = state.at("step").get<int64_t>();
        stage_.restore(state.value("stage", nlohmann::json::object()));
        log::info(options_.stage, ": resumed from ", latest->string(), " at step ", step_);
    }
    metrics_.emplace(run_dir_.metrics(), step_);
}

void Loop::save_checkpoint() {
    const nlohmann::json state = {
        {"step", step_}, {"seed", options_.seed}, {"stage", stage_.resume_state()}};
    checkpointer_.save(step_, [&](const fs::path& dir) {
        save_train_state(dir, stage_.module(), stage_.optimizer(), state);
    });
    log::info(options_.stage, ": checkpoint at step ", step_);
}

bool Loop::checkpoint_due() const {
    const int64_t every = options_.checkpoint.every;
    return util::interrupted() || (every > 0 && step_ % every == 0 && step_ < stage_.total_steps());
}

LoopResult Loop::run() {
    resume();
    LoopResult result{.run_dir = run_dir_.path().string()};
    util::ProgressBar progress(
        {.label = options_.stage, .total = stage_.total_steps(), .unit = "step"});
    progress.update(step_);
    while (step_ < stage_.total_steps()) {
        const auto t0 = Clock::now();
        auto metrics = stage_.step(step_);
        balance_experts(stage_.moe_layers(), options_.bias_update_gamma, metrics);
        ++step_;
        metrics["step"] = step_;
        metrics["time/step"] = std::chrono::duration<double>(Clock::now() - t0).count();
        if (step_ % options_.log.every == 0 || step_ == stage_.total_steps()) {
            metrics_->write(metrics);
        }
        result.last_metrics = metrics;
        progress.update(step_, stage_.status(metrics));
        if (checkpoint_due()) {
            save_checkpoint();
        }
        if (util::interrupted()) {
            result.steps = step_;
            result.interrupted = true;
            return result;
        }
    }
    progress.finish(stage_.status(result.last_metrics));
    result.steps = step_;
    result.final_model = (run_dir_.path() / "final").string();
    stage_.save_final(result.final_model);
    log::info(options_.stage, ": final model in ", result.final_model);
    return result;
}

}  // namespace

std::string StageSteps::status(const nlohmann::json& metrics) const {
    const auto loss = metrics.find("loss");
    return loss != metrics.end() && loss->is_number()
               ? util::str("loss ", util::fixed(loss->get<double>(), 4))
               : std::string();
}

nlohmann::json to_json(const LoopResult& r) {
    nlohmann::json out = {{"model", r.final_model},
                          {"interrupted", r.interrupted},
                          {"steps", r.steps},
                          {"run_dir", r.run_dir}};
    if (const auto loss = r.last_metrics.find("loss");
        loss != r.last_metrics.end() && loss->is_number()) {
        out["final_loss"] = *loss;
    }
    return out;
}

bool eval_due(int64_t step, int64_t every, int64_t total) {
    return every > 0 && ((step + 1) % every == 0 || step + 1 == total);
}

nlohmann::json evaluate_held_out(
    torch::nn::Module& module,
    int64_t size,
    const std::function<nlohmann::json(const std::vector<int64_t>&)>& fn) {
    if (size == 0) {
        return nlohmann::json::object();
    }
    torch::NoGradGuard no_grad;
    module.eval();
    std::vector<int64_t> rows(static_cast<size_t>(size));
    std::iota(rows.begin(), rows.end(), 0);
    auto out = fn(rows);
    module.train();
    return out;
}

LoopResult run_stage_loop(const LoopOptions& options,
                          const std::string& resolved_yaml,
                          const MakeStage& make) {
    const auto run_dir = io::RunDir::create(options.run_dir, resolved_yaml);
    const log::FileScope log_file(run_dir.log().string());
    torch::manual_seed(static_cast<uint64_t>(options.seed));  // the one use of the global generator
    const auto stage = make(run_dir);
    return Loop(options, run_dir, *stage).run();
}

}  // namespace r1::train
