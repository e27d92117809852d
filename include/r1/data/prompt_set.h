// The prompts a stage samples from: a JSONL file read whole, or a built-in task's seeded stream
// (data.task), behind one interface. Rows are addressed by index, so a run's position in them is
// a number that a checkpoint saves.
#pragma once

#include "r1/data/loader.h"
#include "r1/data/options.h"
#include "r1/data/sample.h"
#include "r1/data/tasks/task.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace r1::data {

enum class Subset { train, eval };

/// The prompts of a task's held-out stream (seed, first `size` samples), which training leaves out.
std::unordered_set<std::string> task_prompts(const tasks::Task& task, uint64_t seed, int64_t size);

class PromptSet {
  public:
    /// The train or eval prompts `options` names. An eval set of a file-based config without
    /// data.eval is empty. Files are read with their errors naming file:line. A task's training
    /// stream skips the prompts of its held-out stream, so evaluation stays held out.
    static PromptSet from_options(const PromptDataOptions& options, Subset subset);

    /// Rows in the set; nullopt for a task's unbounded training stream.
    std::optional<int64_t> size() const;
    /// Row `index` (wrapping around a finite set).
    Sample at(int64_t index) const;

  private:
    std::vector<Sample> rows_;
    std::shared_ptr<const tasks::Task> task_;
    uint64_t task_seed_ = 0;
    std::optional<int64_t> task_size_;
    std::unordered_set<std::string> held_out_;
};

/// Hands out a PromptSet's rows in training order: a finite set through a Loader (a seeded
/// permutation per epoch), a task's unbounded stream in its own order. seen() is the data position
/// a checkpoint saves; restore(seen) continues exactly where that run was.
class PromptStream {
  public:
    PromptStream(PromptSet set, uint64_t seed);
    /// The next `count` rows.
    std::vector<Sample> next(int64_t count);

    int64_t seen() const { return seen_; }

    void restore(int64_t seen);

  private:
    PromptSet set_;
    std::optional<Loader> loader_;  // none for a task's unbounded stream
    int64_t seen_ = 0;
};

}  // namespace r1::data
