// Where a stage's prompts come from and how they are rendered (grpo-spec §7.1, §9 `data:`).
#pragma once

#include <array>
#include <string>
#include <utility>

#include "r1/config/visitor.h"

namespace r1::data {

enum class Template { r1_zero, qwen_math, chat };

constexpr auto enum_names(Template) {
    return std::array{std::pair{Template::r1_zero, "r1_zero"}, std::pair{Template::qwen_math, "qwen_math"},
                      std::pair{Template::chat, "chat"}};
}

struct PromptDataOptions {
    std::string train;                     // JSONL file of prompts with answers
    std::string eval;                      // held-out JSONL; empty: none
    Template chat_template = Template::r1_zero;
    bool prefilled_think = false;          // the prompt ends with "<think>" (TinyZero, oat)
};

void visit(config::Visitor& v, PromptDataOptions& o);

}  // namespace r1::data
