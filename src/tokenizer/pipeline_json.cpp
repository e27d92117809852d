// tokenizer.json's pipeline sections: pre_tokenizer (Sequence, Split, Digits, ByteLevel), decoder
// (ByteLevel or none) and post_processor (ByteLevel, TemplateProcessing, Sequence or none).
#include <utility>

#include "tokenizer/json_reader.h"
#include "tokenizer/tokenizer_impl.h"

namespace r1::tokenizer {

namespace {

SplitBehavior behavior_of(const Reader& r, const std::string& name, const std::string& path) {
    static const std::pair<const char*, SplitBehavior> kNames[] = {
        {"Removed", SplitBehavior::removed},
        {"Isolated", SplitBehavior::isolated},
        {"MergedWithPrevious", SplitBehavior::merged_with_previous},
        {"MergedWithNext", SplitBehavior::merged_with_next},
        {"Contiguous", SplitBehavior::contiguous}};
    for (const auto& [n, b] : kNames) {
        if (name == n) {
            return b;
        }
    }
    r.fail(path,
           "unknown behavior '" + name +
               "'; expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous");
}

Regex compile(const Reader& r, const std::string& pattern, bool literal, const std::string& path) {
    try {
        return Regex(pattern, literal);
    } catch (const util::FormatError& e) {
        r.fail(path, e.what());
    }
}

struct StepList {
    std::vector<PreTokenizerStep> steps;
    std::vector<std::string> text;  // for describe()
    bool byte_level = false;
};

void read_step(const Reader& r, const json& p, const std::string& path, StepList& out) {
    const std::string type = r.string(p, "type", path);
    if (out.byte_level && type != "Sequence") {
        r.fail(path + ".type",
               "'" + type + "' after ByteLevel is not supported (it would see mapped bytes)");
    }
    if (type == "Sequence") {
        const json& list = r.member(p, "pretokenizers", path);
        r.expect(list, json::value_t::array, path + ".pretokenizers", "an array");
        for (size_t i = 0; i < list.size(); ++i) {
            read_step(r, list[i], Reader::at(path + ".pretokenizers", i), out);
        }
    } else if (type == "Split") {
        const json& pattern = r.member(p, "pattern", path);
        const json* regex = r.find(pattern, "Regex", path + ".pattern");
        const json* literal = r.find(pattern, "String", path + ".pattern");
        if ((regex == nullptr) == (literal == nullptr)) {
            r.fail(path + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
        }
        const std::string key = path + ".pattern." + (regex ? "Regex" : "String");
        r.expect(regex ? *regex : *literal, json::value_t::string, key, "a string");
        const auto text = (regex ? *regex : *literal).get<std::string>();
        const std::string behavior = r.string(p, "behavior", path);
        const bool invert = r.boolean(p, "invert", path, false);
        out.steps.push_back(SplitStep{compile(r, text, literal != nullptr, key),
                                      behavior_of(r, behavior, path + ".behavior"), invert});
        out.text.push_back(util::str("Split(", regex ? "regex" : "string", " '", text, "', ",
                                     behavior, invert ? ", inverted" : "", ")"));
    } else if (type == "Digits") {
        const bool individual = r.boolean(p, "individual_digits", path, false);
        out.steps.push_back(SplitStep{Regex(individual ? R"(\p{N})" : R"(\p{N}+)"),
                                      SplitBehavior::isolated, false});
        out.text.push_back(
            util::str("Digits(individual_digits=", individual ? "true" : "false", ")"));
    } else if (type == "ByteLevel") {
        ByteLevelStep b{.add_prefix_space = r.boolean(p, "add_prefix_space", path, true),
                        .use_regex = r.boolean(p, "use_regex", path, true)};
        out.steps.push_back(b);
        out.text.push_back(
            util::str("ByteLevel(add_prefix_space=", b.add_prefix_space ? "true" : "false",
                      ", use_regex=", b.use_regex ? "true" : "false", ")"));
        out.byte_level = true;
    } else {
        r.fail(path + ".type", "unsupported pre-tokenizer '" + type +
                                   "'; expected Sequence, Split, Digits or ByteLevel");
    }
}

void read_decoder(const Reader& r, const json& d, const std::string& path, Tokenizer::Impl& t) {
    const std::string type = r.string(d, "type", path);
    if (type == "ByteLevel") {
        t.join_with_spaces = false;
        t.decoder_text = "ByteLevel";
    } else if (type == "Sequence") {
        const json& list = r.member(d, "decoders", path);
        r.expect(list, json::value_t::array, path + ".decoders", "an array");
        for (size_t i = 0; i < list.size(); ++i) {
            read_decoder(r, list[i], Reader::at(path + ".decoders", i), t);
        }
    } else {
        r.fail(path + ".type",
               "unsupported decoder '" + type + "'; expected ByteLevel, Sequence or null");
    }
}

// TemplateProcessing's "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}, ...].
void read_template(const Reader& r, const json& p, const std::string& path, Tokenizer::Impl& t) {
    const json& single = r.member(p, "single", path);
    r.expect(single, json::value_t::array, path + ".single", "an array");
    const json& specials = r.member(p, "special_tokens", path);
    bool seen_sequence = false;
    for (size_t i = 0; i < single.size(); ++i) {
        const std::string item = Reader::at(path + ".single", i);
        if (r.find(single[i], "Sequence", item) != nullptr) {
            seen_sequence = true;
            continue;
        }
        const std::string name =
            r.string(r.member(single[i], "SpecialToken", item), "id", item + ".SpecialToken");
        const json& entry = r.member(specials, name.c_str(), path + ".special_tokens");
        const json& ids = r.member(entry, "ids", path + ".special_tokens." + name);
        r.expect(ids, json::value_t::array, path + ".special_tokens." + name + ".ids", "an array");
        for (size_t k = 0; k < ids.size(); ++k) {
            (seen_sequence ? t.suffix : t.prefix)
                .push_back(r.id(ids[k], Reader::at(path + ".special_tokens." + name + ".ids", k)));
        }
    }
}

void read_post_processor(const Reader& r,
                         const json& p,
                         const std::string& path,
                         Tokenizer::Impl& t) {
    const std::string type = r.string(p, "type", path);
    if (type == "ByteLevel") {
        return;  // trims offsets only; ids unchanged
    }
    if (type == "TemplateProcessing") {
        read_template(r, p, path, t);
    } else if (type == "Sequence") {
        const json& list = r.member(p, "processors", path);
        r.expect(list, json::value_t::array, path + ".processors", "an array");
        for (size_t i = 0; i < list.size(); ++i) {
            read_post_processor(r, list[i], Reader::at(path + ".processors", i), t);
        }
    } else {
        r.fail(path + ".type", "unsupported post-processor '" + type +
                                   "'; expected ByteLevel, TemplateProcessing, Sequence or null");
    }
}

}  // namespace

void read_pipeline(const Reader& r, const json& root, Tokenizer::Impl& t) {
    StepList steps;
    if (const json* p = r.find(root, "pre_tokenizer", ""); p != nullptr) {
        read_step(r, *p, "pre_tokenizer", steps);
    }
    if (!steps.byte_level) {
        r.fail("pre_tokenizer",
               "r1 reads byte-level BPE: expected a ByteLevel pre-tokenizer (last in a Sequence)");
    }
    t.pre_tokenizer = PreTokenizer(std::move(steps.steps));
    t.pre_tokenizer_text = util::join(steps.text, " -> ");
    t.join_with_spaces = true;  // HF without a decoder
    if (const json* d = r.find(root, "decoder", ""); d != nullptr) {
        read_decoder(r, *d, "decoder", t);
    }
    if (const json* p = r.find(root, "post_processor", ""); p != nullptr) {
        read_post_processor(r, *p, "post_processor", t);
        t.post_processor_text = r.string(*p, "type", "post_processor");
    }
}

}  // namespace r1::tokenizer
