// Prompt templates: a model directory's own Jinja chat template (`model`, jinja.h), R1-Zero
// (DeepSeek-R1 paper, Table 1, in r1's own words: think inside <think>, answer inside <answer>), a
// Qwen-math style ChatML prompt with a \boxed{} instruction, a role-based ChatML chat format, and
// the plain prompt. The built-in texts are options, editable from YAML (`data.templates.*`); each
// built-in also writes itself as Jinja, so a trained model carries the template it learnt.
#pragma once

#include "r1/config/visitor.h"
#include "r1/tokenizer/jinja.h"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace r1::tokenizer {

/// Which template renders a prompt (data::Template is this type: the data options reuse it).
/// model: the model directory's Jinja chat template; plain: the prompt as it is (TRL's rendering
/// of non-conversational rows; no conversations).
enum class Template { model, r1_zero, qwen_math, chat, plain };

constexpr auto enum_names(Template) {
    return std::array{std::pair{Template::model, "model"}, std::pair{Template::r1_zero, "r1_zero"},
                      std::pair{Template::qwen_math, "qwen_math"},
                      std::pair{Template::chat, "chat"}, std::pair{Template::plain, "plain"}};
}

/// The template texts. Placeholders: {prompt} (r1_zero, qwen_math), {role} and {content}
/// (chat_turn); any other brace is literal text (\boxed{} stays as written).
struct ChatTemplateOptions {
    std::string r1_zero =
        "A conversation between User and Assistant. The User asks a question and the Assistant "
        "solves it. "
        "The Assistant first thinks the problem through, then gives the answer. The thinking goes "
        "inside "
        "<think> </think> tags and the answer inside <answer> </answer> tags, as in "
        "<think> thinking here </think> <answer> answer here </answer>.\nUser: "
        "{prompt}\nAssistant:";
    std::string qwen_math =
        "<|im_start|>system\nPlease reason step by step, and put your final answer within "
        "\\boxed{}.<|im_end|>\n"
        "<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n";
    std::string chat_system;  // chat: a system turn first when not empty
    std::string chat_turn = "<|im_start|>{role}\n{content}<|im_end|>\n";
    std::string chat_generation = "<|im_start|>assistant\n";  // opens the assistant's turn
};

void visit(config::Visitor& v, ChatTemplateOptions& o);
/// util::ConfigError naming the key when a template lacks its placeholders.
void validate(const ChatTemplateOptions& o);

struct Message {
    std::string role;  // "system", "user", "assistant"
    std::string content;
};

/// A model directory's own template and the special tokens it is rendered with (bos_token...).
struct ModelTemplate {
    JinjaTemplate jinja;
    nlohmann::ordered_json special_tokens = nlohmann::ordered_json::object();
};

class ChatTemplate {
  public:
    /// `prefilled_think`: the prompt ends with "<think>" so sampling starts inside the reasoning.
    /// Template::model needs `model`; ConfigError naming the template key otherwise.
    ChatTemplate(Template kind,
                 ChatTemplateOptions options,
                 bool prefilled_think = false,
                 std::optional<ModelTemplate> model = std::nullopt);

    /// One user prompt, ready for generation.
    std::string render(std::string_view prompt) const;
    /// A conversation in the chat format, optionally opening the assistant's turn.
    std::string render(const std::vector<Message>& messages, bool add_generation_prompt) const;

    /// The same template as Jinja source (transformers' chat_template.jinja): the model's own, or
    /// the built-in's text written as Jinja, rendering what render() renders.
    std::string to_jinja() const;

  private:
    Template kind_;
    ChatTemplateOptions options_;
    bool prefilled_think_;
    std::optional<ModelTemplate> model_;
};

/// Replaces each {name} of `text` found in `values` (one pass: substituted text is never
/// rescanned).
std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string, std::string_view>>& values);

}  // namespace r1::tokenizer
