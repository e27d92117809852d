// The JSONL files a fine-tuning stage trains on, read the same way by sft, rm and distill:
// training files mixed by their weights (each file its own random stream of the run seed) and
// held-out files taken as they are. Malformed lines fail or are skipped per data.on_error; the
// reader logs what it skipped.
#pragma once

#include "r1/data/jsonl_dataset.h"
#include "r1/data/loader.h"
#include "r1/train/sft.h"
#include "r1/util/rng.h"

#include <cstdint>
#include <string>
#include <vector>

namespace r1::train {

/// The rows of every training file, each repeated or subsampled by its weight.
template <class Row>
std::vector<Row> read_weighted_files(const std::vector<SftFileOptions>& files,
                                     data::OnError on_error,
                                     uint64_t seed) {
    constexpr uint64_t kMixStream = 0x6d6978ULL;  // "mix"
    std::vector<Row> out;
    for (size_t f = 0; f < files.size(); ++f) {
        const auto d = data::read_jsonl_dataset<Row>({.path = files[f].path, .on_error = on_error});
        for (const int64_t i :
             data::weighted_rows(static_cast<int64_t>(d.rows.size()), files[f].weight,
                                 util::derive_seed(seed, {kMixStream, f}))) {
            out.push_back(d.rows[static_cast<size_t>(i)]);
        }
    }
    return out;
}

/// The rows of every held-out file, in order.
template <class Row>
std::vector<Row> read_files(const std::vector<std::string>& paths, data::OnError on_error) {
    std::vector<Row> out;
    for (const auto& path : paths) {
        auto d = data::read_jsonl_dataset<Row>({.path = path, .on_error = on_error});
        out.insert(out.end(), std::make_move_iterator(d.rows.begin()),
                   std::make_move_iterator(d.rows.end()));
    }
    return out;
}

}  // namespace r1::train
