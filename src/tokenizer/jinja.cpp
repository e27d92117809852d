// JinjaTemplate and the model-directory loaders. The Jinja subset, with jinja2 3.1's semantics as
// transformers 5 configures it (tests/tokenizer/jinja_test.cpp checks it against transformers):
//   tags: if/elif/else, for (else, `if` filter, tuple targets, loop.*), set (names, tuples,
//     ns.attr, blocks), macro (defaults, keywords), break/continue, generation, raw, comments,
//     -/+ whitespace control with trim_blocks and lstrip_blocks;
//   expressions: literals, lists, tuples, dicts (string keys), .attr, [item], slices, calls,
//     ~ + - * / // % **, comparisons (chained), in/not in, and/or/not, `a if c else b`,
//     `is [not] test`, `| filter`; filters and tests: jinja_filters.cpp; str and dict methods
//     and globals (raise_exception, strftime_now, namespace, dict, range): jinja_methods.cpp.
// Left out, each an error naming the line: include/import/extends/block/call/filter/with tags,
// recursive loops, *args/**kwargs, `%` string formatting, str.format, list methods, loop.changed,
// filters and tests not listed there, non-ASCII names. Nesting past kMaxDepth is an error too.
// Differences that stay silent: case mapping (upper, lower, title) is ASCII-only; ints are 64-bit
// (overflow is an error, context integers past int64 become floats); dict.items() and range()
// print as lists (Python: dict_items([...]), range(0, 3)).
#include "r1/tokenizer/jinja.h"

#include "r1/util/fs.h"

#include <array>

#include "tokenizer/jinja_ast.h"

namespace r1::tokenizer {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

TemplateRaisedError::TemplateRaisedError(std::string message, const util::Location& where)
    : util::FormatError(message, where), message_(std::move(message)) {}

JinjaTemplate::JinjaTemplate(std::string source, std::string origin) {
    auto program = std::make_shared<Program>();
    program->normalized = jinja::make_source(source, std::move(origin));
    program->source = std::move(source);
    program->body = jinja::parse(program->normalized);
    program_ = std::move(program);
}

std::string JinjaTemplate::render(const ordered_json& context) const {
    return render_with_spans(context).text;
}

Rendered JinjaTemplate::render_with_spans(const ordered_json& context) const {
    return jinja::evaluate(program_->normalized, program_->body, context);
}

const std::string& JinjaTemplate::source() const {
    return program_->source;
}

const std::string& JinjaTemplate::origin() const {
    return program_->normalized.origin;
}

namespace {

// transformers' _alias_reasoning_fields: the first reasoning found is also given as "thinking"
// (first key) and "reasoning_content" (last key, or where the message had it).
ordered_json alias_reasoning(const ordered_json& message) {
    for (const char* key : {"reasoning_content", "thinking", "reasoning"}) {
        if (message.contains(key)) {
            ordered_json out = {{"thinking", message[key]}};
            for (const auto& [k, v] : message.items()) {
                out[k] = v;
            }
            out["reasoning_content"] = message[key];
            return out;
        }
    }
    return message;
}

}  // namespace

ordered_json chat_context(const ChatInput& input) {
    if (!input.messages.is_array() || !input.variables.is_object()) {
        throw util::FormatError("chat_context: messages must be a list and variables an object");
    }
    ordered_json messages = ordered_json::array();
    for (size_t i = 0; i < input.messages.size(); ++i) {
        const ordered_json& m = input.messages[i];
        if (!m.is_object()) {
            throw util::FormatError("chat message " + std::to_string(i) +
                                    ": expected an object, got " + m.type_name());
        }
        ordered_json kept = ordered_json::object();  // transformers drops null-valued keys
        for (const auto& [k, v] : m.items()) {
            if (!v.is_null()) {
                kept[k] = v;
            }
        }
        messages.push_back(alias_reasoning(kept));
    }
    ordered_json context = input.variables;
    for (const char* key : {"messages", "tools", "documents", "add_generation_prompt"}) {
        if (context.contains(key)) {
            throw util::FormatError(std::string("chat_context: variables must not set '") + key +
                                    "' (apply_chat_template passes it itself)");
        }
    }
    context["messages"] = std::move(messages);
    context["tools"] = input.tools;
    context["documents"] = nullptr;
    context["add_generation_prompt"] = input.add_generation_prompt;
    return context;
}

namespace {

std::optional<ordered_json> read_tokenizer_config(const fs::path& model_dir) {
    const fs::path path = model_dir / "tokenizer_config.json";
    if (!fs::exists(path)) {
        return std::nullopt;
    }
    try {
        ordered_json config = ordered_json::parse(util::read_file(path));
        if (!config.is_object()) {
            throw util::FormatError("expected a JSON object", util::Location{path.string()});
        }
        return config;
    } catch (const ordered_json::parse_error& e) {
        throw util::FormatError(e.what(), util::Location{path.string()});
    }
}

}  // namespace

std::optional<JinjaTemplate> load_chat_template(const fs::path& model_dir) {
    const fs::path file = model_dir / "chat_template.jinja";  // transformers prefers this file
    if (fs::exists(file)) {
        return JinjaTemplate(util::read_file(file), file.string());
    }
    const std::optional<ordered_json> config = read_tokenizer_config(model_dir);
    if (!config || !config->contains("chat_template") || config->at("chat_template").is_null()) {
        return std::nullopt;
    }
    const std::string origin = (model_dir / "tokenizer_config.json").string() + ":chat_template";
    const ordered_json& value = config->at("chat_template");
    if (value.is_string()) {
        return JinjaTemplate(value.get<std::string>(), origin);
    }
    if (value.is_array()) {
        for (const ordered_json& entry : value) {
            if (entry.is_object() && entry.value("name", "") == "default" &&
                entry.contains("template") && entry["template"].is_string()) {
                return JinjaTemplate(entry["template"].get<std::string>(), origin + "[default]");
            }
        }
        throw util::FormatError("a list of templates without a {\"name\": \"default\"} entry",
                                util::Location{origin});
    }
    throw util::FormatError(
        std::string("expected a string or a list of {name, template}, got ") + value.type_name(),
        util::Location{origin});
}

ordered_json load_special_tokens(const fs::path& model_dir) {
    static constexpr std::array kNames{"bos_token", "eos_token", "unk_token", "sep_token",
                                       "pad_token", "cls_token", "mask_token"};
    ordered_json tokens = ordered_json::object();
    const std::optional<ordered_json> config = read_tokenizer_config(model_dir);
    if (!config) {
        return tokens;
    }
    for (const char* name : kNames) {
        const ordered_json* v = config->contains(name) ? &config->at(name) : nullptr;
        if (v == nullptr || v->is_null()) {
            continue;
        }
        if (v->is_object() && v->contains("content")) {  // an AddedToken: {"content": ...}
            v = &v->at("content");
        }
        if (!v->is_string()) {
            throw util::FormatError(
                std::string("expected a string or {\"content\": string}"),
                util::Location{(model_dir / "tokenizer_config.json").string() + ":" + name});
        }
        tokens[name] = v->get<std::string>();
    }
    return tokens;
}

}  // namespace r1::tokenizer
