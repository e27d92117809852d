#include "r1/train/sft_data.h"

#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

namespace r1::train {
namespace {

using Shape = data::SftExample::Shape;

std::vector<tokenizer::Message> to_chat(const std::vector<data::Message>& messages, size_t end) {
    std::vector<tokenizer::Message> out;
    for (size_t i = 0; i < end; ++i) {
        out.push_back({messages[i].role, messages[i].content});
    }
    return out;
}

util::FormatError row_error(const data::SftExample& row, const std::string& message) {
    return util::FormatError(
        util::str(row.where.str(), row.where.str().empty() ? "" : ": ", message));
}

/// Each trained assistant turn is what rendering it adds to the conversation before it with the
/// assistant's turn opened; the rest of the text is untrained.
std::vector<TextSegment> conversation_segments(const data::SftExample& row,
                                               const SftRenderer& renderer) {
    if (!renderer.chat) {
        throw row_error(row, "a conversation needs a chat template (data.chat_template)");
    }
    std::vector<TextSegment> out;
    std::string emitted;
    const auto take = [&](const std::string& text, bool train) {
        if (!text.starts_with(emitted)) {
            throw row_error(row,
                            "the chat template renders earlier turns differently once later "
                            "turns follow (as R1-Distill's drops earlier <think> content); train "
                            "with a template that keeps every turn");
        }
        out.push_back({text.substr(emitted.size()), train});
        emitted = text;
    };
    const auto& m = row.messages;
    for (size_t i = row.completion_from; i < m.size(); ++i) {
        if (m[i].role != "assistant" || !renderer.completion_only) {
            continue;
        }
        take(renderer.chat(to_chat(m, i), true), false);
        take(renderer.chat(to_chat(m, i + 1), false), true);
    }
    take(renderer.chat(to_chat(m, m.size()), false), !renderer.completion_only);
    return out;
}

}  // namespace

std::vector<TextSegment> render_sft_row(const data::SftExample& row, const SftRenderer& renderer) {
    switch (row.shape) {
        case Shape::text:
            return {{row.text, true}};
        case Shape::prompt_completion:
            if (row.messages.empty()) {
                return {{renderer.prompt(row.prompt), !renderer.completion_only},
                        {row.completion, true}};
            }
            break;
        case Shape::conversation:
            break;
    }
    return conversation_segments(row, renderer);
}

SftDocument tokenize_sft_row(const data::SftExample& row,
                             const std::vector<TextSegment>& segments,
                             const tokenizer::Tokenizer& tok,
                             const TokenizeOptions& options) {
    SftDocument doc;
    for (const auto& segment : segments) {
        if (segment.text.empty()) {
            continue;
        }
        for (const auto id : tok.encode(segment.text)) {
            doc.ids.push_back(id);
            doc.train.push_back(segment.train ? 1 : 0);
        }
    }
    const bool string_completion =
        row.shape == Shape::text || (row.shape == Shape::prompt_completion && row.messages.empty());
    if (string_completion &&
        options.eos_id >= 0) {  // the model learns to stop (as TRL appends EOS)
        doc.ids.push_back(options.eos_id);
        doc.train.push_back(1);
    }
    const auto n = static_cast<int64_t>(doc.ids.size());
    if (n > options.max_length) {
        doc.truncated_tokens = n - options.max_length;
        doc.ids.resize(static_cast<size_t>(options.max_length));
        doc.train.resize(static_cast<size_t>(options.max_length));
    }
    if (!doc.train.empty()) {
        doc.train[0] = 0;  // nothing predicts the first token
    }
    for (const auto t : doc.train) {
        doc.trained_tokens += t;
    }
    if (doc.trained_tokens == 0) {
        throw row_error(row, doc.truncated_tokens > 0
                                 ? util::str("no token left to train after cutting the row to ",
                                             options.max_length,
                                             " tokens (data.max_length); the loss would be 0")
                                 : std::string("no token to train (no completion or assistant "
                                               "turn): the loss would silently be 0"));
    }
    return doc;
}

SftBatch collate(const std::vector<SftDocument>& documents,
                 const std::vector<std::vector<int64_t>>& rows,
                 int64_t pad_id,
                 bool packed) {
    const auto b = static_cast<int64_t>(rows.size());
    int64_t S = 1;
    for (const auto& row : rows) {
        int64_t n = 0;
        for (const int64_t d : row) {
            n += static_cast<int64_t>(documents[static_cast<size_t>(d)].ids.size());
        }
        S = std::max(S, n);
    }
    std::vector<int64_t> ids(static_cast<size_t>(b * S), pad_id), mask(ids.size(), 0),
        pos(ids.size(), 0), doc_of(ids.size(), -1);
    std::vector<uint8_t> train(ids.size(), 0);
    int64_t next_doc = 0;
    for (int64_t r = 0; r < b; ++r) {
        size_t at = static_cast<size_t>(r * S);
        for (const int64_t d : rows[static_cast<size_t>(r)]) {
            const auto& doc = documents[static_cast<size_t>(d)];
            for (size_t i = 0; i < doc.ids.size(); ++i, ++at) {
                ids[at] = doc.ids[i];
                mask[at] = 1;
                pos[at] = static_cast<int64_t>(i);
                train[at] = doc.train[i];
                doc_of[at] = next_doc;
            }
            ++next_doc;
        }
    }
    const auto as_tensor = [b, S](std::vector<int64_t>& v) {
        return at::tensor(v, at::kLong).view({b, S});
    };
    SftBatch batch{.input_ids = as_tensor(ids),
                   .attention_mask = as_tensor(mask),
                   .train = at::tensor(std::vector<int64_t>(train.begin(), train.end()), at::kLong)
                                .view({b, S})
                                .to(at::kBool),
                   .document = as_tensor(doc_of),
                   .documents = next_doc};
    if (packed) {
        batch.position_ids = as_tensor(pos);
    }
    return batch;
}

}  // namespace r1::train
