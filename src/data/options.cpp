#include "r1/data/options.h"

namespace r1::data {

void visit(config::Visitor& v, PromptDataOptions& o) {
    v.field("train", o.train, "training prompts (JSONL: prompt, answer, optional task fields)").required();
    v.field("eval", o.eval, "held-out prompts (JSONL); empty for none");
    v.field("template", o.chat_template, "prompt template: r1_zero (paper Table 1), qwen_math, chat");
    v.field("prefilled_think", o.prefilled_think, "end the prompt with <think> so the model starts reasoning");
    v.section("templates", o.templates, "template texts ({prompt}, {role}, {content} placeholders)");
}

}  // namespace r1::data
