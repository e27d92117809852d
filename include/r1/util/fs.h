// Files that are never half-written: atomic_write_file() writes a temporary beside the target,
// fsyncs and renames it into place; TempDir is a directory removed with its contents on scope exit.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace r1::util {

/// Replaces `path` with `content` atomically: a crash leaves either the old file or the new one.
void atomic_write_file(const std::filesystem::path& path, std::string_view content);

/// Reads a whole file; IoError naming the path if it cannot.
std::string read_file(const std::filesystem::path& path);

/// fsync on a file or directory (so a rename inside it is durable).
void fsync_path(const std::filesystem::path& path);

/// Writes directory `dir` as a whole: `fill` fills a fresh sibling `.tmp-<name>`, every file is
/// fsynced, then it is renamed to `dir`. An existing `dir` is first moved aside to `.old-<name>`
/// and removed afterwards, so a crash leaves the old directory, the new one, or the old one beside
/// a stale `.tmp-`/`.old-` sibling, never a half-written `dir`.
void write_dir_atomically(const std::filesystem::path& dir,
                          const std::function<void(const std::filesystem::path& tmp)>& fill);

class TempDir {
  public:
    explicit TempDir(std::string_view prefix = "r1");
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace r1::util
