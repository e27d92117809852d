// Private: the state behind a Tokenizer, filled by the tokenizer.json loader (tokenizer_json.cpp)
// and used by encode/decode (tokenizer.cpp).
#pragma once

#include "r1/tokenizer/added_tokens.h"
#include "r1/tokenizer/bpe.h"
#include "r1/tokenizer/normalizer.h"
#include "r1/tokenizer/pretokenize.h"
#include "r1/tokenizer/tokenizer.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace r1::tokenizer {

struct Tokenizer::Impl {
    Normalizer normalizer = Normalizer::none;
    std::vector<AddedToken> added;
    AddedTokenMatcher raw_matcher;  // added tokens with normalized=false: matched in the raw text
    AddedTokenMatcher normalized_matcher;  // normalized=true: matched after NFC
    PreTokenizer pre_tokenizer;
    std::unique_ptr<Bpe> bpe;
    size_t model_vocab_size = 0;

    std::vector<std::string> token_strings;  // id -> tokenizer.json spelling ("" for holes)
    std::vector<std::string> token_bytes;    // id -> what decode writes
    std::vector<uint8_t> present;            // id -> 1 if some token has it
    std::vector<uint8_t> special;            // id -> 1 for special added tokens
    std::unordered_map<std::string, TokenId> string_to_id;
    bool join_with_spaces = false;  // no decoder: HF joins token strings with ' '

    std::vector<TokenId> prefix;  // post-processor template around a single sequence
    std::vector<TokenId> suffix;

    std::string normalizer_text = "none";  // for describe()
    std::string pre_tokenizer_text = "none";
    std::string decoder_text = "none";
    std::string post_processor_text = "none";
};

}  // namespace r1::tokenizer
