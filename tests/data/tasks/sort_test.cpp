// The sort task checked independently: answers are the prompts sorted, rejected responses differ
// from chosen by one adjacent swap of different values (never by length or numbers), streams are
// deterministic and distinct, and the checker's verdicts on a hand-made table.
#include "r1/data/tasks/sort.h"

#include "r1/util/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "support/expect.h"

namespace r1::data::tasks {
namespace {

std::vector<int64_t> numbers_of(const std::string& text) {
    std::istringstream in(text);
    std::vector<int64_t> out;
    for (int64_t x = 0; in >> x;) {
        out.push_back(x);
    }
    return out;
}

TEST(SortTaskTest, AnswersAreThePromptSortedAndPairsDifferByOneAdjacentSwap) {
    const SortTask task({.min_count = 3, .max_count = 7, .max_value = 9});
    for (uint64_t i = 0; i < 300; ++i) {
        const auto s = task.generate(5, i);
        auto given = numbers_of(s.sample.prompt.substr(6));
        ASSERT_TRUE(s.sample.prompt.starts_with("Sort: "));
        ASSERT_GE(given.size(), 3u);
        ASSERT_LE(given.size(), 7u);
        std::sort(given.begin(), given.end());
        EXPECT_EQ(numbers_of(s.sample.answer), given);
        EXPECT_EQ(s.sample.kind, "sort");
        EXPECT_TRUE(check_sorted(s.sample.prompt, s.solutions.steps)) << s.solutions.steps;

        const auto p = task.preference(5, i);
        EXPECT_EQ(p.prompt, s.sample.prompt);
        EXPECT_EQ(p.chosen, " " + s.sample.answer);
        ASSERT_EQ(p.rejected.size(), p.chosen.size());
        const auto c = numbers_of(p.chosen), r = numbers_of(p.rejected);
        std::vector<size_t> diff;
        for (size_t k = 0; k < c.size(); ++k) {
            if (c[k] != r[k]) {
                diff.push_back(k);
            }
        }
        ASSERT_EQ(diff.size(), 2u) << p.chosen << " vs " << p.rejected;
        EXPECT_EQ(diff[1], diff[0] + 1);
        EXPECT_EQ(r[diff[0]], c[diff[1]]);
        EXPECT_TRUE(check_sorted(*p.prompt, p.chosen));
        EXPECT_FALSE(check_sorted(*p.prompt, p.rejected));
    }
}

// min_count, max_count and max_value bound every list the task draws.
TEST(SortTaskTest, CountAndValueKeysBoundTheLists) {
    const SortTask pairs({.min_count = 2, .max_count = 2, .max_value = 1});
    const SortTask long_lists({.min_count = 7, .max_count = 7, .max_value = 50});
    int64_t largest = 0;
    for (uint64_t i = 0; i < 100; ++i) {
        const auto two = numbers_of(pairs.generate(3, i).sample.prompt.substr(6));
        ASSERT_EQ(two.size(), 2u);
        EXPECT_LE(*std::max_element(two.begin(), two.end()), 1);
        const auto seven = numbers_of(long_lists.generate(3, i).sample.prompt.substr(6));
        ASSERT_EQ(seven.size(), 7u);
        largest = std::max(largest, *std::max_element(seven.begin(), seven.end()));
    }
    EXPECT_GT(largest, 9);  // beyond the default max_value
    EXPECT_LE(largest, 50);
}

TEST(SortTaskTest, StreamsAreDeterministicAndDistinct) {
    const SortTask task({});
    std::set<std::string> a, b;
    for (uint64_t i = 0; i < 50; ++i) {
        EXPECT_EQ(task.preference(1, i).rejected, task.preference(1, i).rejected);
        a.insert(*task.preference(1, i).prompt);
        b.insert(*task.preference(2, i).prompt);
    }
    std::vector<std::string> common;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
    EXPECT_LT(common.size(), 5u);  // held-out pairs (stream 2) are other lists
}

TEST(SortTaskTest, CheckerTable) {
    const std::string p = "Sort: 7 3 9 1";
    EXPECT_TRUE(check_sorted(p, "1 3 7 9"));
    EXPECT_TRUE(check_sorted(p, " 1, 3, 7, 9\n"));
    EXPECT_TRUE(check_sorted(p, "<think>\nsmallest is 1\n</think> <answer>1 3 7 9</answer>"));
    EXPECT_FALSE(check_sorted(p, "<think>1 3 7 9</think> <answer>1 7 3 9</answer>"));
    EXPECT_FALSE(check_sorted(p, "1 3 9 7"));
    EXPECT_FALSE(check_sorted(p, "1 3 7"));         // a number lost
    EXPECT_FALSE(check_sorted(p, "1 3 7 9 9"));     // one added
    EXPECT_FALSE(check_sorted(p, "1 3 7 9 done"));  // not only numbers
    EXPECT_FALSE(check_sorted(p, "<answer>1 3 7 9"));
    EXPECT_FALSE(check_sorted("What is 2 + 2?", "4"));
}

TEST(SortTaskTest, OptionsAreCheckedAndOtherTasksHaveNoPairs) {
    test::expect_contains(
        test::error_of<util::ConfigError>([] { SortTask({.min_count = 5, .max_count = 4}); }),
        {"min_count (5) must be <= max_count (4)"});
    const auto arithmetic = find_task("arithmetic").make({});
    test::expect_contains(
        test::error_of<util::UnsupportedError>([&] { arithmetic->preference(1, 0); }),
        {"task 'arithmetic' has no preference pairs"});
    EXPECT_EQ(find_task("sort").make({"max_count=4"})->generate(1, 0).sample.kind, "sort");
}

}  // namespace
}  // namespace r1::data::tasks
