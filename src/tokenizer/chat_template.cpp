#include "r1/tokenizer/chat_template.h"

#include "r1/util/error.h"

namespace r1::tokenizer {

void visit(config::Visitor& v, ChatTemplateOptions& o) {
    v.field("r1_zero", o.r1_zero, "R1-Zero prompt (paper Table 1); {prompt} is the question");
    v.field("qwen_math", o.qwen_math, "Qwen-math style ChatML prompt; {prompt} is the question");
    v.field("chat_system", o.chat_system, "chat: system message put first; empty for none");
    v.field("chat_turn", o.chat_turn, "chat: one turn; {role} and {content}");
    v.field("chat_generation", o.chat_generation, "chat: text that opens the assistant's turn");
}

void validate(const ChatTemplateOptions& o) {
    const std::pair<const char*, const std::string*> need[] = {{"{prompt}", &o.r1_zero},
                                                               {"{prompt}", &o.qwen_math},
                                                               {"{role}", &o.chat_turn},
                                                               {"{content}", &o.chat_turn}};
    const char* keys[] = {"r1_zero", "qwen_math", "chat_turn", "chat_turn"};
    for (size_t i = 0; i < std::size(need); ++i) {
        if (need[i].second->find(need[i].first) == std::string::npos) {
            throw util::ConfigError(std::string("template '") + keys[i] + "' has no " +
                                    need[i].first + " placeholder");
        }
    }
}

std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string, std::string_view>>& values) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '{') {
            for (const auto& [name, value] : values) {
                if (text.compare(i + 1, name.size() + 1, name + "}") == 0) {
                    out += value;
                    i += name.size() + 2;
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) {
            out += text[i++];
        }
    }
    return out;
}

namespace {

/// `text` as a Jinja expression that prints it verbatim: {{ '...' }} with Python's escapes.
std::string literal(std::string_view text) {
    if (text.empty()) {
        return "";
    }
    std::string out = "{{ '";
    for (const char c : text) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\'':
                out += "\\'";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += c;
        }
    }
    return out + "' }}";
}

/// fill() as Jinja: each {name} of `values` becomes its expression, the rest literal text.
std::string jinja_fill(std::string_view text,
                       const std::vector<std::pair<std::string, std::string>>& values) {
    std::string out, run;
    for (size_t i = 0; i < text.size();) {
        bool replaced = false;
        for (const auto& [name, expression] : values) {
            if (text[i] == '{' && text.compare(i + 1, name.size() + 1, name + "}") == 0) {
                out += literal(run) + expression;
                run.clear();
                i += name.size() + 2;
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            run += text[i++];
        }
    }
    return out + literal(run);
}

constexpr const char* kLastContent = "{{ messages[-1]['content'] }}";

}  // namespace

ChatTemplate::ChatTemplate(Template kind,
                           ChatTemplateOptions options,
                           bool prefilled_think,
                           std::optional<ModelTemplate> model)
    : kind_(kind),
      options_(std::move(options)),
      prefilled_think_(prefilled_think),
      model_(std::move(model)) {
    validate(options_);
    if (kind_ == Template::model && !model_) {
        throw util::ConfigError(
            "template 'model': the model directory has no chat template (chat_template.jinja, or "
            "tokenizer_config.json's chat_template); choose r1_zero, qwen_math, chat or plain");
    }
}

std::string ChatTemplate::to_jinja() const {
    const std::string think = prefilled_think_ ? literal("<think>\n") : "";
    switch (kind_) {
        case Template::model:
            return model_->jinja.source();
        case Template::r1_zero:
            return jinja_fill(options_.r1_zero, {{"prompt", kLastContent}}) +
                   (prefilled_think_ ? literal(" <think>") : "");
        case Template::qwen_math:
            return jinja_fill(options_.qwen_math, {{"prompt", kLastContent}}) + think;
        case Template::plain:
            return kLastContent + think;
        case Template::chat:
            break;
    }
    std::string out;
    if (!options_.chat_system.empty()) {
        out += "{% if messages | length == 0 or messages[0]['role'] != 'system' %}" +
               literal(fill(options_.chat_turn,
                            {{"role", "system"}, {"content", options_.chat_system}})) +
               "{% endif %}";
    }
    out += "{% for message in messages %}" +
           jinja_fill(options_.chat_turn, {{"role", "{{ message['role'] }}"},
                                           {"content", "{{ message['content'] }}"}}) +
           "{% endfor %}";
    return out + "{% if add_generation_prompt %}" + literal(options_.chat_generation) + think +
           "{% endif %}";
}

std::string ChatTemplate::render(std::string_view prompt) const {
    switch (kind_) {
        case Template::model:
            break;
        case Template::r1_zero:  // "Assistant:" then " <think>": the paper's prompt continues with
                                 // a space
            return fill(options_.r1_zero, {{"prompt", prompt}}) +
                   (prefilled_think_ ? " <think>" : "");
        case Template::qwen_math:
            return fill(options_.qwen_math, {{"prompt", prompt}}) +
                   (prefilled_think_ ? "<think>\n" : "");
        case Template::plain:
            return std::string(prompt) + (prefilled_think_ ? "<think>\n" : "");
        case Template::chat:
            break;
    }
    return render({Message{"user", std::string(prompt)}}, true);
}

std::string ChatTemplate::render(const std::vector<Message>& messages,
                                 bool add_generation_prompt) const {
    if (kind_ == Template::plain) {
        throw util::ConfigError(
            "template 'plain' renders single prompts only; a conversation needs a chat template");
    }
    if (kind_ == Template::model) {
        ChatInput input{.add_generation_prompt = add_generation_prompt,
                        .variables = model_->special_tokens};
        for (const Message& m : messages) {
            input.messages.push_back({{"role", m.role}, {"content", m.content}});
        }
        return model_->jinja.render(chat_context(input)) +
               (add_generation_prompt && prefilled_think_ ? "<think>\n" : "");
    }
    std::string out;
    if (!options_.chat_system.empty() && (messages.empty() || messages.front().role != "system")) {
        out += fill(options_.chat_turn, {{"role", "system"}, {"content", options_.chat_system}});
    }
    for (const Message& m : messages) {
        out += fill(options_.chat_turn, {{"role", m.role}, {"content", m.content}});
    }
    if (add_generation_prompt) {
        out += options_.chat_generation + (prefilled_think_ ? "<think>\n" : "");
    }
    return out;
}

}  // namespace r1::tokenizer
