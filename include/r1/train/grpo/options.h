// Every key of `r1 train --stage grpo` (grpo-spec §9): batch geometry, advantages, clipping, KL,
// loss aggregation, truncation, dynamic sampling, rewards, optimizer, logging, checkpoints.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/options.h"
#include "r1/generation/options.h"
#include "r1/rewards/options.h"
#include "r1/train/options.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace r1::train::grpo {

enum class Estimator { grpo, rloo };
enum class AdvScale { group, none, batch };
enum class RatioLevel { token, sequence };
enum class KlEstimator { k1, k2, k3, k3_plus };  // YAML spells k3_plus "k3+"
enum class LossAgg { token_mean, seq_mean_token_mean, seq_mean_token_sum, dr_grpo };

constexpr auto enum_names(Estimator) {
    return std::array{std::pair{Estimator::grpo, "grpo"}, std::pair{Estimator::rloo, "rloo"}};
}

constexpr auto enum_names(AdvScale) {
    return std::array{std::pair{AdvScale::group, "group"}, std::pair{AdvScale::none, "none"},
                      std::pair{AdvScale::batch, "batch"}};
}

constexpr auto enum_names(RatioLevel) {
    return std::array{std::pair{RatioLevel::token, "token"},
                      std::pair{RatioLevel::sequence, "sequence"}};
}

constexpr auto enum_names(KlEstimator) {
    return std::array{std::pair{KlEstimator::k1, "k1"}, std::pair{KlEstimator::k2, "k2"},
                      std::pair{KlEstimator::k3, "k3"}, std::pair{KlEstimator::k3_plus, "k3+"}};
}

constexpr auto enum_names(LossAgg) {
    return std::array{std::pair{LossAgg::token_mean, "token_mean"},
                      std::pair{LossAgg::seq_mean_token_mean, "seq_mean_token_mean"},
                      std::pair{LossAgg::seq_mean_token_sum, "seq_mean_token_sum"},
                      std::pair{LossAgg::dr_grpo, "dr_grpo"}};
}

struct InitOptions {
    std::string checkpoint;  // model directory (HF layout) to start from
};

struct BatchOptions {
    int64_t prompts_per_step = 32;      // B
    int64_t num_generations = 16;       // G, completions per prompt
    int64_t mini_batch_size = 512;      // completions per optimizer step
    int64_t micro_batch_size = 4;       // sequences per forward/backward; never changes the math
    int64_t num_iterations = 1;         // mu, passes over one rollout
    int64_t generation_batch_size = 0;  // sequences decoded at once; 0: a whole rollout
};

struct AdvantageOptions {
    Estimator estimator = Estimator::grpo;
    AdvScale scale = AdvScale::group;
    double eps = 1e-4;  // TRL's value
};

struct ClipOptions {
    double eps_low = 0.2;               // ratio floor: 1 - eps_low
    double eps_high = 0.28;             // ratio ceiling: 1 + eps_high (DAPO clip-higher)
    std::optional<double> dual_clip_c;  // bound on the loss for negative advantages
    RatioLevel ratio_level = RatioLevel::token;
};

struct KlOptions {
    double beta = 0.001;  // 0 loads no reference model
    KlEstimator estimator = KlEstimator::k3;
    bool clamp = true;             // clamp the log-ratio to [-20, 20] and k3 to [-10, 10]
    int64_t ref_update_every = 0;  // steps between reference refreshes; 0: never
    double ref_mixup_alpha = 1.0;  // ref <- a*policy + (1-a)*ref
};

struct LossOptions {
    LossAgg agg = LossAgg::token_mean;
    std::optional<int64_t> dr_grpo_constant;  // null: max_completion_length
    double entropy_coef = 0.0;
};

struct TruncationOptions {
    bool mask_truncated = false;             // truncated completions leave the loss
    std::optional<double> truncated_reward;  // null: keep the computed reward
};

struct DynamicSamplingOptions {
    bool enable = false;
    std::string metric = "reward";      // "reward" or a reward function's name
    double tol = 1e-6;                  // a group with std <= tol is dropped
    int64_t gen_prompts_per_step = 96;  // prompts per generation batch while refilling
    int64_t max_gen_batches = 10;       // give up after this many; <= 0: unlimited
};

/// GRPO's own logging on top of the loop's metrics cadence.
struct GrpoLogOptions : LogOptions {
    int64_t completions_every = 10;        // steps between completions.jsonl dumps
    int64_t num_completions_to_print = 2;  // shown on the console at each dump
    int64_t eval_every = 50;               // steps between in-run evaluations; 0: never
    int64_t eval_samples = 4;              // samples per eval prompt
};

struct GrpoOptions {
    std::string stage = "grpo";
    int64_t seed = 42;
    std::string run_dir = "runs/grpo";
    int64_t max_steps = 100;  // rollouts (each followed by its optimizer steps)
    InitOptions init;
    data::PromptDataOptions data;
    generation::SamplingOptions sampling{.stop = {"</answer>"}};
    BatchOptions batch;
    AdvantageOptions advantage;
    ClipOptions clip;
    KlOptions kl;
    LossOptions loss;
    TruncationOptions truncation;
    DynamicSamplingOptions dynamic_sampling;
    std::vector<rewards::RewardSpec> rewards = {{.name = "accuracy", .weight = 1.0},
                                                {.name = "format", .weight = 1.0}};
    OptimOptions optim;
    GrpoLogOptions log;
    CheckpointOptions checkpoint;
    MoeOptions moe;
};

void visit(config::Visitor& v, InitOptions& o);
void visit(config::Visitor& v, BatchOptions& o);
void visit(config::Visitor& v, AdvantageOptions& o);
void visit(config::Visitor& v, ClipOptions& o);
void visit(config::Visitor& v, KlOptions& o);
void visit(config::Visitor& v, LossOptions& o);
void visit(config::Visitor& v, TruncationOptions& o);
void visit(config::Visitor& v, DynamicSamplingOptions& o);
void visit(config::Visitor& v, GrpoLogOptions& o);
void visit(config::Visitor& v, GrpoOptions& o);

/// Cross-field rules (batch divisibility, G >= 2, known reward names), each error naming its keys.
void validate(const GrpoOptions& o);

}  // namespace r1::train::grpo
