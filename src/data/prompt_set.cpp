#include "r1/data/prompt_set.h"

#include "r1/data/jsonl_dataset.h"
#include "r1/util/error.h"

namespace r1::data {

std::unordered_set<std::string> task_prompts(const tasks::Task& task, uint64_t seed, int64_t size) {
    std::unordered_set<std::string> prompts;
    for (int64_t i = 0; i < size; ++i) {
        prompts.insert(task.generate(seed, static_cast<uint64_t>(i)).sample.prompt);
    }
    return prompts;
}

PromptSet PromptSet::from_options(const PromptDataOptions& options, Subset subset) {
    PromptSet set;
    if (!options.task.empty()) {
        set.task_ = tasks::find_task(options.task).make(options.task_options);
        set.task_seed_ =
            static_cast<uint64_t>(options.task_seed) + (subset == Subset::eval ? 1 : 0);
        if (subset == Subset::eval) {
            set.task_size_ = options.eval_size;
        } else {
            set.held_out_ = task_prompts(*set.task_, set.task_seed_ + 1, options.eval_size);
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
        // a held-out prompt is replaced by a draw from a side stream of the same index
        auto sample = task_->generate(task_seed_, static_cast<uint64_t>(index)).sample;
        for (uint64_t k = 1; held_out_.count(sample.prompt) > 0; ++k) {
            sample = task_->generate(task_seed_, (k << 40) + static_cast<uint64_t>(index)).sample;
        }
        return sample;
    }
    if (rows_.empty()) {
        throw util::Error("PromptSet::at: the set is empty");
    }
    return rows_[static_cast<size_t>(index) % rows_.size()];
}

PromptStream::PromptStream(PromptSet set, uint64_t seed) : set_(std::move(set)) {
    if (const auto size = set_.size()) {
        loader_.emplace(*size, seed);
    }
}

std::vector<Sample> PromptStream::next(int64_t count) {
    std::vector<Sample> out;
    for (int64_t b = 0; b < count; ++b, ++seen_) {
        out.push_back(set_.at(loader_ ? loader_->next() : seen_));
    }
    return out;
}

void PromptStream::restore(int64_t seen) {
    seen_ = seen;
    if (loader_) {
        const CursorState now = loader_->state();
        loader_->restore({.seed = now.seed,
                          .size = now.size,
                          .epoch = seen / now.size,
                          .position = seen % now.size});
    }
}

}  // namespace r1::data
