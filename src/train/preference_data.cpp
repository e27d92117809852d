// Preference pairs from JSONL files or a built-in task to token ids and batches
// (train/preference_data.h).
#include "r1/train/preference_data.h"

#include "r1/data/loader.h"
#include "r1/data/tasks/task.h"
#include "r1/model/score.h"
#include "r1/train/row_files.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace r1::train {
namespace {

std::vector<int64_t> encode(const tokenizer::Tokenizer& tok,
                            const std::string& text,
                            bool special) {
    const auto ids = tok.encode(text, {.add_special = special});
    return {ids.begin(), ids.end()};
}

std::vector<tokenizer::Message> to_chat(const std::vector<data::Message>& a,
                                        const std::vector<data::Message>& b) {
    std::vector<tokenizer::Message> out;
    for (const auto* part : {&a, &b}) {
        for (const auto& m : *part) {
            out.push_back({m.role, m.content});
        }
    }
    return out;
}

std::vector<data::PreferencePair> task_pairs(const RmDataOptions& o, uint64_t seed, int64_t n) {
    const auto task = data::tasks::find_task(o.task).make(o.task_options);
    std::vector<data::PreferencePair> out;
    for (int64_t i = 0; i < n; ++i) {
        out.push_back(task->preference(seed, static_cast<uint64_t>(i)));
        out.back().where = {.source = util::str("task ", o.task, " stream ", seed, " pair ", i)};
    }
    return out;
}

PreferenceSet encode_set(const std::vector<data::PreferencePair>& rows,
                         const RmDataOptions& o,
                         const RmEncoder& encoder) {
    PreferenceSet out;
    for (const auto& row : rows) {
        auto pair = encode_pair(row, encoder);
        const auto longest =
            static_cast<int64_t>(std::max(pair.chosen.size(), pair.rejected.size()));
        if (longest > o.max_length) {
            ++out.dropped;  // TRL drops such pairs rather than cutting the part that differs
            continue;
        }
        out.margins = out.margins || row.margin.has_value();
        out.pairs.push_back(std::move(pair));
    }
    return out;
}

}  // namespace

std::vector<int64_t> encode_response(const std::optional<std::string>& prompt,
                                     const std::string& response,
                                     const RmEncoder& encoder) {
    const std::string text = prompt ? encoder.chat.render(*prompt) + response : response;
    auto ids = encode(encoder.tokenizer, text, true);
    if (encoder.eos_id >= 0 && (ids.empty() || ids.back() != encoder.eos_id)) {
        ids.push_back(encoder.eos_id);
    }
    return ids;
}

std::vector<int64_t> encode_conversation(const std::vector<data::Message>& messages,
                                         const RmEncoder& encoder) {
    return encode(encoder.tokenizer, encoder.chat.render(to_chat(messages, {}), false), false);
}

PreferenceExample encode_pair(const data::PreferencePair& pair, const RmEncoder& encoder) {
    PreferenceExample out{.margin = pair.margin.value_or(0.0)};
    try {
        if (pair.conversational) {
            std::vector<data::Message> chosen = pair.prompt_messages,
                                       rejected = pair.prompt_messages;
            chosen.insert(chosen.end(), pair.chosen_messages.begin(), pair.chosen_messages.end());
            rejected.insert(rejected.end(), pair.rejected_messages.begin(),
                            pair.rejected_messages.end());
            out.chosen = encode_conversation(chosen, encoder);
            out.rejected = encode_conversation(rejected, encoder);
        } else {
            out.chosen = encode_response(pair.prompt, pair.chosen, encoder);
            out.rejected = encode_response(pair.prompt, pair.rejected, encoder);
        }
    } catch (const util::ConfigError& e) {  // a conversation under a single-prompt template
        throw util::FormatError(e.what(), pair.where);
    }
    if (out.chosen.empty() || out.rejected.empty()) {
        throw util::FormatError("a side of the pair encodes to no tokens: nothing to score",
                                pair.where);
    }
    return out;
}

PreferenceSets load_preference_sets(const RmDataOptions& o,
                                    const RmEncoder& encoder,
                                    uint64_t seed) {
    std::vector<data::PreferencePair> train =
        read_weighted_files<data::PreferencePair>(o.train, o.on_error, seed);
    std::vector<data::PreferencePair> eval;
    if (!o.task.empty()) {
        const auto pairs = task_pairs(o, static_cast<uint64_t>(o.task_seed), o.task_size);
        train.insert(train.begin(), pairs.begin(), pairs.end());
        eval = task_pairs(o, static_cast<uint64_t>(o.task_seed + 1), o.eval_size);
    }
    const auto held_out = read_files<data::PreferencePair>(o.eval, o.on_error);
    eval.insert(eval.end(), held_out.begin(), held_out.end());
    if (o.eval_fraction > 0) {  // keyed by the whole pair: duplicates land together
        data::hold_out(train, eval, o.eval_fraction, seed,
                       [](const data::PreferencePair& p) { return data::to_json(p).dump(); });
    }
    PreferenceSets out{encode_set(train, o, encoder), encode_set(eval, o, encoder)};
    if (out.train.pairs.empty()) {
        throw util::ConfigError(util::str(
            "rm: no training pairs (data.train, data.task, "
            "data.eval_fraction); ",
            out.train.dropped, " dropped as longer than data.max_length (", o.max_length, ")"));
    }
    return out;
}

PairBatch collate_pairs(const PreferenceSet& set,
                        const std::vector<int64_t>& rows,
                        int64_t pad_id) {
    std::vector<const std::vector<int64_t>*> sides;
    for (const bool chosen : {true, false}) {
        for (const int64_t r : rows) {
            const auto& pair = set.pairs[static_cast<size_t>(r)];
            sides.push_back(chosen ? &pair.chosen : &pair.rejected);
        }
    }
    auto [ids, mask] = model::right_padded(sides, pad_id);
    PairBatch batch{.input_ids = std::move(ids), .attention_mask = std::move(mask)};
    if (set.margins) {
        std::vector<double> margins;
        for (const int64_t r : rows) {
            margins.push_back(set.pairs[static_cast<size_t>(r)].margin);
        }
        batch.margin = at::tensor(margins, at::kDouble);
    }
    return batch;
}

}  // namespace r1::train
