// Which row comes next: Loader walks a dataset of `size` rows epoch after epoch, each epoch a
// seeded permutation (derive_seed(seed, {loader, epoch})), and its CursorState is what a checkpoint
// saves so that a resumed run sees exactly the same order. split_rows() makes stable train/eval
// splits.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace r1::data {

struct LoaderOptions {
    bool shuffle = true;  // false: rows in file order every epoch
    int64_t epochs = 0;   // stop after this many epochs; 0: unbounded
};

/// Where a Loader stands; small, plain and saved in checkpoints (train_state).
struct CursorState {
    uint64_t seed = 0;
    int64_t size = 0;      // rows in the dataset it walks (checked on restore)
    int64_t epoch = 0;     // 0-based
    int64_t position = 0;  // rows of this epoch already handed out

    bool operator==(const CursorState&) const = default;
};

nlohmann::json to_json(const CursorState& state);
/// FormatError naming the missing or mistyped key.
CursorState cursor_state_from_json(const nlohmann::json& value);

class Loader {
  public:
    Loader(int64_t size, uint64_t seed, LoaderOptions options = {});

    /// The next row index, or -1 once `epochs` epochs are done.
    int64_t next();
    /// Up to n next indices (fewer only when the last epoch ends).
    std::vector<int64_t> next_batch(int64_t n);

    CursorState state() const { return {seed_, size_, epoch_, position_}; }

    /// Continues from a saved state; ConfigError if it was saved for another size or seed.
    void restore(const CursorState& state);

    /// The permutation of epoch `epoch` (a pure function of seed and epoch).
    std::vector<int64_t> epoch_order(int64_t epoch) const;

  private:
    int64_t size_;
    uint64_t seed_;
    LoaderOptions options_;
    int64_t epoch_ = 0;
    int64_t position_ = 0;
    std::vector<int64_t> order_;  // of epoch_
};

/// Whether the row keyed `key` (its prompt, say) is held out: a seeded hash of the key below
/// `eval_fraction`. Stable: a row's split depends on its key alone, not on its position or on the
/// other rows, so duplicates land together and appending rows moves none.
bool in_eval_split(std::string_view key, double eval_fraction, uint64_t seed);

struct Split {
    std::vector<int64_t> train;
    std::vector<int64_t> eval;
};

/// Indices of `keys` per split by in_eval_split(), in order.
Split split_rows(const std::vector<std::string>& keys, double eval_fraction, uint64_t seed);

/// Moves the rows of `train` that split_rows() holds out (by `key(row)`) to the end of `eval`.
template <class Row, class Key>
void hold_out(std::vector<Row>& train,
              std::vector<Row>& eval,
              double eval_fraction,
              uint64_t seed,
              const Key& key) {
    std::vector<std::string> keys;
    for (const auto& row : train) {
        keys.push_back(key(row));
    }
    const Split split = split_rows(keys, eval_fraction, seed);
    std::vector<Row> kept;
    for (const int64_t i : split.train) {
        kept.push_back(std::move(train[static_cast<size_t>(i)]));
    }
    for (const int64_t i : split.eval) {
        eval.push_back(std::move(train[static_cast<size_t>(i)]));
    }
    train = std::move(kept);
}

/// The rows (indices into `size` rows) a file of weight w contributes to a mixture: every row
/// floor(w) times, then a seeded share w - floor(w) of them once more (open-instruct's
/// dataset_mixer): 0.5 is half the file, 2 is each row twice.
std::vector<int64_t> weighted_rows(int64_t size, double weight, uint64_t seed);

}  // namespace r1::data
