#include "r1/train/grpo/options.h"

#include "r1/rewards/reward.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <algorithm>

namespace r1::train::grpo {

using util::ConfigError;
using util::str;

void visit(config::Visitor& v, InitOptions& o) {
    v.field("checkpoint", o.checkpoint, "model directory (Hugging Face layout) to start from")
        .required();
}

void visit(config::Visitor& v, BatchOptions& o) {
    v.field("prompts_per_step", o.prompts_per_step, "B: unique prompts per rollout").min(1);
    v.field("num_generations", o.num_generations, "G: completions sampled per prompt").min(2);
    v.field("mini_batch_size", o.mini_batch_size, "completions per optimizer step").min(1);
    v.field("micro_batch_size", o.micro_batch_size, "sequences per forward/backward").min(1);
    v.field("num_iterations", o.num_iterations, "mu: optimisation passes over one rollout").min(1);
    v.field("generation_batch_size", o.generation_batch_size,
            "sequences the engine decodes at once; 0: a whole rollout (or refill batch)")
        .min(0);
}

void visit(config::Visitor& v, AdvantageOptions& o) {
    v.field("estimator", o.estimator, "grpo: group mean baseline; rloo: leave-one-out");
    v.field("scale", o.scale,
            "divide by the group std (group), the batch std (batch) or not (none)");
    v.field("eps", o.eps, "added to the std before dividing").range(0.0, 1.0);
}

void visit(config::Visitor& v, ClipOptions& o) {
    v.field("eps_low", o.eps_low, "lower PPO clip: ratio >= 1 - eps_low").range(0.0, 1.0);
    v.field("eps_high", o.eps_high, "upper PPO clip: ratio <= 1 + eps_high").range(0.0, 100.0);
    v.field("dual_clip_c", o.dual_clip_c, "dual clip bound for negative advantages; null is off")
        .range(1.0, 1e6);
    v.field("ratio_level", o.ratio_level, "importance ratio per token, or per sequence (GSPO)");
}

void visit(config::Visitor& v, KlOptions& o) {
    v.field("beta", o.beta, "KL coefficient; 0 loads no reference model").range(0.0, 100.0);
    v.field("estimator", o.estimator, "KL estimator (k3: exp(d) - d - 1)");
    v.field("clamp", o.clamp, "clamp the log-ratio to [-20, 20] and k3 to [-10, 10]");
    v.field("ref_update_every", o.ref_update_every,
            "steps between reference refreshes (TRL's ref_model_sync_steps); 0 never")
        .min(0);
    v.field("ref_mixup_alpha", o.ref_mixup_alpha, "refresh: ref <- a*policy + (1-a)*ref")
        .range(0.0, 1.0);
}

void visit(config::Visitor& v, LossOptions& o) {
    v.field("agg", o.agg, "loss aggregation over tokens and sequences (grpo-spec 3.4)");
    v.field("dr_grpo_constant", o.dr_grpo_constant,
            "dr_grpo normaliser; null: max_completion_length")
        .min(1);
    v.field("entropy_coef", o.entropy_coef, "entropy bonus coefficient").range(0.0, 10.0);
}

void visit(config::Visitor& v, TruncationOptions& o) {
    v.field("mask_truncated", o.mask_truncated,
            "drop completions that hit the length limit from the loss");
    v.field("truncated_reward", o.truncated_reward,
            "reward given to truncated completions; null keeps it");
}

void visit(config::Visitor& v, DynamicSamplingOptions& o) {
    v.field("enable", o.enable, "drop groups whose rewards are all equal, and refill (DAPO)");
    v.field("metric", o.metric, "'reward' or a reward function's name");
    v.field("tol", o.tol, "a group with std <= tol counts as flat").range(0.0, 1.0);
    v.field("gen_prompts_per_step", o.gen_prompts_per_step, "prompts per refill batch").min(1);
    v.field("max_gen_batches", o.max_gen_batches,
            "refill batches before giving up; <= 0 unlimited");
}

void visit(config::Visitor& v, GrpoLogOptions& o) {
    visit(v, static_cast<LogOptions&>(o));
    v.field("completions_every", o.completions_every,
            "steps between completions.jsonl dumps; 0 never")
        .min(0);
    v.field("num_completions_to_print", o.num_completions_to_print,
            "samples shown on the console at each dump")
        .min(0);
    v.field("eval_every", o.eval_every, "steps between evaluations; 0 never").min(0);
    v.field("eval_samples", o.eval_samples, "samples per prompt in evaluations").min(1);
}

void visit(config::Visitor& v, GrpoOptions& o) {
    v.field("stage", o.stage, "must be grpo");
    v.field("seed", o.seed, "run seed; every random stream derives from it").min(0);
    v.field("run_dir", o.run_dir, "where config.yaml, log.txt, metrics and checkpoints go");
    v.field("max_steps", o.max_steps, "rollouts to train for").min(1);
    v.section("init", o.init, "the starting model");
    v.section("data", o.data, "prompts and template");
    v.section("sampling", o.sampling, "rollout sampling");
    v.section("batch", o.batch, "batch geometry (grpo-spec 1.1)");
    v.section("advantage", o.advantage, "group-relative advantages (grpo-spec 2)");
    v.section("clip", o.clip, "clipped surrogate (grpo-spec 3.1)");
    v.section("kl", o.kl, "KL penalty to the frozen reference (grpo-spec 3.2)");
    v.section("loss", o.loss, "loss aggregation and entropy (grpo-spec 3.3-3.4)");
    v.section("truncation", o.truncation, "completions that hit max_completion_length");
    v.section("dynamic_sampling", o.dynamic_sampling, "DAPO dynamic sampling (grpo-spec 4.2)");
    v.list("rewards", o.rewards, "reward functions, summed with their weights");
    v.section("optim", o.optim, "optimizer and learning-rate schedule");
    v.section("log", o.log, "logging cadence");
    v.section("checkpoint", o.checkpoint, "checkpoint cadence");
    v.section("moe", o.moe, "expert balancing during RL");
}

namespace {

std::string valid_mini_batch_sizes(int64_t n, int64_t g) {
    std::vector<std::string> valid;
    for (int64_t m = g; m <= n; m += g) {
        if (n % m == 0) {
            valid.push_back(std::to_string(m));
        }
    }
    return util::join(valid, ", ");
}

}  // namespace

void validate(const GrpoOptions& o) {
    if (o.stage != "grpo") {
        throw ConfigError(str("key 'stage': this is a grpo config, got '", o.stage, "'"));
    }
    const BatchOptions& b = o.batch;
    const int64_t n = b.prompts_per_step * b.num_generations;
    if (b.mini_batch_size % b.num_generations != 0 || n % b.mini_batch_size != 0) {
        throw ConfigError(str("batch.mini_batch_size (", b.mini_batch_size,
                              ") must be a multiple of batch.num_generations (", b.num_generations,
                              ") and divide the rollout (prompts_per_step x num_generations = ", n,
                              "); valid values: ", valid_mini_batch_sizes(n, b.num_generations)));
    }
    if (b.mini_batch_size % b.micro_batch_size != 0) {
        throw ConfigError(str("batch.micro_batch_size (", b.micro_batch_size,
                              ") must divide batch.mini_batch_size (", b.mini_batch_size, ")"));
    }
    if (o.dynamic_sampling.enable && o.dynamic_sampling.gen_prompts_per_step < b.prompts_per_step) {
        throw ConfigError(
            str("dynamic_sampling.gen_prompts_per_step (", o.dynamic_sampling.gen_prompts_per_step,
                ") must be at least batch.prompts_per_step (", b.prompts_per_step, ")"));
    }
    data::validate(o.data);
    if (o.rewards.empty()) {
        throw ConfigError("key 'rewards': at least one reward function is needed");
    }
    for (size_t i = 0; i < o.rewards.size();
         ++i) {  // options built in code skip the reader's check
        if (rewards::RewardRegistry::global().find(o.rewards[i].name) == nullptr) {
            throw ConfigError(str("key 'rewards[", i, "].name': unknown reward '",
                                  o.rewards[i].name, "'; expected one of ",
                                  util::join(rewards::reward_names(), ", ")));
        }
    }
    validate(o.optim);
}

}  // namespace r1::train::grpo
