// Checkpoint directories that a crash cannot spoil: save() fills ckpt/.tmp-step-N, fsyncs every
// file, renames it to ckpt/step-N and only then repoints ckpt/latest (itself replaced atomically);
// older checkpoints beyond `keep` are removed afterwards. latest() finds the newest complete one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

namespace r1::io {

class Checkpointer {
  public:
    Checkpointer(std::filesystem::path dir, int64_t keep);

    /// Writes checkpoint `step`: `write` fills the directory it is given; returns the final path.
    std::filesystem::path save(int64_t step,
                               const std::function<void(const std::filesystem::path&)>& write);

    /// The newest complete checkpoint, if any (a leftover .tmp-* directory never counts).
    std::optional<std::filesystem::path> latest() const;

    /// Complete checkpoints, oldest first.
    std::vector<std::filesystem::path> list() const;

    static std::filesystem::path name(int64_t step);  // "step-00000100"
    static std::optional<int64_t> step_of(const std::filesystem::path& checkpoint);

  private:
    std::filesystem::path dir_;
    int64_t keep_;
};

}  // namespace r1::io
