// The task registry (names, options from overrides, errors) and write_task_jsonl(): the file it
// writes reads back as RL samples and as SFT examples, row for row equal to generate().
#include "r1/data/tasks/task.h"

#include "r1/data/jsonl_dataset.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::data::tasks {
namespace {

TEST(TaskRegistryTest, BuildsTasksFromOverrides) {
    const auto task =
        find_task("arithmetic").make({"min_digits=7", "max_digits=7", "operations=[add]"});
    EXPECT_EQ(task->name(), "arithmetic");
    const std::string prompt = task->generate(0, 0).sample.prompt;
    EXPECT_EQ(prompt.size(), std::string("What is 1234567 + 1234567?").size()) << prompt;
    const auto countdown = find_task("countdown").make({"min_numbers=3", "max_numbers=3"});
    EXPECT_EQ(countdown->generate(0, 0).sample.numbers.size(), 3u);
    bool documented = false;
    for (const config::KeyInfo& k : find_task("countdown").schema()) {
        documented = documented || (k.path == "max_target" && k.default_value == "100");
    }
    EXPECT_TRUE(documented);
}

TEST(TaskRegistryTest, ErrorsNameTheTaskOrKey) {
    test::expect_contains(
        test::error_of<util::ConfigError>([] { find_task("countdwn"); }),
        {"unknown task 'countdwn'", "did you mean 'countdown'", "arithmetic, countdown"});
    test::expect_contains(
        test::error_of<util::ConfigError>([] { find_task("arithmetic").make({"max_digit=3"}); }),
        {"--set max_digit=3", "did you mean 'max_digits'"});
    test::expect_contains(test::error_of<util::ConfigError>(
                              [] { find_task("arithmetic").make({"operations=[divide]"}); }),
                          {"operations", "add|subtract|multiply"});
    EXPECT_THROW(find_task("countdown").make({"min_numbers=4", "max_numbers=3"}),
                 util::ConfigError);
}

TEST(TaskJsonlTest, WrittenFileReadsBackForRlAndSft) {
    util::TempDir dir;
    const auto path = dir.path() / "countdown.jsonl";
    const auto task = find_task("countdown").make({});
    write_task_jsonl(*task, 64, 5, path);
    const auto samples = read_jsonl_dataset<Sample>({.path = path.string()});
    const auto sft = read_jsonl_dataset<SftExample>({.path = path.string()});
    ASSERT_EQ(samples.rows.size(), 64u);
    ASSERT_EQ(sft.rows.size(), 64u);
    for (uint64_t i = 0; i < 64; ++i) {
        const TaskSample expected = task->generate(5, i);
        EXPECT_EQ(to_json(samples.rows[i]), data::to_json(expected.sample));
        EXPECT_EQ(sft.rows[i].prompt, expected.sample.prompt);
        EXPECT_EQ(sft.rows[i].completion, expected.solutions.steps);
    }
    io::JsonlReader reader(path);
    nlohmann::json row;
    ASSERT_TRUE(reader.next(row));
    EXPECT_EQ(row.at("text"), task->generate(5, 0).solutions.text);  // pretraining text
    EXPECT_EQ(row.at("direct"), task->generate(5, 0).solutions.direct);
}

}  // namespace
}  // namespace r1::data::tasks
