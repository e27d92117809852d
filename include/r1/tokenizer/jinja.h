// Jinja chat templates rendered byte for byte as Hugging Face transformers' apply_chat_template
// renders them (jinja2 with trim_blocks, lstrip_blocks, raise_exception, strftime_now and its own
// tojson), with the byte spans of {% generation %} blocks, and the loaders of a model directory's.
#pragma once

#include "r1/util/error.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace r1::tokenizer {

/// Thrown by a template's raise_exception('...'): the template rejects its input (roles out of
/// order, an unknown role...). what() is "origin:line:column: message"; message() is the
/// template's own text.
class TemplateRaisedError : public util::FormatError {
  public:
    TemplateRaisedError(std::string message, const util::Location& where);

    const std::string& message() const { return message_; }

  private:
    std::string message_;
};

/// Output bytes [begin, end).
struct TextSpan {
    size_t begin = 0;
    size_t end = 0;

    bool operator==(const TextSpan&) const = default;
};

struct Rendered {
    std::string text;
    /// What each {% generation %} block wrote (transformers' assistant-token masks), in the order
    /// the blocks closed; blocks inside a macro or a {% set %} block are not recorded.
    std::vector<TextSpan> generation;
};

/// A parsed template; copies share the parse, and render() may run on several threads at once.
/// The supported subset and what it leaves out: src/tokenizer/jinja.cpp's header.
class JinjaTemplate {
  public:
    /// Parses `source`; `origin` names it in errors ("DIR/tokenizer_config.json:chat_template").
    /// Syntax errors and unsupported constructs throw util::FormatError with origin:line:column.
    JinjaTemplate(std::string source, std::string origin);

    /// Renders with `context`, a JSON object (messages, add_generation_prompt, bos_token, ...;
    /// chat_context() builds the one transformers passes). Errors at render time (a wrong type, an
    /// unknown function) throw util::FormatError naming the line; raise_exception throws
    /// TemplateRaisedError.
    std::string render(const nlohmann::ordered_json& context) const;
    /// The same, with the spans written inside {% generation %} ... {% endgeneration %}.
    Rendered render_with_spans(const nlohmann::ordered_json& context) const;

    const std::string& source() const;
    const std::string& origin() const;

    struct Program;

  private:
    std::shared_ptr<const Program> program_;
};

/// What apply_chat_template(messages, tools=..., add_generation_prompt=..., **kwargs) is given.
struct ChatInput {
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();  // [{"role", "content"...}]
    nlohmann::ordered_json tools;  // null, or a list of JSON schemas
    bool add_generation_prompt = false;
    /// Special tokens (load_special_tokens()) and any other template variable (date_string...).
    nlohmann::ordered_json variables = nlohmann::ordered_json::object();
};

/// The context transformers renders with: the messages without their null-valued keys and with
/// the reasoning aliases it adds (reasoning_content, thinking), tools, documents (null),
/// add_generation_prompt and each of `variables`. util::FormatError if a message is no object.
nlohmann::ordered_json chat_context(const ChatInput& input);

/// The chat template of a Hugging Face model directory, as transformers picks it:
/// chat_template.jinja if present, else tokenizer_config.json's "chat_template" (a string, or a
/// list of {"name", "template"} whose "default" entry is used); nullopt when neither has one.
/// Unreadable files throw util::IoError; malformed ones util::FormatError.
std::optional<JinjaTemplate> load_chat_template(const std::filesystem::path& model_dir);

/// tokenizer_config.json's named special tokens as transformers' special_tokens_map gives them to
/// templates: {"bos_token": "<s>", "eos_token": ...} for each of bos, eos, unk, sep, pad, cls and
/// mask that is set (a string, or an object with "content"); empty without the file.
nlohmann::ordered_json load_special_tokens(const std::filesystem::path& model_dir);

}  // namespace r1::tokenizer
