// SFT rows as token ids with a loss mask: a row is rendered into text segments by its template (the
// prompt untrained; the completion, or each assistant turn, trained), each segment is encoded on
// its own (as generation later encodes the prompt alone), and the document is cut to max_length.
// collate() then lays documents out as padded rows, or packed rows of whole documents.
#pragma once

#include "r1/data/sample.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace r1::train {

enum class Packing { none, bfd };
enum class LossNorm { token, sequence };

constexpr auto enum_names(Packing) {
    return std::array{std::pair{Packing::none, "none"}, std::pair{Packing::bfd, "bfd"}};
}

constexpr auto enum_names(LossNorm) {
    return std::array{std::pair{LossNorm::token, "token"},
                      std::pair{LossNorm::sequence, "sequence"}};
}

/// How rows become text. `chat` renders a conversation (optionally opening the assistant's
/// turn); `prompt` renders a string prompt for its completion (the identity for plain text).
struct SftRenderer {
    std::function<std::string(const std::vector<tokenizer::Message>&, bool)> chat;
    std::function<std::string(std::string_view)> prompt;
    bool completion_only = true;  // false: every token of every row is trained
};

struct TextSegment {
    std::string text;
    bool train = false;
};

/// The row's text, in order, each piece marked trained or not. A conversation's template must
/// render earlier turns the same whatever follows (R1-Distill's drops earlier <think> content: a
/// training template is needed then); FormatError naming the row's file:line otherwise.
std::vector<TextSegment> render_sft_row(const data::SftExample& row, const SftRenderer& renderer);

struct SftDocument {
    std::vector<int64_t> ids;
    std::vector<uint8_t> train;  // 1: token i is a loss target (predicted at i - 1); train[0] = 0
    int64_t truncated_tokens = 0;
    int64_t trained_tokens = 0;
};

struct TokenizeOptions {
    int64_t eos_id = -1;        // appended after text and string-completion rows
    int64_t max_length = 1024;  // tokens kept (the rest cut from the right, and counted)
};

/// Encodes the segments; FormatError naming the row's file:line when no token is left to train.
SftDocument tokenize_sft_row(const data::SftExample& row,
                             const std::vector<TextSegment>& segments,
                             const tokenizer::Tokenizer& tok,
                             const TokenizeOptions& options);

/// One micro-batch. Each row is one document (padded) or several (packed, position_ids set).
struct SftBatch {
    at::Tensor input_ids;       // [b, S] int64 (padding: pad_id)
    at::Tensor attention_mask;  // [b, S] int64 1/0
    at::Tensor position_ids;    // [b, S] restarting at 0 per document (packed), else undefined
    at::Tensor train;           // [b, S] bool: the token is a loss target
    at::Tensor document;        // [b, S] int64 index into `rows`' documents, in order; -1 padding
    int64_t documents = 0;
};

/// Rows of document indices (one each unpadded; several when packed) -> a padded micro-batch.
SftBatch collate(const std::vector<SftDocument>& documents,
                 const std::vector<std::vector<int64_t>>& rows,
                 int64_t pad_id,
                 bool packed);

}  // namespace r1::train
