// Sharded safetensors checkpoints as transformers writes them (model.safetensors.index.json naming
// model-00001-of-00003.safetensors, ...): one view over all shards that opens each on first use,
// and a writer that splits tensors into shards the way huggingface_hub does.
#pragma once

#include "r1/io/safetensors.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1::io {

class ShardedSafetensors {
  public:
    /// `path`: a directory holding model.safetensors.index.json (else model.safetensors), an
    /// *.index.json file, or one .safetensors file (a checkpoint of one shard). Parses the index
    /// and checks that every shard it names exists; shards themselves are opened (and validated)
    /// lazily.
    explicit ShardedSafetensors(const std::filesystem::path& path);

    bool sharded() const { return !index_path_.empty(); }

    /// The index file, or empty for a single-file checkpoint.
    const std::filesystem::path& index_path() const { return index_path_; }

    const std::filesystem::path& dir() const { return dir_; }

    /// Tensor names, sorted.
    std::vector<std::string> names() const;

    bool contains(std::string_view name) const {
        return weight_map_.find(name) != weight_map_.end();
    }

    /// Shard file names in order (model-00001-of-00003.safetensors, ...).
    const std::vector<std::string>& shard_names() const { return shard_names_; }

    /// The shard file holding `name`; FormatError if the index does not map it.
    const std::string& shard_of(std::string_view name) const;
    /// The opened shard (by file name, as in shard_names()).
    const SafetensorsFile& shard(const std::string& file_name) const;

    /// `metadata.total_size` / `metadata.total_parameters` of the index, when present.
    std::optional<uint64_t> total_size() const { return total_size_; }

    std::optional<uint64_t> total_parameters() const { return total_parameters_; }

    /// Header entry of a tensor, from its shard. FormatError if the shard lacks it.
    const TensorInfo& info(std::string_view name) const;
    at::Tensor tensor(std::string_view name) const;
    /// Opens every shard and checks that each holds exactly the tensors the index maps to it.
    void verify() const;

  private:
    void read_index(const std::filesystem::path& index);

    std::filesystem::path dir_;
    std::filesystem::path index_path_;
    std::map<std::string, std::string, std::less<>> weight_map_;  // tensor -> shard file name
    std::vector<std::string> shard_names_;
    std::optional<uint64_t> total_size_;
    std::optional<uint64_t> total_parameters_;
    mutable std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
    mutable std::map<std::string, std::unique_ptr<SafetensorsFile>> open_;
};

struct ShardOptions {
    /// A shard is closed before a tensor would take it past this many bytes; a larger tensor gets a
    /// shard of its own (huggingface_hub's rule). transformers >= 5 defaults to "50GB" (v4: "5GB").
    uint64_t max_shard_size = 50'000'000'000;
    /// File stem: <stem>.safetensors, or <stem>-00001-of-00003.safetensors +
    /// <stem>.safetensors.index.json.
    std::string stem = "model";
    /// `__metadata__` of every shard (transformers writes {"format": "pt"}).
    Metadata metadata = {{"format", "pt"}};
};

/// Writes `tensors` into `dir` as transformers' save_pretrained does: shards filled in the given
/// order, each written atomically, then the index (total_parameters, total_size, weight_map; indent
/// 2, keys sorted) when there is more than one shard. Stale shards and a stale index of the same
/// stem are removed afterwards, so the directory never names files of an older layout.
void write_sharded_safetensors(const std::filesystem::path& dir,
                               const NamedTensors& tensors,
                               const ShardOptions& options = {});

}  // namespace r1::io
