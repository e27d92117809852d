// Offline scoring (`r1 reward`): rows to RewardInput, output lines, failures counted, and malformed
// lines reported as file:line with the key.
#include "r1/rewards/offline.h"

#include "r1/util/fs.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "support/expect.h"

namespace r1::rewards {
namespace {

using nlohmann::json;
using test::error_of;
using test::expect_contains;

TEST(OfflineTest, RowFields) {
    const auto row =
        json::parse(R"js({"completion": "c", "answer": 42, "prompt": "p", "language": "en",
        "kind": "code", "numbers": [3, 5], "target": 8, "completion_ids": [1, 2], "truncated": true,
        "tests": [{"input": "1", "output": "2"}, {"assert": "assert f(1) == 2"}, "assert g()"],
        "extra": {"anything": 1}})js");
    const RewardInput in = reward_input_from_json(row, {.source = "f.jsonl", .line = 1});
    EXPECT_EQ(in.completion, "c");
    EXPECT_EQ(in.answer, "42");
    EXPECT_EQ(in.prompt, "p");
    EXPECT_EQ(in.kind, "code");
    EXPECT_EQ(in.numbers, (std::vector<int64_t>{3, 5}));
    EXPECT_EQ(in.target, 8.0);
    EXPECT_EQ(in.completion_ids, (std::vector<int64_t>{1, 2}));
    EXPECT_TRUE(in.truncated);
    ASSERT_EQ(in.tests.size(), 3u);
    EXPECT_EQ(in.tests[0].output, "2");
    EXPECT_EQ(in.tests[1].assertion, "assert f(1) == 2");
    EXPECT_EQ(in.tests[2].assertion, "assert g()");
}

TEST(OfflineTest, BadRowsNameFileLineAndKey) {
    const util::Location at{.source = "f.jsonl", .line = 7};
    const auto err = [&](const char* text) {
        return error_of<util::FormatError>([&] { reward_input_from_json(json::parse(text), at); });
    };
    expect_contains(err(R"({"answer": "1"})"), {"f.jsonl:7", "missing key 'completion'"});
    expect_contains(err(R"({"completion": "c", "numbers": [1.5]})"),
                    {"f.jsonl:7", "'numbers[0]'", "an integer"});
    expect_contains(err(R"({"completion": "c", "target": "8"})"), {"'target'", "a number"});
    expect_contains(err(R"({"completion": "c", "tests": [{"input": "1"}]})"),
                    {"'tests'", "\"output\" or \"assert\""});
    expect_contains(err(R"([1, 2])"), {"f.jsonl:7", "a JSON object"});
}

TEST(OfflineTest, ScoresAFileAndCountsFailures) {
    register_reward<NoOptions>("test_offline_throws", "throws", [](const NoOptions&) {
        return RewardFn(
            [](const RewardInput&) -> RewardResult { throw std::runtime_error("broken"); });
    });
    const util::TempDir dir("r1-offline-test");
    const auto path = dir.path() / "in.jsonl";
    std::ofstream(path) << R"({"completion": "<answer>4</answer>", "answer": "4"})"
                        << "\n\n"
                        << R"({"completion": "<answer>3</answer>", "answer": "4"})"
                        << "\n";
    std::ostringstream out;
    const OfflineSummary s = score_jsonl({.name = "accuracy"}, path, out);
    EXPECT_EQ(s.count, 2);
    EXPECT_DOUBLE_EQ(s.mean, 0.5);
    EXPECT_EQ(out.str(),
              "{\"reward\":1.0,\"extracted\":\"4\",\"reason\":\"correct\"}\n"
              "{\"reward\":0.0,\"extracted\":\"3\",\"reason\":\"wrong\"}\n");
    std::ostringstream failed;
    const OfflineSummary f = score_jsonl({.name = "test_offline_throws"}, path, failed);
    EXPECT_EQ(f.failures, 2);
    EXPECT_EQ(f.none, 2);
    EXPECT_NE(failed.str().find("\"reward\":null,\"extracted\":\"\",\"reason\":\"failed: broken\""),
              std::string::npos);
    std::ofstream(path, std::ios::app) << "{oops\n";
    std::ostringstream ignored;
    expect_contains(
        error_of<util::FormatError>([&] { score_jsonl({.name = "accuracy"}, path, ignored); }),
        {"in.jsonl:4: invalid JSON"});
}

}  // namespace
}  // namespace r1::rewards
