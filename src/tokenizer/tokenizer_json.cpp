// Tokenizer::from_json: reads a Hugging Face tokenizer.json into Tokenizer::Impl. Every problem is
// a util::FormatError naming the source and the JSON key path of the offending value.
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "tokenizer/json_reader.h"
#include "tokenizer/tokenizer_impl.h"

namespace r1::tokenizer {

namespace {

using nlohmann::json;

// -- model
// -------------------------------------------------------------------------------------------

struct Model {
    std::unordered_map<std::string, TokenId> vocab;  // tokenizer.json spelling -> id
    std::vector<MergeRule> merges;
    BpeOptions options;
};

std::pair<std::string, std::string> merge_pair(const Reader& r,
                                               const json& m,
                                               const std::string& path) {
    if (m.is_string()) {  // "a b": tokens never hold a space (ByteLevel spells it 'Ġ')
        const auto s = m.get<std::string>();
        const size_t space = s.find(' ');
        if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
            r.fail(path, "expected \"left right\" with one space, got " + m.dump());
        }
        return {s.substr(0, space), s.substr(space + 1)};
    }
    if (!m.is_array() || m.size() != 2 || !m[0].is_string() || !m[1].is_string()) {
        r.fail(path, "expected \"left right\" or [left, right], got " + m.dump());
    }
    return {m[0].get<std::string>(), m[1].get<std::string>()};
}

Model read_model(const Reader& r, const json& root) {
    const json& model = r.member(root, "model", "");
    if (const json* type = r.find(model, "type", "model"); type != nullptr && *type != "BPE") {
        r.fail("model.type", "unsupported model " + type->dump() + "; expected \"BPE\"");
    }
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        const json* v = r.find(model, key, "model");
        if (v != nullptr && !(v->is_string() && v->get<std::string>().empty())) {
            r.fail(Reader::join("model", key),
                   "unsupported (byte-level BPE uses none), got " + v->dump());
        }
    }
    if (const json* dropout = r.find(model, "dropout", "model"); dropout != nullptr) {
        r.fail("model.dropout", "BPE dropout is not supported for encoding; expected null");
    }
    Model out;
    const json& vocab = r.member(model, "vocab", "model");
    r.expect(vocab, json::value_t::object, "model.vocab", "an object of token -> id");
    for (const auto& [token, id] : vocab.items()) {
        out.vocab[token] = r.id(id, "model.vocab." + token);
    }
    const json& merges = r.member(model, "merges", "model");
    r.expect(merges, json::value_t::array, "model.merges", "an array");
    out.merges.reserve(merges.size());
    for (size_t i = 0; i < merges.size(); ++i) {
        const std::string path = Reader::at("model.merges", i);
        auto [left, right] = merge_pair(r, merges[i], path);
        MergeRule rule;
        for (auto [token, slot] : {std::pair{&left, &rule.left}, {&right, &rule.right}}) {
            auto it = out.vocab.find(*token);
            if (it == out.vocab.end()) {
                r.fail(path, "token '" + *token + "' is not in model.vocab");
            }
            *slot = it->second;
        }
        auto merged = out.vocab.find(left + right);
        if (merged == out.vocab.end()) {
            r.fail(path, "merged token '" + left + right + "' is not in model.vocab");
        }
        rule.merged = merged->second;
        out.merges.push_back(rule);
    }
    out.options.ignore_merges = r.boolean(model, "ignore_merges", "model", false);
    if (const json* unk = r.find(model, "unk_token", "model"); unk != nullptr) {
        r.expect(*unk, json::value_t::string, "model.unk_token", "a string or null");
        auto it = out.vocab.find(unk->get<std::string>());
        if (it == out.vocab.end()) {
            r.fail("model.unk_token", "token " + unk->dump() + " is not in model.vocab");
        }
        out.options.unk_id = it->second;
    }
    return out;
}

// -- added tokens, normalizer
// ------------------------------------------------------------------------

std::vector<AddedToken> read_added(const Reader& r, const json& root, const Model& model) {
    std::vector<AddedToken> out;
    const json* added = r.find(root, "added_tokens", "");
    if (added == nullptr) {
        return out;
    }
    r.expect(*added, json::value_t::array, "added_tokens", "an array");
    for (size_t i = 0; i < added->size(); ++i) {
        const std::string path = Reader::at("added_tokens", i);
        const json& a = (*added)[i];
        AddedToken t;
        t.id = r.id(r.member(a, "id", path), path + ".id");
        t.content = r.string(a, "content", path);
        if (t.content.empty()) {
            r.fail(path + ".content", "an added token cannot be empty");
        }
        t.single_word = r.boolean(a, "single_word", path, false);
        t.lstrip = r.boolean(a, "lstrip", path, false);
        t.rstrip = r.boolean(a, "rstrip", path, false);
        t.normalized = r.boolean(a, "normalized", path, true);
        t.special = r.boolean(a, "special", path, false);
        if (auto it = model.vocab.find(t.content); it != model.vocab.end()) {
            t.id = it->second;  // HF gives a token already in the model vocabulary the model's id
        }
        out.push_back(std::move(t));
    }
    return out;
}

void read_normalizer(const Reader& r, const json& n, const std::string& path, Tokenizer::Impl& t) {
    const std::string type = r.string(n, "type", path);
    if (type == "NFC") {
        t.normalizer = Normalizer::nfc;
        t.normalizer_text = "NFC";
    } else if (type == "Sequence") {
        const json& list = r.member(n, "normalizers", path);
        r.expect(list, json::value_t::array, path + ".normalizers", "an array");
        for (size_t i = 0; i < list.size(); ++i) {
            read_normalizer(r, list[i], Reader::at(path + ".normalizers", i), t);
        }
    } else {
        r.fail(path + ".type",
               "unsupported normalizer '" + type + "'; expected NFC, Sequence or null");
    }
}

}  // namespace

namespace {

void index_tokens(const Model& model, Tokenizer::Impl& t) {
    size_t size = 0;
    for (const auto& [token, id] : model.vocab) {
        size = std::max(size, static_cast<size_t>(id) + 1);
    }
    t.model_vocab_size = model.vocab.size();
    for (const AddedToken& a : t.added) {
        size = std::max(size, static_cast<size_t>(a.id) + 1);
    }
    t.token_strings.assign(size, {});
    t.token_bytes.assign(size, {});
    t.present.assign(size, 0);
    t.special.assign(size, 0);
    std::unordered_map<std::string, TokenId> bytes_vocab;  // only tokens BPE can produce
    for (const auto& [token, id] : model.vocab) {
        std::optional<std::string> bytes = unicode_to_bytes(token);
        if (bytes) {
            bytes_vocab[*bytes] = id;
        }
        t.token_strings[id] = token;
        t.token_bytes[id] =
            bytes.value_or(token);  // HF's ByteLevel decoder keeps unmappable tokens raw
        t.present[id] = 1;
        t.string_to_id[token] = id;
    }
    for (const AddedToken& a : t.added) {
        t.token_strings[a.id] = a.content;
        t.token_bytes[a.id] = unicode_to_bytes(a.content).value_or(a.content);
        t.present[a.id] = 1;
        t.special[a.id] = a.special ? 1 : 0;
        t.string_to_id[a.content] = a.id;
    }
    t.bpe = std::make_unique<Bpe>(std::move(bytes_vocab), model.merges, model.options);
}

void build_matchers(Tokenizer::Impl& t) {
    std::vector<AddedToken> raw, normalized;
    std::vector<std::string> raw_patterns, normalized_patterns;
    // HF: special tokens first, then the others, each in file order.
    for (bool special : {true, false}) {
        for (const AddedToken& a : t.added) {
            if (a.special != special) {
                continue;
            }
            if (a.normalized) {
                std::string n;
                normalized_patterns.push_back(normalize(t.normalizer, a.content, n) ? n
                                                                                    : a.content);
                normalized.push_back(a);
            } else {
                raw_patterns.push_back(a.content);
                raw.push_back(a);
            }
        }
    }
    t.raw_matcher = AddedTokenMatcher(std::move(raw), std::move(raw_patterns));
    t.normalized_matcher = AddedTokenMatcher(std::move(normalized), std::move(normalized_patterns));
}

}  // namespace

Tokenizer Tokenizer::from_json(std::string_view text, const std::string& source) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception& e) {
        throw util::FormatError(util::str("invalid JSON: ", e.what()),
                                util::Location{.source = source});
    }
    const Reader r(source);
    r.expect(root, json::value_t::object, "(root)", "an object");
    auto impl = std::make_shared<Impl>();
    const Model model = read_model(r, root);
    impl->added = read_added(r, root, model);
    if (const json* n = r.find(root, "normalizer", ""); n != nullptr) {
        read_normalizer(r, *n, "normalizer", *impl);
    }
    read_pipeline(r, root, *impl);
    index_tokens(model, *impl);
    build_matchers(*impl);
    return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_file(const std::filesystem::path& path) {
    return from_json(util::read_file(path), path.string());
}

}  // namespace r1::tokenizer
