// Where a stage's prompts come from and how they are rendered (grpo-spec §7.1, §9 `data:`).
#pragma once

#include <array>
#include <string>
#include <utility>

#include "r1/config/visitor.h"
#include "r1/tokenizer/chat_template.h"

namespace r1::data {

/// Prompt templates live with the tokenizer (tokenizer/chat_template.h); the data options name them.
using tokenizer::Template;

struct PromptDataOptions {
    std::string train;                     // JSONL file of prompts with answers
    std::string eval;                      // held-out JSONL; empty: none
    Template chat_template = Template::r1_zero;
    bool prefilled_think = false;          // the prompt ends with "<think>" (TinyZero, oat)
    tokenizer::ChatTemplateOptions templates;  // the template texts
};

void visit(config::Visitor& v, PromptDataOptions& o);

}  // namespace r1::data
