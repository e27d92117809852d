// metrics.jsonl: one JSON object per step, appended and flushed as the run goes (grpo-spec §5).
// A resumed run first drops the rows past its checkpoint, so the file reads as one run.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace r1::train {

class MetricsLog {
  public:
    /// Opens `path` for appending, after removing every row whose "step" exceeds `resume_step`
    /// (all rows when it is 0, i.e. a fresh run).
    MetricsLog(std::filesystem::path path, int64_t resume_step);

    void write(const nlohmann::json& row);

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::ofstream out_;
};

}  // namespace r1::train
