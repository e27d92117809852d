// Byte-level BPE training: learns merges from a corpus (pre-split with a regex, Qwen2's by default)
// up to a vocabulary size, and writes the result as a tokenizer.json that both r1 and Hugging Face
// tokenizers load and encode identically.
#pragma once

#include "r1/tokenizer/pretokenize.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace r1::tokenizer {

/// A byte-level BPE vocabulary: token ids in order, then the special tokens.
struct BpeVocabulary {
    std::vector<std::string> tokens;  // id -> raw bytes; 0..255 are the bytes
    std::vector<std::pair<std::string, std::string>> merges;  // rank order, raw bytes
    std::vector<std::string> specials;  // ids tokens.size(), tokens.size() + 1, ...
    std::string split_pattern;          // Split regex before ByteLevel; "" for none
};

/// tokenizer.json text: BPE model, specials as added_tokens (special, never normalised),
/// pre_tokenizer Sequence[Split(pattern, Isolated), ByteLevel(add_prefix_space=false,
/// use_regex=false)], ByteLevel decoder.
std::string to_tokenizer_json(const BpeVocabulary& vocabulary);

struct TrainOptions {
    int64_t vocab_size = 32000;         // bytes + merges + specials
    std::vector<std::string> specials;  // never split; never learnt from
    std::string split_pattern = std::string(kQwen2Pattern);
    int64_t min_frequency = 2;  // a pair seen fewer times is never merged
};

/// Learns merges from `corpus`: the most frequent adjacent pair (ties: the smaller byte strings
/// first) becomes a token, until vocab_size or no pair reaches min_frequency. Special tokens in the
/// corpus are cut out first, as encoding will. util::ConfigError if vocab_size < 256 + specials.
BpeVocabulary train_bpe(std::string_view corpus, const TrainOptions& options);

}  // namespace r1::tokenizer
