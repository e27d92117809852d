// Sampling options shared by generation, evaluation and GRPO rollouts (grpo-spec §1.2).
#pragma once

#include "r1/config/visitor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace r1::generation {

struct SamplingOptions {
    double temperature = 1.0;              // 0: greedy
    double top_p = 1.0;                    // nucleus mass kept
    int64_t top_k = 0;                     // 0: off
    double min_p = 0.0;                    // 0: off
    double repetition_penalty = 1.0;       // 1: off
    int64_t max_prompt_length = 512;       // tokens; longer prompts are an error
    int64_t max_completion_length = 1024;  // tokens generated at most (L)
    std::vector<std::string> stop;         // stop strings, kept in the completion
};

void visit(config::Visitor& v, SamplingOptions& o);

}  // namespace r1::generation
