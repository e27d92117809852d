#include "r1/tokenizer/tokenizer.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/Parallel.h>

#include "tokenizer/tokenizer_impl.h"

namespace r1::tokenizer {

namespace {

// Per-thread buffers, so encoding a short text allocates little more than its result.
struct Workspace {
    std::vector<TextPiece> raw;
    std::vector<TextPiece> normalized;
    Pieces words;
};

void encode_words(const Tokenizer::Impl& t,
                  std::string_view text,
                  Workspace& ws,
                  std::vector<TokenId>& ids) {
    t.pre_tokenizer.split(text, ws.words);
    for (std::string_view word : ws.words.views) {
        t.bpe->encode_word(word, ids);
    }
}

}  // namespace

std::vector<TokenId> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
    const Impl& t = *impl_;
    thread_local Workspace ws;
    std::vector<TokenId> ids;
    ids.reserve(text.size() / 3 + t.prefix.size() + t.suffix.size());
    if (options.add_special) {
        ids.insert(ids.end(), t.prefix.begin(), t.prefix.end());
    }
    ws.raw.clear();
    t.raw_matcher.split(text, ws.raw);  // HF's AddedVocabulary::extract_and_normalize, step 1
    std::string normalized;
    for (const TextPiece& piece : ws.raw) {
        if (piece.id >= 0) {
            ids.push_back(piece.id);
            continue;
        }
        const std::string_view view =
            normalize(t.normalizer, piece.text, normalized) ? normalized : piece.text;
        if (t.normalized_matcher.empty()) {
            encode_words(t, view, ws, ids);
            continue;
        }
        ws.normalized.clear();
        t.normalized_matcher.split(view, ws.normalized);  // step 2: normalised added tokens
        for (const TextPiece& sub : ws.normalized) {
            if (sub.id >= 0) {
                ids.push_back(sub.id);
            } else {
                encode_words(t, sub.text, ws, ids);
            }
        }
    }
    if (options.add_special) {
        ids.insert(ids.end(), t.suffix.begin(), t.suffix.end());
    }
    return ids;
}

std::vector<std::vector<TokenId>> Tokenizer::encode_batch(const std::vector<std::string>& texts,
                                                          EncodeOptions options) const {
    std::vector<std::vector<TokenId>> out(texts.size());
    at::parallel_for(0, static_cast<int64_t>(texts.size()), 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            out[i] = encode(texts[i], options);
        }
    });
    return out;
}

std::string Tokenizer::decode(std::span<const TokenId> ids, DecodeOptions options) const {
    const Impl& t = *impl_;
    std::string out;
    bool first = true;
    for (const TokenId id : ids) {
        if (id < 0 || static_cast<size_t>(id) >= t.present.size() || t.present[id] == 0) {
            throw util::FormatError(util::str(
                "decode: token id ", id, " is not in the vocabulary (", t.present.size(), " ids)"));
        }
        if (options.skip_special && t.special[id] != 0) {
            continue;
        }
        if (t.join_with_spaces && !first) {
            out += ' ';
        }
        out += t.join_with_spaces ? t.token_strings[id] : t.token_bytes[id];
        first = false;
    }
    return out;
}

std::optional<TokenId> Tokenizer::token_to_id(std::string_view token) const {
    auto it = impl_->string_to_id.find(std::string(token));
    return it == impl_->string_to_id.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::string> Tokenizer::id_to_token(TokenId id) const {
    if (id < 0 || static_cast<size_t>(id) >= impl_->present.size() || impl_->present[id] == 0) {
        return std::nullopt;
    }
    return impl_->token_strings[id];
}

int64_t Tokenizer::vocab_size() const {
    return static_cast<int64_t>(impl_->present.size());
}

size_t Tokenizer::merge_count() const {
    return impl_->bpe->merge_count();
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const {
    return impl_->added;
}

std::vector<AddedToken> Tokenizer::special_tokens() const {
    std::vector<AddedToken> out;
    for (const AddedToken& t : impl_->added) {
        if (t.special) {
            out.push_back(t);
        }
    }
    return out;
}

}  // namespace r1::tokenizer
