// Preference pairs as the reward model reads them: each side rendered and encoded as one text
// (TRL's way: prompt + response + EOS, or a conversation), pairs over max_length dropped and
// counted, and micro-batches of chosen rows then rejected rows (TRL's DataCollatorForPreference).
#pragma once

#include "r1/data/sample.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/train/reward_model.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace r1::train {

/// What turns one response into the reward model's token ids.
struct RmEncoder {
    const tokenizer::Tokenizer& tokenizer;
    const tokenizer::ChatTemplate& chat;
    int64_t eos_id = -1;  // appended to string rows (TRL adds EOS unless the text ends with it)
};

/// A string row's side: template(prompt) + response (just the response when the prompt is
/// implicit), encoded with the tokenizer's special-token template as TRL's tokenizer call does,
/// then EOS.
std::vector<int64_t> encode_response(const std::optional<std::string>& prompt,
                                     const std::string& response,
                                     const RmEncoder& encoder);

/// A conversation rendered by the chat template (no generation prompt) and encoded as it is: TRL
/// appends no EOS to conversations, their template closes each turn.
std::vector<int64_t> encode_conversation(const std::vector<data::Message>& messages,
                                         const RmEncoder& encoder);

struct PreferenceExample {
    std::vector<int64_t> chosen;
    std::vector<int64_t> rejected;
    double margin = 0.0;
};

/// Both sides of `pair` encoded; FormatError naming the row's file:line on a rendering problem.
PreferenceExample encode_pair(const data::PreferencePair& pair, const RmEncoder& encoder);

struct PreferenceSet {
    std::vector<PreferenceExample> pairs;
    int64_t dropped = 0;   // pairs with a side over max_length (TRL filters them out)
    bool margins = false;  // some row carries "margin": the loss subtracts them
};

struct PreferenceSets {
    PreferenceSet train;
    PreferenceSet eval;  // empty when there is no held-out data
};

/// Reads, mixes, splits, renders, encodes and filters the stage's pairs; `seed` picks the
/// fractional shares of weighted files and the held-out pairs.
PreferenceSets load_preference_sets(const RmDataOptions& options,
                                    const RmEncoder& encoder,
                                    uint64_t seed);

/// Pairs `rows` of `set` as one forward: input_ids and attention_mask [2m, S] (chosen rows, then
/// rejected rows, right-padded with pad_id), margin [m] float64 (undefined when the set has none).
struct PairBatch {
    at::Tensor input_ids;
    at::Tensor attention_mask;
    at::Tensor margin;
};

PairBatch collate_pairs(const PreferenceSet& set, const std::vector<int64_t>& rows, int64_t pad_id);

}  // namespace r1::train
