#include "r1/data/sample.h"

#include "r1/util/str.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace r1::data {
namespace {

using nlohmann::json;

/// One entry of "tests": an object with input/output or assert, and an optional weight.
CodeTest code_test_from_json(const json& item, const io::JsonFields& row, size_t i) {
    const std::string key = util::str("tests[", i, "]");
    if (!item.is_object()) {
        throw row.error(key, "expected an object {\"input\", \"output\"} or {\"assert\"}, got " +
                                 io::json_kind(item));
    }
    const io::JsonFields fields(item, row.where());
    const auto sub = [&](const char* name) -> std::string {
        try {
            return fields.string(name);
        } catch (const util::FormatError&) {
            throw row.error(key + "." + name,
                            "expected a string, got " +
                                (fields.has(name) ? io::json_kind(item.at(name)) : "nothing"));
        }
    };
    CodeTest test;
    if (fields.has("assert")) {
        test.assertion = sub("assert");
    } else {
        if (!fields.has("input") || !fields.has("output")) {
            throw row.error(key,
                            "expected \"input\" and \"output\" strings, or an \"assert\" string");
        }
        test.input = sub("input");
        test.output = sub("output");
    }
    if (fields.has("weight")) {
        const json& w = item.at("weight");
        if (!w.is_number() || w.get<double>() < 0) {
            throw row.error(key + ".weight", "expected a number >= 0, got " +
                                                 (w.is_number() ? w.dump() : io::json_kind(w)));
        }
        test.weight = w.get<double>();
    }
    return test;
}

/// A text field under scoring rules: absent or null -> nullopt, a number -> its JSON text.
std::optional<std::string> loose_text(const io::JsonFields& fields, const char* key) {
    if (!fields.has(key)) {
        return std::nullopt;
    }
    const json& v = fields.value(key);
    if (v.is_number()) {
        return v.dump();  // "answer": 42 is common in datasets
    }
    return fields.string(key);
}

/// A test under scoring rules: a bare string is an assert; an object needs "output" or "assert".
CodeTest loose_test(const json& item, const io::JsonFields& row) {
    if (item.is_string()) {
        return {.assertion = item.get<std::string>()};
    }
    if (!item.is_object()) {
        throw row.error("tests",
                        "expected items {\"input\", \"output\"}, {\"assert\"} or strings, "
                        "got " +
                            io::json_kind(item));
    }
    const io::JsonFields fields(item, row.where());
    if (!fields.has("assert") && !fields.has("output")) {
        throw row.error("tests", "expected each test to have \"output\" or \"assert\"");
    }
    CodeTest test{.input = loose_text(fields, "input").value_or(""),
                  .output = loose_text(fields, "output").value_or(""),
                  .assertion = loose_text(fields, "assert").value_or("")};
    if (fields.has("weight")) {
        test.weight = fields.number("weight");
        if (test.weight < 0) {
            throw row.error("tests[].weight", "expected a number >= 0");
        }
    }
    return test;
}

Sample scoring_row(const io::JsonFields& fields) {
    Sample s;
    s.prompt = loose_text(fields, "prompt").value_or("");
    s.answer = loose_text(fields, "answer").value_or("");
    s.kind = loose_text(fields, "kind");
    s.language = loose_text(fields, "language");
    if (fields.has("tests")) {
        const json& tests = fields.value("tests");
        if (!tests.is_array()) {
            throw fields.error("tests", "expected a list, got " + io::json_kind(tests));
        }
        for (const json& t : tests) {
            s.tests.push_back(loose_test(t, fields));
        }
    }
    if (fields.has("numbers")) {
        s.numbers = fields.integers("numbers");
    }
    if (fields.has("target")) {
        const json& t = fields.value("target");
        if (!t.is_number() || t.get<double>() != std::floor(t.get<double>()) ||
            std::abs(t.get<double>()) > 9.0e15) {  // exact in a double, and in int64
            throw fields.error("target", "expected a number with an integer value, got " +
                                             (t.is_number() ? t.dump() : io::json_kind(t)));
        }
        s.target = static_cast<int64_t>(t.get<double>());
    }
    return s;
}

}  // namespace

Sample sample_from_json(const io::JsonFields& fields, RowRules rules) {
    if (rules == RowRules::scoring) {
        return scoring_row(fields);
    }
    Sample s;
    s.prompt = fields.string("prompt");
    s.kind = fields.optional_string("kind");
    s.language = fields.optional_string("language");
    if (fields.has("tests")) {
        const json& tests = fields.value("tests");
        if (!tests.is_array()) {
            throw fields.error("tests", "expected a list of tests, got " + io::json_kind(tests));
        }
        for (size_t i = 0; i < tests.size(); ++i) {
            s.tests.push_back(code_test_from_json(tests[i], fields, i));
        }
    }
    if (fields.has("numbers")) {
        s.numbers = fields.integers("numbers");
    }
    s.target = fields.optional_integer("target");
    // required unless tests or a target score the sample, or a reward model does (kind general)
    if (fields.has("answer") || (s.tests.empty() && !s.target && s.kind != "general")) {
        s.answer = fields.string("answer");
    }
    return s;
}

namespace {

/// A list of {"role", "content"} objects under `key` (messages, prompt or completion), appended.
void read_messages(const io::JsonFields& fields,
                   const std::string& key,
                   std::vector<Message>& out) {
    const json& messages = fields.value(key);
    if (!messages.is_array() || messages.empty()) {
        throw fields.error(key, "expected a non-empty list of {\"role\", \"content\"}, got " +
                                    (messages.is_array() ? std::string("an empty list")
                                                         : io::json_kind(messages)));
    }
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::string item = util::str(key, "[", i, "]");
        if (!messages[i].is_object()) {
            throw fields.error(item, "expected an object {\"role\", \"content\"}, got " +
                                         io::json_kind(messages[i]));
        }
        const io::JsonFields m(messages[i], fields.where());
        Message msg;
        for (const char* name : {"role", "content"}) {
            const auto it = messages[i].find(name);
            if (it == messages[i].end() || !it->is_string()) {
                throw fields.error(
                    item + "." + name,
                    "expected a string, got " +
                        (it == messages[i].end() ? std::string("nothing") : io::json_kind(*it)));
            }
        }
        msg.role = m.string("role");
        msg.content = m.string("content");
        if (msg.role != "system" && msg.role != "user" && msg.role != "assistant") {
            throw fields.error(item + ".role",
                               "expected one of system|user|assistant, got '" + msg.role + "'");
        }
        out.push_back(std::move(msg));
    }
}

/// {"prompt", "completion" or "response"}: strings, or lists of messages.
SftExample prompt_completion_from_json(const io::JsonFields& fields) {
    SftExample ex{.shape = SftExample::Shape::prompt_completion, .where = fields.where()};
    const std::string completion = fields.has("completion") ? "completion" : "response";
    if (!fields.has(completion)) {
        throw fields.error("completion", "missing (a prompt needs a \"completion\")");
    }
    if (!fields.value("prompt").is_array()) {
        ex.prompt = fields.string("prompt");
        ex.completion = fields.string(completion);
        return ex;
    }
    read_messages(fields, "prompt", ex.messages);
    ex.completion_from = ex.messages.size();
    read_messages(fields, completion, ex.messages);
    return ex;
}

}  // namespace

SftExample sft_example_from_json(const io::JsonFields& fields) {
    if (fields.has("prompt")) {  // before "text": built-in task rows carry both
        return prompt_completion_from_json(fields);
    }
    if (fields.has("text")) {
        return {.shape = SftExample::Shape::text,
                .text = fields.string("text"),
                .where = fields.where()};
    }
    if (!fields.has("messages")) {
        throw fields.error("messages",
                           "missing (an SFT line needs \"text\", \"prompt\" and \"completion\", "
                           "or \"messages\")");
    }
    SftExample ex{.shape = SftExample::Shape::conversation, .where = fields.where()};
    read_messages(fields, "messages", ex.messages);
    if (ex.messages.back().role != "assistant") {
        throw fields.error("messages",
                           "the last message must be the assistant's (what SFT learns), got '" +
                               ex.messages.back().role + "'");
    }
    return ex;
}

PreferencePair preference_pair_from_json(const io::JsonFields& fields) {
    PreferencePair p{.where = fields.where()};
    if (fields.has("margin")) {
        p.margin = fields.number("margin");
    }
    p.conversational = fields.has("chosen") && fields.value("chosen").is_array();
    if (!p.conversational) {
        p.prompt = fields.optional_string("prompt");
        p.chosen = fields.string("chosen");
        p.rejected = fields.string("rejected");
        return p;
    }
    // In a conversational pair every side is a list of messages, as "chosen" is.
    const auto require_list = [&](const char* key) {
        if (fields.has(key) && !fields.value(key).is_array()) {
            throw fields.error(key,
                               "expected a list of {\"role\", \"content\"} as \"chosen\" is, got " +
                                   io::json_kind(fields.value(key)));
        }
    };
    require_list("prompt");
    if (fields.has("prompt")) {
        read_messages(fields, "prompt", p.prompt_messages);
    }
    read_messages(fields, "chosen", p.chosen_messages);
    require_list("rejected");
    read_messages(fields, "rejected", p.rejected_messages);
    return p;
}

nlohmann::json to_json(const Sample& s) {
    json row = {{"prompt", s.prompt}, {"answer", s.answer}};
    if (s.kind) {
        row["kind"] = *s.kind;
    }
    if (s.language) {
        row["language"] = *s.language;
    }
    if (!s.tests.empty()) {
        json tests = json::array();
        for (const CodeTest& t : s.tests) {
            json item = t.assertion.empty() ? json{{"input", t.input}, {"output", t.output}}
                                            : json{{"assert", t.assertion}};
            if (t.weight != 1.0) {
                item["weight"] = t.weight;
            }
            tests.push_back(std::move(item));
        }
        row["tests"] = std::move(tests);
    }
    if (!s.numbers.empty()) {
        row["numbers"] = s.numbers;
    }
    if (s.target) {
        row["target"] = *s.target;
    }
    return row;
}

namespace {

json messages_json(const std::vector<Message>& messages, size_t first = 0, size_t last = SIZE_MAX) {
    json out = json::array();
    for (size_t i = first; i < std::min(last, messages.size()); ++i) {
        out.push_back({{"role", messages[i].role}, {"content", messages[i].content}});
    }
    return out;
}

}  // namespace

nlohmann::json to_json(const SftExample& example) {
    using Shape = SftExample::Shape;
    const auto messages = [&](size_t first, size_t last) {
        return messages_json(example.messages, first, last);
    };
    const size_t n = example.messages.size();
    switch (example.shape) {
        case Shape::text:
            return {{"text", example.text}};
        case Shape::prompt_completion:
            if (n == 0) {
                return {{"prompt", example.prompt}, {"completion", example.completion}};
            }
            return {{"prompt", messages(0, example.completion_from)},
                    {"completion", messages(example.completion_from, n)}};
        case Shape::conversation:
            break;
    }
    return {{"messages", messages(0, n)}};
}

nlohmann::json to_json(const PreferencePair& p) {
    json row = json::object();
    if (p.conversational) {
        if (!p.prompt_messages.empty()) {
            row["prompt"] = messages_json(p.prompt_messages);
        }
        row["chosen"] = messages_json(p.chosen_messages);
        row["rejected"] = messages_json(p.rejected_messages);
    } else {
        if (p.prompt) {
            row["prompt"] = *p.prompt;
        }
        row["chosen"] = p.chosen;
        row["rejected"] = p.rejected;
    }
    if (p.margin) {
        row["margin"] = *p.margin;
    }
    return row;
}

}  // namespace r1::data
