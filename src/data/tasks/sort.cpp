// The sort task (tasks/sort.h): lists, worked steps, preference pairs and the checker.
#include "r1/data/tasks/sort.h"

#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

#include <algorithm>
#include <cctype>

#include "data/random.h"

namespace r1::data::tasks {
namespace {

constexpr uint64_t kSortStream = 0x736f7274ULL;  // "sort"
constexpr uint64_t kSwapStream = 0x73776170ULL;  // "swap": the rejected pair's own draws
constexpr std::string_view kPrompt = "Sort: ";

std::string spaced(const std::vector<int64_t>& numbers) {
    std::string out;
    for (size_t i = 0; i < numbers.size(); ++i) {
        out += (i ? " " : "") + std::to_string(numbers[i]);
    }
    return out;
}

/// Integers separated by spaces or commas; nullopt on anything else.
std::optional<std::vector<int64_t>> read_numbers(std::string_view text) {
    std::vector<int64_t> out;
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == ',' || c == '\n' || c == '\t') {
            ++i;
            continue;
        }
        const bool negative = c == '-';
        size_t j = negative ? i + 1 : i;
        const size_t digits = j;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) &&
               j - digits < 18) {
            ++j;
        }
        if (j == digits || (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))) {
            return std::nullopt;  // not a number, or one too long to be a list entry
        }
        const int64_t v = std::stoll(std::string(text.substr(digits, j - digits)));
        out.push_back(negative ? -v : v);
        i = j;
    }
    return out;
}

}  // namespace

void visit(config::Visitor& v, SortOptions& o) {
    v.field("min_count", o.min_count, "fewest numbers per list").range(2, 32);
    v.field("max_count", o.max_count, "most numbers per list").range(2, 32);
    v.field("max_value", o.max_value, "largest number (each is drawn from 0..max_value)")
        .range(1, 1e9);
}

void validate(const SortOptions& o) {
    if (o.min_count > o.max_count) {
        throw util::ConfigError(
            util::str("min_count (", o.min_count, ") must be <= max_count (", o.max_count, ")"));
    }
}

SortTask::SortTask(SortOptions options) : options_(options) {
    validate(options_);
}

TaskSample SortTask::generate(uint64_t seed, uint64_t index) const {
    Random rng(util::derive_seed(seed, {kSortStream, index}));
    std::vector<int64_t> numbers;
    while (numbers.empty() || std::all_of(numbers.begin(), numbers.end(),
                                          [&](int64_t x) { return x == numbers.front(); })) {
        numbers.clear();  // an all-equal list has no wrong order: redrawn
        const int64_t n = rng.between(options_.min_count, options_.max_count);
        for (int64_t k = 0; k < n; ++k) {
            numbers.push_back(rng.between(0, options_.max_value));
        }
    }
    std::vector<int64_t> sorted = numbers;
    std::sort(sorted.begin(), sorted.end());
    // the worked steps: take the smallest remaining number each time
    std::vector<std::string> lines;
    std::vector<int64_t> left = numbers;
    for (size_t k = 0; k + 1 < sorted.size(); ++k) {
        const auto it = std::min_element(left.begin(), left.end());
        lines.push_back(util::str("smallest of ", spaced(left), " is ", *it));
        left.erase(it);
    }
    TaskSample out;
    out.sample.prompt = std::string(kPrompt) + spaced(numbers);
    out.sample.answer = spaced(sorted);
    out.sample.kind = name();
    out.solutions.direct = r1_format("", out.sample.answer);
    out.solutions.steps = r1_format(util::join(lines, "\n"), out.sample.answer);
    out.solutions.text = util::str(out.sample.prompt, "\n", util::join(lines, "\n"),
                                   "\nSorted: ", out.sample.answer);
    return out;
}

PreferencePair SortTask::preference(uint64_t seed, uint64_t index) const {
    const TaskSample s = generate(seed, index);
    std::vector<int64_t> sorted = *read_numbers(s.sample.answer);
    std::vector<size_t> swappable;  // adjacent pairs of different values: a swap breaks the order
    for (size_t i = 0; i + 1 < sorted.size(); ++i) {
        if (sorted[i] != sorted[i + 1]) {
            swappable.push_back(i);
        }
    }
    Random rng(util::derive_seed(seed, {kSwapStream, index}));
    std::vector<int64_t> wrong = sorted;
    const size_t at = swappable[rng.below(swappable.size())];
    std::swap(wrong[at], wrong[at + 1]);
    return {.prompt = s.sample.prompt,
            .chosen = " " + s.sample.answer,
            .rejected = " " + spaced(wrong)};
}

std::optional<std::vector<int64_t>> sort_prompt_numbers(const std::string& prompt) {
    if (!prompt.starts_with(kPrompt)) {
        return std::nullopt;
    }
    return read_numbers(std::string_view(prompt).substr(kPrompt.size()));
}

bool check_sorted(const std::string& prompt, const std::string& response) {
    auto numbers = sort_prompt_numbers(prompt);
    if (!numbers || numbers->empty()) {
        return false;
    }
    std::string_view answer = response;
    const size_t open = answer.find("<answer>");
    if (open != std::string_view::npos) {
        const size_t close = answer.find("</answer>", open);
        if (close == std::string_view::npos) {
            return false;
        }
        answer = answer.substr(open + 8, close - open - 8);
    }
    const auto given = read_numbers(answer);
    std::sort(numbers->begin(), numbers->end());
    return given && *given == *numbers;
}

}  // namespace r1::data::tasks
