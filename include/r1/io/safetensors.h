// Safetensors files: SafetensorsFile memory-maps one file, validates its whole header up front and
// hands out tensors that alias the mapping (no copy) when aligned; write_safetensors() writes one
// atomically, byte-identical to Python's safetensors.torch.save_file for the same inputs.
#pragma once

#include "r1/io/dtype.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace r1::io {

class MappedFile;

/// `__metadata__`: free-form strings (transformers writes {"format": "pt"}).
using Metadata = std::map<std::string, std::string>;

/// Tensors by name, in the caller's order (the sharded writer fills shards in this order).
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// One header entry, validated.
struct TensorInfo {
    std::string name;
    const Dtype* dtype = nullptr;  // never null once validated
    std::vector<int64_t> shape;    // [] for a 0-d scalar
    uint64_t begin = 0;            // byte range [begin, end) within the data section
    uint64_t end = 0;

    int64_t numel() const;

    uint64_t nbytes() const { return end - begin; }
};

class SafetensorsFile {
  public:
    /// Python's limit (safetensors MAX_HEADER_SIZE): a larger length is refused before any parsing.
    static constexpr uint64_t kMaxHeaderSize = 100'000'000;

    /// Maps `path` and validates everything: length prefix, UTF-8, JSON, every entry's dtype, shape
    /// and byte range, that the ranges tile the data section exactly (as Python requires),
    /// `__metadata__`. IoError if the file cannot be read; FormatError "<path>: tensor '<name>':
    /// ..." if it is malformed.
    explicit SafetensorsFile(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return path_; }

    /// Tensor names, sorted.
    std::vector<std::string> names() const;

    /// Entries in data-section order.
    const std::vector<TensorInfo>& tensors() const { return tensors_; }

    bool contains(std::string_view name) const;
    /// FormatError naming the file, the tensor and the nearest existing name if absent.
    const TensorInfo& info(std::string_view name) const;

    c10::ScalarType dtype(std::string_view name) const { return info(name).dtype->scalar_type; }

    const std::vector<int64_t>& shape(std::string_view name) const { return info(name).shape; }

    const Metadata& metadata() const { return metadata_; }

    uint64_t header_size() const { return header_size_; }  // the JSON header's length in bytes

    uint64_t data_size() const { return data_size_; }  // bytes after the header

    /// The tensor, aliasing the mapping when its bytes are aligned for its dtype (the mapping lives
    /// as long as any such tensor), else a copy. The mapping is private copy-on-write: writing to
    /// an aliasing tensor changes this process's pages only, never the file.
    at::Tensor tensor(std::string_view name) const;
    /// The raw bytes of a tensor inside the mapping (valid while this object or a tensor lives).
    std::pair<const std::byte*, uint64_t> bytes(std::string_view name) const;

  private:
    void parse_header(std::string_view header);
    void check_layout();

    std::filesystem::path path_;
    std::shared_ptr<const MappedFile> file_;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, size_t, std::less<>> index_;
    Metadata metadata_;
    uint64_t header_size_ = 0;
    uint64_t data_size_ = 0;
};

/// Writes `tensors` (any device, any strides: written as contiguous CPU bytes) and `metadata` to
/// `path` atomically (temporary beside it, fsync, rename). Layout as safetensors.torch.save_file:
/// tensors by descending dtype alignment then name, header padded with spaces to a multiple of 8;
/// an empty `metadata` writes no `__metadata__`. Duplicate or "__metadata__" names are
/// FormatErrors.
void write_safetensors(const std::filesystem::path& path,
                       const NamedTensors& tensors,
                       const Metadata& metadata = {});

}  // namespace r1::io
