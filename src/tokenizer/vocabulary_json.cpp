// Writing tokenizer.json for r1's own vocabularies (trained BPE, the byte tokenizer), in the layout
// Hugging Face tokenizers serialises, so `Tokenizer.from_file` loads them unchanged.
#include "r1/tokenizer/tokenizer.h"
#include "r1/tokenizer/trainer.h"

#include <nlohmann/json.hpp>

namespace r1::tokenizer {

std::string to_tokenizer_json(const BpeVocabulary& v) {
    using nlohmann::ordered_json;
    ordered_json added = ordered_json::array();
    for (size_t i = 0; i < v.specials.size(); ++i) {
        added.push_back({{"id", v.tokens.size() + i},
                         {"content", v.specials[i]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    }
    const ordered_json byte_level = {{"type", "ByteLevel"},
                                     {"add_prefix_space", false},
                                     {"trim_offsets", true},
                                     {"use_regex", false}};
    ordered_json pre_tokenizer = byte_level;
    if (!v.split_pattern.empty()) {
        pre_tokenizer = {{"type", "Sequence"},
                         {"pretokenizers",
                          {{{"type", "Split"},
                            {"pattern", {{"Regex", v.split_pattern}}},
                            {"behavior", "Isolated"},
                            {"invert", false}},
                           byte_level}}};
    }
    ordered_json vocab = ordered_json::object();
    for (size_t id = 0; id < v.tokens.size(); ++id) {
        vocab[bytes_to_unicode(v.tokens[id])] = id;
    }
    ordered_json merges = ordered_json::array();
    for (const auto& [left, right] : v.merges) {
        merges.push_back({bytes_to_unicode(left), bytes_to_unicode(right)});
    }
    const ordered_json model = {{"type", "BPE"},
                                {"dropout", nullptr},
                                {"unk_token", nullptr},
                                {"continuing_subword_prefix", nullptr},
                                {"end_of_word_suffix", nullptr},
                                {"fuse_unk", false},
                                {"byte_fallback", false},
                                {"ignore_merges", false},
                                {"vocab", vocab},
                                {"merges", merges}};
    const ordered_json root = {
        {"version", "1.0"},          {"truncation", nullptr}, {"padding", nullptr},
        {"added_tokens", added},     {"normalizer", nullptr}, {"pre_tokenizer", pre_tokenizer},
        {"post_processor", nullptr}, {"decoder", byte_level}, {"model", model}};
    return root.dump(2);
}

std::string Tokenizer::bytes_json(const std::vector<std::string>& specials) {
    BpeVocabulary v;
    for (int b = 0; b < 256; ++b) {
        v.tokens.emplace_back(1, static_cast<char>(b));
    }
    v.specials = specials;
    return to_tokenizer_json(v);
}

Tokenizer Tokenizer::bytes(const std::vector<std::string>& specials) {
    return from_json(bytes_json(specials), "<byte tokenizer>");
}

}  // namespace r1::tokenizer
