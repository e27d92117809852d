#include "r1/data/options.h"

#include "r1/util/error.h"

namespace r1::data {

void visit(config::Visitor& v, PromptDataOptions& o) {
    v.field("train", o.train, "training prompts (JSONL: prompt, answer, optional task fields)");
    v.field("eval", o.eval, "held-out prompts (JSONL); empty for none");
    v.field("task", o.task, "a built-in task instead of files (r1 data tasks); empty: use train");
    v.field("task_options", o.task_options, "the task's options as key=value strings");
    v.field("task_seed", o.task_seed,
            "the task's stream for training; held-out prompts use the next")
        .min(0);
    v.field("eval_size", o.eval_size, "held-out prompts drawn from the task").min(0);
    v.field(
        "template", o.chat_template,
        "prompt template: model (the model directory's chat template), r1_zero (paper Table 1), "
        "qwen_math, chat, or plain (the prompt as is)");
    v.field("prefilled_think", o.prefilled_think,
            "end the prompt with <think> so the model starts reasoning");
    v.section("templates", o.templates,
              "template texts ({prompt}, {role}, {content} placeholders)");
}

void visit(config::Visitor& v, PromptFormatOptions& o) {
    v.field("template", o.chat_template,
            "prompt template: model (the model directory's chat template, where there is one), "
            "r1_zero (paper Table 1), qwen_math, chat, or plain (the prompt as is)");
    v.field("prefilled_think", o.prefilled_think, "end the prompt with <think>");
    v.section("templates", o.templates,
              "template texts ({prompt}, {role}, {content} placeholders)");
}

void validate(const PromptDataOptions& o) {
    if (o.train.empty() == o.task.empty()) {
        throw util::ConfigError(
            o.train.empty() ? "data: set data.train (a JSONL file) or data.task (a built-in task)"
                            : "data: data.train and data.task are both set; keep one");
    }
}

}  // namespace r1::data
