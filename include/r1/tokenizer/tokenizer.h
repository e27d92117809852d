// Tokenizer: text <-> token ids, compatible with Hugging Face tokenizer.json files for byte-level
// BPE (DeepSeek-V3, Qwen2, Llama 3): added/special tokens, NFC, Split/ByteLevel/Digits
// pre-tokenizers, the ByteLevel decoder. Tokenizer::bytes() is the byte-level tokenizer (256 byte
// tokens + specials) for synthetic tasks: a BPE without merges, so one class, one code path and one
// file format serve both.
#pragma once

#include "r1/tokenizer/added_tokens.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace r1::tokenizer {

struct EncodeOptions {
    /// Apply the post-processor's template (e.g. Llama 3's <|begin_of_text|>). Off by default,
    /// unlike HF: r1's prompt templates write their control tokens into the text themselves.
    bool add_special = false;
};

struct DecodeOptions {
    bool skip_special = false;  // drop tokens marked special
};

class Tokenizer {
  public:
    /// Loads a tokenizer.json. Malformed files throw util::FormatError naming the file and key path
    /// ("tok.json: key 'model.merges[12]': token 'xy' is not in model.vocab"); unreadable: IoError.
    static Tokenizer from_file(const std::filesystem::path& path);
    /// The same from text; `source` names it in errors.
    static Tokenizer from_json(std::string_view json, const std::string& source);
    /// 256 byte tokens (id = byte value) followed by `specials` (ids 256, 257, ...).
    static Tokenizer bytes(const std::vector<std::string>& specials);
    /// The tokenizer.json of bytes(specials): Hugging Face tokenizers loads it and agrees.
    static std::string bytes_json(const std::vector<std::string>& specials);

    /// Any bytes are accepted: invalid UTF-8 skips NFC and goes through ByteLevel byte by byte.
    std::vector<TokenId> encode(std::string_view text, EncodeOptions options = {}) const;
    /// encode() of each text, in parallel on LibTorch's intra-op threads.
    std::vector<std::vector<TokenId>> encode_batch(const std::vector<std::string>& texts,
                                                   EncodeOptions options = {}) const;
    /// The exact bytes the ids stand for (HF would additionally replace invalid UTF-8 with U+FFFD).
    /// Ids outside the vocabulary throw util::FormatError.
    std::string decode(std::span<const TokenId> ids, DecodeOptions options = {}) const;

    /// Token strings as tokenizer.json spells them ("Ġthe" for model tokens, content for added
    /// ones).
    std::optional<TokenId> token_to_id(std::string_view token) const;
    std::optional<std::string> id_to_token(TokenId id) const;
    /// One past the largest id (model vocabulary and added tokens).
    int64_t vocab_size() const;
    size_t merge_count() const;
    const std::vector<AddedToken>& added_tokens() const;
    /// Added tokens with special=true, in file order.
    std::vector<AddedToken> special_tokens() const;

    struct Impl;

    explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  private:
    friend std::string describe(const std::filesystem::path& tokenizer_json);
    std::shared_ptr<const Impl> impl_;  // immutable: copies share it, threads may encode at once
};

/// A one-paragraph summary of a tokenizer.json for `r1 info`: vocabulary size, merges, added and
/// special tokens, normaliser, pre-tokenizer steps, decoder.
std::string describe(const std::filesystem::path& tokenizer_json);

}  // namespace r1::tokenizer
