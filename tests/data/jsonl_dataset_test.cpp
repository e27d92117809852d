// Dataset schemas per use (RL, SFT, preference) with file:line + field errors, skip mode counting,
// max_samples, and describe_jsonl() for `r1 info`.
#include "r1/data/jsonl_dataset.h"

#include "r1/config/load.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/expect.h"

namespace r1::data {
namespace {

using test::error_of;
using test::expect_contains;

struct File {
    util::TempDir dir;
    std::string path;

    explicit File(const std::string& content) : path((dir.path() / "d.jsonl").string()) {
        std::ofstream(path, std::ios::binary) << content;
    }
};

template <class T>
std::string first_error(const std::string& content) {
    File f(content);
    return error_of<util::FormatError>([&] { read_jsonl_dataset<T>({.path = f.path}); });
}

TEST(JsonlDatasetTest, ReadsRlSamplesWithTaskFields) {
    File f(R"({"prompt": "1+1?", "answer": "2"}
{"prompt": "Use [3, 5] to make 8", "numbers": [3, 5], "target": 8, "kind": "countdown"}
{"prompt": "write f", "tests": [{"input": "1\n", "output": "2\n"}, {"assert": "f(1) == 2", "weight": 2}], "language": "python"}
)");
    const auto d = read_jsonl_dataset<Sample>({.path = f.path});
    ASSERT_EQ(d.rows.size(), 3u);
    EXPECT_EQ(d.rows[0].answer, "2");
    EXPECT_EQ(d.rows[1].numbers, (std::vector<int64_t>{3, 5}));
    EXPECT_EQ(d.rows[1].target, 8);
    EXPECT_EQ(d.rows[1].kind, "countdown");
    ASSERT_EQ(d.rows[2].tests.size(), 2u);
    EXPECT_EQ(d.rows[2].tests[0].output, "2\n");
    EXPECT_EQ(d.rows[2].tests[1].assertion, "f(1) == 2");
    EXPECT_EQ(d.rows[2].tests[1].weight, 2.0);
    EXPECT_EQ(d.rows[2].language, "python");
    EXPECT_EQ(d.skipped, 0);
    // to_json and back is the identity.
    File g(to_json(d.rows[2]).dump() + "\n" + to_json(d.rows[1]).dump() + "\n");
    const auto e = read_jsonl_dataset<Sample>({.path = g.path});
    EXPECT_EQ(to_json(e.rows[0]), to_json(d.rows[2]));
    EXPECT_EQ(to_json(e.rows[1]), to_json(d.rows[1]));
}

TEST(JsonlDatasetTest, RlSchemaErrorsNameLineAndField) {
    expect_contains(
        first_error<Sample>("{\"prompt\": \"p\", \"answer\": \"a\"}\n{\"prompt\": \"p\"}\n"),
        {"d.jsonl:2: field 'answer': missing"});
    expect_contains(first_error<Sample>("{\"prompt\": \"p\", \"answer\": 4}\n"),
                    {"d.jsonl:1: field 'answer': expected a string, got an integer"});
    expect_contains(first_error<Sample>("{\"prompt\": \"p\", \"tests\": [{\"input\": \"1\"}]}\n"),
                    {"d.jsonl:1: field 'tests[0]': expected \"input\" and \"output\""});
    expect_contains(first_error<Sample>("{\"prompt\": \"p\", \"tests\": [{\"assert\": 1}]}\n"),
                    {"field 'tests[0].assert': expected a string, got an integer"});
    expect_contains(
        first_error<Sample>("{\"prompt\": \"p\", \"target\": 3, \"numbers\": [1, \"2\"]}\n"),
        {"field 'numbers[1]': expected an integer, got a string"});
    expect_contains(first_error<Sample>("{\"prompt\": \"p\", \"answer\": \"a\", \"kind\": []}\n"),
                    {"field 'kind': expected a string, got a list"});
}

TEST(JsonlDatasetTest, SftAcceptsTrlsThreeShapes) {
    File f(
        R"({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}]}
{"prompt": "p", "response": "r"}
{"text": "t"}
{"prompt": [{"role": "user", "content": "u"}], "completion": [{"role": "assistant", "content": "c"}]}
)");
    const auto d = read_jsonl_dataset<SftExample>({.path = f.path});
    using Shape = SftExample::Shape;
    ASSERT_EQ(d.rows.size(), 4u);
    EXPECT_EQ(d.rows[0].shape, Shape::conversation);
    EXPECT_EQ(d.rows[0].messages.size(), 3u);
    EXPECT_EQ(d.rows[1].shape, Shape::prompt_completion);
    EXPECT_EQ(d.rows[1].prompt, "p");
    EXPECT_EQ(d.rows[1].completion, "r");
    EXPECT_EQ(d.rows[1].where.line, 2);
    EXPECT_EQ(d.rows[2].shape, Shape::text);
    EXPECT_EQ(d.rows[2].text, "t");
    EXPECT_EQ(d.rows[3].shape, Shape::prompt_completion);
    ASSERT_EQ(d.rows[3].messages.size(), 2u);
    EXPECT_EQ(d.rows[3].completion_from, 1u);
    for (const auto& row : d.rows) {  // each shape writes itself back as it was read
        EXPECT_EQ(to_json(sft_example_from_json(io::JsonFields(to_json(row), {}))), to_json(row));
    }
}

TEST(JsonlDatasetTest, SftSchemaErrors) {
    expect_contains(first_error<SftExample>("{\"txt\": \"x\"}\n"),
                    {"d.jsonl:1: field 'messages': missing"});
    expect_contains(first_error<SftExample>("{\"prompt\": \"p\"}\n"),
                    {"field 'completion': missing"});
    expect_contains(first_error<SftExample>("{\"prompt\": [], \"completion\": []}\n"),
                    {"field 'prompt'", "an empty list"});
    expect_contains(
        first_error<SftExample>("{\"messages\": [{\"role\": \"user\", \"content\": \"u\"}]}\n"),
        {"field 'messages': the last message must be the assistant's"});
    expect_contains(
        first_error<SftExample>("{\"messages\": [{\"role\": \"bot\", \"content\": \"u\"}]}\n"),
        {"field 'messages[0].role': expected one of system|user|assistant, got 'bot'"});
    expect_contains(first_error<SftExample>("{\"messages\": [{\"role\": \"user\"}]}\n"),
                    {"field 'messages[0].content': expected a string, got nothing"});
    expect_contains(first_error<SftExample>("{\"messages\": []}\n"),
                    {"field 'messages'", "an empty list"});
}

TEST(JsonlDatasetTest, PreferencePairs) {
    File f("{\"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"}\n");
    const auto d = read_jsonl_dataset<PreferencePair>({.path = f.path});
    ASSERT_EQ(d.rows.size(), 1u);
    EXPECT_EQ(d.rows[0].rejected, "r");
    expect_contains(first_error<PreferencePair>("{\"prompt\": \"p\", \"chosen\": \"c\"}\n"),
                    {"d.jsonl:1: field 'rejected': missing"});
}

TEST(JsonlDatasetTest, SkipModeCountsAndKeepsGoodRows) {
    File f(
        "{\"prompt\": \"a\", \"answer\": \"1\"}\n{bad\n\n[1]\n{\"prompt\": \"b\", \"answer\": 2}\n"
        "{\"prompt\": \"c\", \"answer\": \"3\"}\n");
    const auto d = read_jsonl_dataset<Sample>({.path = f.path, .on_error = OnError::skip});
    ASSERT_EQ(d.rows.size(), 2u);
    EXPECT_EQ(d.rows[1].prompt, "c");
    EXPECT_EQ(d.skipped, 3);
    expect_contains(d.first_error, {"d.jsonl:2:", "invalid JSON"});
    EXPECT_THROW(read_jsonl_dataset<Sample>({.path = f.path}), util::FormatError);
}

TEST(JsonlDatasetTest, MaxSamplesStopsEarly) {
    File f(
        "{\"prompt\": \"a\", \"answer\": \"1\"}\n{\"prompt\": \"b\", \"answer\": "
        "\"2\"}\n{broken\n");
    const auto d = read_jsonl_dataset<Sample>({.path = f.path, .max_samples = 2});
    EXPECT_EQ(d.rows.size(), 2u);  // the broken third line is never read
}

TEST(JsonlDatasetTest, OptionsComeFromYaml) {
    util::TempDir dir;
    std::ofstream(dir.path() / "o.yaml") << "path: x.jsonl\non_error: skip\nmax_samples: 5\n";
    const auto o = config::load<JsonlDatasetOptions>(dir.path() / "o.yaml");
    EXPECT_EQ(o.on_error, OnError::skip);
    EXPECT_EQ(o.max_samples, 5);
    std::ofstream(dir.path() / "b.yaml") << "path: x.jsonl\non_error: ignore\n";
    expect_contains(error_of<util::ConfigError>(
                        [&] { config::load<JsonlDatasetOptions>(dir.path() / "b.yaml"); }),
                    {"b.yaml:2", "on_error", "fail|skip"});
}

TEST(DescribeJsonlTest, CountsFieldsTypesAndFirstMalformedLine) {
    File f(
        "{\"prompt\": \"a\", \"target\": 3}\n\n{\"prompt\": \"b\", \"target\": null, \"x\": "
        "[1]}\n{\"prompt\": 1\n"
        "{\"prompt\": \"c\", \"target\": 4.5}\n");
    const std::string d = describe_jsonl(f.path);
    expect_contains(d, {"5 lines (3 objects, 1 malformed, 1 blank)", "prompt  3/3 lines: string 3",
                        "target  3/3 lines: integer 1 null 1 number 1", "x       1/3 lines: list 1",
                        "first malformed line: ", "d.jsonl:4:", "invalid JSON"});
    EXPECT_THROW(describe_jsonl("/nonexistent.jsonl"), util::IoError);
}

}  // namespace
}  // namespace r1::data
