#include "r1/data/loader.h"

#include "r1/io/jsonl.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

#include <cmath>
#include <numeric>
#include <utility>

#include "data/random.h"

namespace r1::data {
namespace {

// Stream names under the run seed (util/rng.h): "loader" and "split" in ASCII.
constexpr uint64_t kLoaderStream = 0x6c6f61646572ULL;
constexpr uint64_t kSplitStream = 0x73706c6974ULL;

uint64_t fnv1a(std::string_view text) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return h;
}

}  // namespace

nlohmann::json to_json(const CursorState& s) {
    return {{"seed", s.seed}, {"size", s.size}, {"epoch", s.epoch}, {"position", s.position}};
}

CursorState cursor_state_from_json(const nlohmann::json& value) {
    if (!value.is_object()) {
        throw util::FormatError("data cursor: expected an object, got " + io::json_kind(value));
    }
    const auto get = [&](const char* key) -> const nlohmann::json& {
        const auto it = value.find(key);
        if (it == value.end() || !it->is_number_integer()) {
            throw util::FormatError(util::str("data cursor: key '", key, "': expected an integer"));
        }
        return *it;
    };
    return {get("seed").get<uint64_t>(), get("size").get<int64_t>(), get("epoch").get<int64_t>(),
            get("position").get<int64_t>()};
}

Loader::Loader(int64_t size, uint64_t seed, LoaderOptions options)
    : size_(size), seed_(seed), options_(options) {
    if (size <= 0) {
        throw util::ConfigError(util::str("data loader: the dataset is empty (", size, " rows)"));
    }
    order_ = epoch_order(0);
}

std::vector<int64_t> Loader::epoch_order(int64_t epoch) const {
    std::vector<int64_t> order(static_cast<size_t>(size_));
    std::iota(order.begin(), order.end(), 0);
    if (!options_.shuffle) {
        return order;
    }
    Random rng(util::derive_seed(seed_, {kLoaderStream, static_cast<uint64_t>(epoch)}));
    for (size_t i = order.size() - 1; i > 0; --i) {  // Fisher-Yates
        std::swap(order[i], order[rng.below(i + 1)]);
    }
    return order;
}

int64_t Loader::next() {
    if (position_ == size_) {
        ++epoch_;
        position_ = 0;
        if (options_.epochs == 0 || epoch_ < options_.epochs) {
            order_ = epoch_order(epoch_);
        }
    }
    if (options_.epochs > 0 && epoch_ >= options_.epochs) {
        return -1;
    }
    return order_[static_cast<size_t>(position_++)];
}

std::vector<int64_t> Loader::next_batch(int64_t n) {
    std::vector<int64_t> batch;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t index = next();
        if (index < 0) {
            break;
        }
        batch.push_back(index);
    }
    return batch;
}

void Loader::restore(const CursorState& state) {
    if (state.size != size_ || state.seed != seed_) {
        throw util::ConfigError(util::str("data cursor: saved for ", state.size, " rows with seed ",
                                          state.seed, ", but this dataset has ", size_,
                                          " rows and seed ", seed_,
                                          " (a resumed run must read the same data)"));
    }
    if (state.epoch < 0 || state.position < 0 || state.position > size_) {
        throw util::ConfigError(util::str("data cursor: position ", state.position, " of epoch ",
                                          state.epoch, " is outside a dataset of ", size_,
                                          " rows"));
    }
    epoch_ = state.epoch;
    position_ = state.position;
    order_ = epoch_order(epoch_);
}

bool in_eval_split(std::string_view key, double eval_fraction, uint64_t seed) {
    const uint64_t h = util::derive_seed(seed, {kSplitStream, fnv1a(key)});
    return static_cast<double>(h >> 11) * 0x1.0p-53 < eval_fraction;
}

Split split_rows(const std::vector<std::string>& keys, double eval_fraction, uint64_t seed) {
    Split split;
    for (size_t i = 0; i < keys.size(); ++i) {
        (in_eval_split(keys[i], eval_fraction, seed) ? split.eval : split.train)
            .push_back(static_cast<int64_t>(i));
    }
    return split;
}

std::vector<int64_t> weighted_rows(int64_t size, double weight, uint64_t seed) {
    std::vector<int64_t> out;
    for (int64_t k = 0; k < static_cast<int64_t>(std::floor(weight)); ++k) {
        for (int64_t i = 0; i < size; ++i) {
            out.push_back(i);
        }
    }
    const auto extra = static_cast<int64_t>(
        std::llround((weight - std::floor(weight)) * static_cast<double>(size)));
    if (extra > 0) {
        const auto order = Loader(size, seed).epoch_order(0);
        out.insert(out.end(), order.begin(), order.begin() + extra);
    }
    return out;
}

}  // namespace r1::data
