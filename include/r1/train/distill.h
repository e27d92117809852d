// `r1 train --stage distill`: logit-level distillation of a teacher model directory into a student
// (a dense Qwen2/Llama config or directory, or a smaller DeepSeek-V3), GKD's way (Agarwal et al.,
// 2024; TRL's GKDTrainer): the generalised JSD with beta between the two next-token distributions
// at a temperature, mixed with the NLL of the data by a coefficient, on the teacher's traces (SFT
// rows) and, for a share lambda of the steps, on the student's own samples scored by the teacher.
// The teacher runs without grad. R1's sequence-level distillation is the sft stage on traces.
#pragma once

#include "r1/config/visitor.h"
#include "r1/generation/options.h"
#include "r1/train/distill_loss.h"
#include "r1/train/options.h"
#include "r1/train/sft.h"
#include "r1/train/step_loop.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace r1::train {

struct TeacherOptions {
    std::string model;  // model directory of the teacher
    int64_t top_k = 0;  // > 0: the teacher's k most likely tokens only (topk_distill_loss)
};

/// Exactly one of the two: a model directory to start from, or a config.json for random weights
/// (the student then takes the teacher's tokenizer).
struct StudentOptions {
    std::string checkpoint;
    std::string config;
};

struct DistillLossConfig {
    double beta = 0.5;         // 0: forward KL(teacher || student); 1: reverse KL; else JSD(beta)
    double temperature = 1.0;  // divides both models' logits
    double distill_weight = 1.0;  // loss = (1 - w) · NLL + w · divergence (NLL on data rows only)
    LossNorm normalize = LossNorm::token;
    bool completion_only = true;
};

/// GKD's lambda: the share of steps whose sequences the student samples itself from the rows'
/// prompts, the teacher then scoring them.
struct OnPolicyOptions {
    double fraction = 0.0;
    generation::SamplingOptions sampling{.max_completion_length = 128};
};

struct DistillOptions {
    std::string stage = "distill";
    int64_t seed = 42;
    std::string run_dir = "runs/distill";
    int64_t epochs = 1;
    int64_t max_steps = 0;  // 0: epochs over the rows
    TeacherOptions teacher;
    StudentOptions student;
    SftDataOptions data;
    SftBatchOptions batch;
    DistillLossConfig loss;
    OnPolicyOptions on_policy;
    SftEvalOptions eval;
    OptimOptions optim{.lr = 1e-4, .schedule = Schedule::cosine, .min_lr_ratio = 0.1};
    LogOptions log;
    CheckpointOptions checkpoint;
    MoeOptions moe;
};

void visit(config::Visitor& v, TeacherOptions& o);
void visit(config::Visitor& v, StudentOptions& o);
void visit(config::Visitor& v, DistillLossConfig& o);
void visit(config::Visitor& v, OnPolicyOptions& o);
void visit(config::Visitor& v, DistillOptions& o);
void validate(const DistillOptions& o);

LoopResult run_distill(const DistillOptions& options, const std::string& resolved_yaml);

}  // namespace r1::train
