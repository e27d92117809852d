// Packing documents into fixed-length rows by best-fit decreasing (TRL's default `bfd` strategy):
// the longest document first, each into the row whose free space it fills best, a new row when
// none has room. Rows then hold whole documents, each keeping its own positions (sft_batch.h).
#pragma once

#include <cstdint>
#include <vector>

namespace r1::data {

/// Rows of document indices for documents of `lengths` tokens, each row holding at most
/// `capacity` tokens. Deterministic: ties go to the lower document index and the earlier row.
/// Every length must lie in [1, capacity] (truncate first); ConfigError otherwise.
std::vector<std::vector<int64_t>> pack_best_fit_decreasing(const std::vector<int64_t>& lengths,
                                                           int64_t capacity);

}  // namespace r1::data
