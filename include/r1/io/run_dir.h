// A run directory: config.yaml (the resolved config), log.txt, metrics.jsonl, completions.jsonl
// and ckpt/. Created once at stage start; later runs in the same directory resume from ckpt/.
#pragma once

#include <filesystem>
#include <string>

namespace r1::io {

class RunDir {
  public:
    /// Creates the directory (and ckpt/) and writes the resolved config atomically.
    static RunDir create(const std::filesystem::path& dir, const std::string& resolved_config_yaml);

    const std::filesystem::path& path() const { return path_; }

    std::filesystem::path config() const { return path_ / "config.yaml"; }

    std::filesystem::path log() const { return path_ / "log.txt"; }

    std::filesystem::path metrics() const { return path_ / "metrics.jsonl"; }

    std::filesystem::path completions() const { return path_ / "completions.jsonl"; }

    std::filesystem::path checkpoints() const { return path_ / "ckpt"; }

  private:
    explicit RunDir(std::filesystem::path path) : path_(std::move(path)) {}

    std::filesystem::path path_;
};

}  // namespace r1::io
