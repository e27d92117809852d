// Where a stage's prompts come from and how they are rendered (grpo-spec §7.1, §9 `data:`).
#pragma once

#include "r1/config/visitor.h"
#include "r1/tokenizer/chat_template.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace r1::data {

/// Prompt templates live with the tokenizer (tokenizer/chat_template.h); the data options name
/// them.
using tokenizer::Template;

struct PromptDataOptions {
    std::string train;  // JSONL file of prompts with answers
    std::string eval;   // held-out JSONL; empty: none
    /// A built-in task instead of files (data/tasks): train prompts are its stream `task_seed`,
    /// held-out ones its stream `task_seed + 1` (eval_size of them).
    std::string task;
    std::vector<std::string> task_options;  // the task's overrides: ["max_digits=3"]
    int64_t task_seed = 1;
    int64_t eval_size = 128;
    Template chat_template = Template::model;  // the model directory's own, as it was trained
    bool prefilled_think = false;              // the prompt ends with "<think>" (TinyZero, oat)
    tokenizer::ChatTemplateOptions templates;  // the template texts
};

/// How prompts are rendered, for stages that make their own text (pretraining documents).
struct PromptFormatOptions {
    Template chat_template = Template::r1_zero;
    bool prefilled_think = false;
    tokenizer::ChatTemplateOptions templates;

    tokenizer::ChatTemplate make() const { return {chat_template, templates, prefilled_think}; }
};

void visit(config::Visitor& v, PromptDataOptions& o);
void visit(config::Visitor& v, PromptFormatOptions& o);
/// Exactly one of `train` and `task`; ConfigError naming the keys otherwise.
void validate(const PromptDataOptions& o);

}  // namespace r1::data
