// The documents an SFT-style stage trains on, built once at stage start from its data options:
// files mixed by weight (or a built-in task's rows), the held-out split, rendering, tokenizing,
// truncation counts and, when asked, best-fit-decreasing packing into rows (sft_data.h).
#pragma once

#include "r1/tokenizer/tokenizer.h"
#include "r1/train/sft.h"
#include "r1/train/sft_data.h"

#include <cstdint>
#include <vector>

namespace r1::train {

struct SftDataset {
    std::vector<SftDocument> documents;
    std::vector<std::vector<int64_t>> rows;  // document indices per row: one each, or packed
    int64_t truncated_documents = 0;
    int64_t truncated_tokens = 0;
};

struct SftDatasets {
    SftDataset train;
    SftDataset eval;  // empty when there is no held-out data
};

/// One micro-batch of a step, with per-target loss weights normalised over the whole step, so that
/// the step's loss is the sum of its micro-batches' (token: 1 / the step's trained tokens;
/// sequence: 1 / (the document's trained tokens · the step's documents)).
struct MicroBatch {
    SftBatch batch;
    at::Tensor weights;  // [b, S] float64
};

struct MicroBatchOptions {
    int64_t micro_batch_size = 1;  // rows per micro-batch
    int64_t pad_id = 0;
    bool packed = false;
    LossNorm normalize = LossNorm::token;
};

/// Rows `rows` of `set` (one optimizer step) as micro-batches.
std::vector<MicroBatch> micro_batches(const SftDataset& set,
                                      const std::vector<int64_t>& rows,
                                      const MicroBatchOptions& options);

/// A renderer of SFT rows through `chat` (a model's own template or a built-in one).
SftRenderer make_sft_renderer(tokenizer::ChatTemplate chat, bool completion_only);

/// Reads, mixes, splits, renders and tokenizes; packs when data.packing is bfd. `seed` picks the
/// fractional shares of weighted files and the held-out rows.
SftDatasets load_sft_datasets(const SftDataOptions& options,
                              const tokenizer::Tokenizer& tok,
                              const SftRenderer& renderer,
                              int64_t eos_id,
                              uint64_t seed);

}  // namespace r1::train
