// A whole file memory-mapped privately (RAII; the file is never written): the safetensors reader's
// storage, shared by every tensor that aliases it through a shared_ptr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace r1::io {

class MappedFile {
  public:
    /// Maps `path`; IoError naming it if it cannot be opened, stat'ed or mapped. An empty file maps
    /// to size() == 0 and data() == nullptr.
    explicit MappedFile(const std::filesystem::path& path);
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    const std::byte* data() const { return data_; }

    uint64_t size() const { return size_; }

  private:
    const std::byte* data_ = nullptr;
    uint64_t size_ = 0;
};

}  // namespace r1::io
