#include "r1/data/prompt_set.h"

#include "r1/data/jsonl_dataset.h"
#include "r1/util/error.h"

namespace r1::data {

PromptSet PromptSet::from_options(const PromptDataOptions& options, Subset subset) {
    PromptSet set;
    if (!options.task.empty()) {
        set.task_ = tasks::find_task(options.task).make(options.task_options);
        set.task_seed_ = static_cast<uint64_t>(options.task_seed) + (subset == Subset::eval ? 1 : 0);
        if (subset == Subset::eval) {
            set.task_size_ = options.eval_size;
        }
        return set;
    }
    const std::string& path = subset == Subset::train ? options.train : options.eval;
    if (!path.empty()) {
        set.rows_ = read_jsonl_dataset<Sample>({.path = path}).rows;
        if (set.rows_.empty() && subset == Subset::train) {
            throw util::FormatError(path + ": no prompts (expected JSONL lines with a prompt)");
        }
    }
    return set;
}

std::optional<int64_t> PromptSet::size() const {
    if (task_) {
        return task_size_;
    }
    return static_cast<int64_t>(rows_.size());
}

Sample PromptSet::at(int64_t index) const {
    if (task_) {
        return task_->generate(task_seed_, static_cast<uint64_t>(index)).sample;
    }
    if (rows_.empty()) {
        throw util::Error("PromptSet::at: the set is empty");
    }
    return rows_[static_cast<size_t>(index) % rows_.size()];
}

}  // namespace r1::data
