// describe(): the summary `r1 info tokenizer.json` prints.
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/str.h"

#include "tokenizer/tokenizer_impl.h"

namespace r1::tokenizer {

namespace {

std::string listing(const std::vector<AddedToken>& tokens, bool special) {
    std::vector<std::string> parts;
    for (const AddedToken& t : tokens) {
        if (t.special == special) {
            parts.push_back(util::str(t.content, "=", t.id));
        }
    }
    return util::str(parts.size(), parts.empty() ? "" : " (", util::join(parts, ", "),
                     parts.empty() ? "" : ")");
}

}  // namespace

std::string describe(const std::filesystem::path& tokenizer_json) {
    const Tokenizer tokenizer = Tokenizer::from_file(tokenizer_json);
    const Tokenizer::Impl& t = *tokenizer.impl_;
    return util::str(
        tokenizer_json.string(), ": byte-level BPE tokenizer\n",
        "  vocab size:     ", tokenizer.vocab_size(), " (", t.model_vocab_size, " model tokens, ",
        t.added.size(), " added)\n", "  merges:         ", tokenizer.merge_count(), "\n",
        "  special tokens: ", listing(t.added, true), "\n",
        "  added tokens:   ", listing(t.added, false), "\n",
        "  normalizer:     ", t.normalizer_text, "\n", "  pre-tokenizer:  ", t.pre_tokenizer_text,
        "\n", "  decoder:        ", t.decoder_text, "\n",
        "  post-processor: ", t.post_processor_text, "\n");
}

}  // namespace r1::tokenizer
