// Sorting: "Sort: 7 3 9 1" -> "1 3 7 9". An RL task with a checker (check_sorted), and the
// built-in preference task for reward models: chosen the sorted list, rejected the same list with
// one adjacent pair swapped, so both have the same length and the same numbers; only order tells.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/tasks/task.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace r1::data::tasks {

struct SortOptions {
    int64_t min_count = 4;  // numbers per list, uniformly in [min_count, max_count]
    int64_t max_count = 6;
    int64_t max_value = 9;  // each number uniformly in [0, max_value]
};

void visit(config::Visitor& v, SortOptions& o);
/// min_count <= max_count; ConfigError naming the keys.
void validate(const SortOptions& o);

class SortTask final : public Task {
  public:
    explicit SortTask(SortOptions options);

    std::string name() const override { return "sort"; }

    /// prompt "Sort: 7 3 9 1", answer "1 3 7 9", kind "sort"; lists never all-equal.
    TaskSample generate(uint64_t seed, uint64_t index) const override;
    /// generate()'s prompt; chosen " 1 3 7 9", rejected with one adjacent pair of different
    /// values swapped (" 1 7 3 9"), the pair drawn from its own stream.
    PreferencePair preference(uint64_t seed, uint64_t index) const override;

  private:
    SortOptions options_;
};

/// The numbers to sort in a prompt "Sort: a b c" (nullopt when it is not one).
std::optional<std::vector<int64_t>> sort_prompt_numbers(const std::string& prompt);

/// Whether `response` is the right answer to the sort prompt `prompt`: the text inside
/// <answer>...</answer> if there is such a tag, else the whole response, read as integers
/// separated by spaces or commas, equals the prompt's numbers in ascending order. The hidden score
/// a pipeline measures a sort reward model's policy by.
bool check_sorted(const std::string& prompt, const std::string& response);

}  // namespace r1::data::tasks
