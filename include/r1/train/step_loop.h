// The run skeleton every training stage shares: the run directory and its log, the seed, resume
// from the newest checkpoint, metrics.jsonl, progress, periodic and Ctrl-C checkpoints, the MoE
// load statistics and routing-bias update, and the final model directory. A stage is its data,
// its loss and its metrics: it implements StageSteps and hands it to run_stage_loop().
#pragma once

#include "r1/io/run_dir.h"
#include "r1/model/moe.h"
#include "r1/train/options.h"

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace r1::train {

/// What a training stage brings to the loop.
class StageSteps {
  public:
    virtual ~StageSteps() = default;

    /// The module whose state a checkpoint holds, and its optimizer.
    virtual torch::nn::Module& module() = 0;
    virtual torch::optim::Optimizer& optimizer() = 0;
    /// The MoE layers whose expert load is logged (and whose bias moves when gamma > 0).
    virtual std::vector<model::Moe> moe_layers() = 0;

    /// Steps in the whole run (a stage may derive it from its data: epochs over rows).
    virtual int64_t total_steps() const = 0;

    /// Runs step `step` (0-based) and returns its metrics; the loop adds step, time and MoE load.
    virtual nlohmann::json step(int64_t step) = 0;

    /// What a checkpoint must hold beyond weights and optimizer (data cursors), and its restore.
    virtual nlohmann::json resume_state() const { return nlohmann::json::object(); }

    virtual void restore(const nlohmann::json& /*state*/) {}

    /// Writes the trained model as a model directory (atomically).
    virtual void save_final(const std::filesystem::path& dir) = 0;

    /// The progress bar's status text for a metrics row ("loss 1.234").
    virtual std::string status(const nlohmann::json& metrics) const;
};

struct LoopOptions {
    std::string stage;  // "sft": progress label and log prefix
    std::string run_dir;
    int64_t seed = 0;
    LogOptions log;
    CheckpointOptions checkpoint;
    /// DeepSeek-V3's auxiliary-loss-free bias speed (model-spec §3.3) after each step; 0: off.
    double bias_update_gamma = 0.0;
};

struct LoopResult {
    int64_t steps = 0;
    bool interrupted = false;
    std::string final_model;  // run_dir/final, empty when interrupted
    std::string run_dir;
    nlohmann::json last_metrics = nlohmann::json::object();
};

/// Whether step `step` (0-based) of `total` ends with a held-out evaluation: every `every` steps
/// and after the last; never when `every` is 0.
bool eval_due(int64_t step, int64_t every, int64_t total);

/// `fn` on the indices 0..size-1 of a held-out set, with gradients off and `module` in eval mode
/// (back in training mode after); an empty object when the set is empty.
nlohmann::json evaluate_held_out(
    torch::nn::Module& module,
    int64_t size,
    const std::function<nlohmann::json(const std::vector<int64_t>&)>& fn);

/// Steps of a stage over `rows` training rows: `max_steps` when set, else `epochs` passes of
/// `batch_size` rows (the last batch of a pass may be short).
inline int64_t stage_total_steps(int64_t rows,
                                 int64_t batch_size,
                                 int64_t epochs,
                                 int64_t max_steps) {
    return max_steps > 0 ? max_steps : epochs * ((rows + batch_size - 1) / batch_size);
}

/// The loop options of a stage's shared keys (run_dir, seed, log, checkpoint).
template <class StageOptions>
LoopOptions loop_options(std::string stage, const StageOptions& o, double bias_update_gamma) {
    return {.stage = std::move(stage),
            .run_dir = o.run_dir,
            .seed = o.seed,
            .log = o.log,
            .checkpoint = o.checkpoint,
            .bias_update_gamma = bias_update_gamma};
}

/// What a pipeline learns of a finished stage: {"model", "interrupted", "steps", "run_dir",
/// "final_loss" (the last step's "loss", when it has one)}.
nlohmann::json to_json(const LoopResult& result);

using MakeStage = std::function<std::unique_ptr<StageSteps>(const io::RunDir&)>;

/// Creates the run directory (config.yaml = `resolved_yaml`, log.txt), seeds the global generator
/// with options.seed, builds the stage with `make`, resumes it from the newest checkpoint, runs
/// its steps until total_steps() or Ctrl-C, and writes run_dir/final.
LoopResult run_stage_loop(const LoopOptions& options,
                          const std::string& resolved_yaml,
                          const MakeStage& make);

}  // namespace r1::train
