// JSONL reader and writer: every kind of bad line is a FormatError naming file:line (and the
// column or field); blank lines, CRLF and a BOM are accepted; written files read back equal.
#include "r1/io/jsonl.h"

#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/expect.h"

namespace r1::io {
namespace {

using nlohmann::json;
using test::error_of;
using test::expect_contains;

std::string write(const util::TempDir& dir, const std::string& name, const std::string& content) {
    const auto path = dir.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
}

/// The error of reading every line of `content`, or "" when all lines read.
std::string read_error(const std::string& content) {
    util::TempDir dir;
    const std::string path = write(dir, "d.jsonl", content);
    try {
        JsonlReader reader(path);
        json object;
        while (reader.next(object)) {
            JsonFields fields(object, reader.where());
            fields.string("prompt");
            fields.optional_integer("target");
            if (fields.has("numbers")) {
                fields.integers("numbers");
            }
        }
    } catch (const util::FormatError& e) {
        return e.what();
    }
    return "";
}

TEST(JsonlReaderTest, ReadsObjectsAndSkipsBlankLines) {
    util::TempDir dir;
    const std::string path = write(dir, "d.jsonl", "{\"a\": 1}\n\n   \n{\"a\": 2}\r\n{\"a\": 3}");
    JsonlReader reader(path);
    json object;
    std::vector<std::pair<int64_t, int64_t>> seen;  // (line, a)
    while (reader.next(object)) {
        seen.emplace_back(reader.where().line, object.at("a").get<int64_t>());
    }
    EXPECT_EQ(seen, (std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {4, 2}, {5, 3}}));
    EXPECT_FALSE(reader.next(object));
}

TEST(JsonlReaderTest, AcceptsByteOrderMarkOnFirstLine) {
    EXPECT_EQ(read_error("\xEF\xBB\xBF{\"prompt\": \"p\"}\n"), "");
}

TEST(JsonlReaderTest, InvalidJsonNamesLineAndColumn) {
    const std::string e = read_error("{\"prompt\": \"a\"}\n\n{\"prompt\": tru}\n");
    expect_contains(e, {"d.jsonl:3:", "invalid JSON", "syntax error"});
    EXPECT_NE(e.find("d.jsonl:3:15"), std::string::npos) << e;  // where the literal "tru" broke off
}

TEST(JsonlReaderTest, TruncatedLineIsInvalidJson) {
    expect_contains(read_error("{\"prompt\": \"a\"}\n{\"prompt\": \"ab"),
                    {"d.jsonl:2:", "invalid JSON"});
}

TEST(JsonlReaderTest, InvalidUtf8NamesTheByteColumn) {
    expect_contains(read_error("{\"prompt\": \"a\"}\n{\"prompt\": \"\xC3\x28\"}\n"),
                    {"d.jsonl:2:13: invalid UTF-8"});
    expect_contains(read_error("{\"prompt\": \"\xED\xA0\x80\"}\n"),
                    {"d.jsonl:1:13: invalid UTF-8"});  // surrogate
    expect_contains(read_error("{\"prompt\": \"\xC0\xAF\"}\n"),
                    {"d.jsonl:1:13: invalid UTF-8"});  // overlong
    expect_contains(read_error("{\"prompt\": \"\xF4\x90\x80\x80\"}\n"),
                    {"d.jsonl:1:13: invalid UTF-8"});
}

TEST(JsonlReaderTest, Utf8ValidatorAcceptsEveryPlane) {
    EXPECT_EQ(invalid_utf8_column("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80z"), 0);  // é 中 😀
    EXPECT_EQ(invalid_utf8_column("ab\xF0\x9F\x98"), 3);                          // cut short
    EXPECT_EQ(invalid_utf8_column("\xFF"), 1);
}

TEST(JsonlReaderTest, LineThatIsNotAnObject) {
    expect_contains(read_error("[1, 2]\n"),
                    {"d.jsonl:1: expected a JSON object per line, got a list"});
    expect_contains(read_error("{\"prompt\": \"a\"}\n\"text\"\n"),
                    {"d.jsonl:2: expected a JSON object", "a string"});
    expect_contains(read_error("42\n"), {"d.jsonl:1:", "got an integer"});
}

TEST(JsonlReaderTest, MissingAndMistypedFieldsAreNamed) {
    expect_contains(read_error("{\"answer\": \"a\"}\n"), {"d.jsonl:1: field 'prompt': missing"});
    expect_contains(read_error("{\"prompt\": 3}\n"),
                    {"d.jsonl:1: field 'prompt': expected a string, got an integer"});
    expect_contains(read_error("{\"prompt\": \"p\", \"target\": \"7\"}\n"),
                    {"field 'target': expected an integer, got a string"});
    expect_contains(read_error("{\"prompt\": \"p\", \"numbers\": [1, 2.5]}\n"),
                    {"field 'numbers[1]': expected an integer, got a number"});
    expect_contains(read_error("{\"prompt\": \"p\", \"numbers\": {}}\n"),
                    {"field 'numbers': expected a list of integers, got an object"});
}

TEST(JsonlReaderTest, HugeNumbersAreErrorsNotInfinities) {
    expect_contains(read_error("{\"prompt\": \"p\", \"target\": 1e999}\n"),
                    {"d.jsonl:1", "invalid JSON", "1e999"});
    expect_contains(read_error("{\"prompt\": \"p\", \"target\": 18446744073709551615}\n"),
                    {"field 'target': integer 18446744073709551615 does not fit in 64 bits"});
    expect_contains(read_error("{\"prompt\": \"p\", \"target\": 123456789012345678901234567890}\n"),
                    {"field 'target': expected an integer, got a number"});
}

TEST(JsonlReaderTest, DeepNestingIsRefused) {
    const std::string deep =
        "{\"prompt\": " + std::string(100000, '[') + std::string(100000, ']') + "}\n";
    expect_contains(read_error(deep), {"d.jsonl:1: JSON nested deeper than 256 levels"});
    const std::string ok =
        "{\"prompt\": \"p\", \"x\": " + std::string(200, '[') + std::string(200, ']') + "}\n";
    EXPECT_EQ(read_error(ok), "");
}

TEST(JsonlReaderTest, BracketsInsideStringsDoNotCountAsNesting) {
    EXPECT_EQ(read_error("{\"prompt\": \"" + std::string(1000, '[') + "\\\"\"}\n"), "");
}

TEST(JsonlReaderTest, ContinuesAfterABadLine) {
    util::TempDir dir;
    JsonlReader reader(write(dir, "d.jsonl", "{\"a\": 1}\n{oops\n{\"a\": 3}\n"));
    json object;
    ASSERT_TRUE(reader.next(object));
    EXPECT_THROW(reader.next(object), util::FormatError);
    ASSERT_TRUE(reader.next(object));
    EXPECT_EQ(object.at("a"), 3);
    EXPECT_EQ(reader.where().line, 3);
}

TEST(JsonlReaderTest, OverlongLineIsRefusedAndSkippable) {
    util::TempDir dir;
    const std::string long_line = "{\"a\": \"" + std::string(200000, 'x') + "\"}";  // spans buffers
    JsonlReader reader(write(dir, "d.jsonl", "{\"a\": 1}\n" + long_line + "\n{\"a\": 3}"), 100000);
    json object;
    ASSERT_TRUE(reader.next(object));
    expect_contains(error_of<util::FormatError>([&] { reader.next(object); }),
                    {"d.jsonl:2: line longer than 100000 bytes"});
    ASSERT_TRUE(reader.next(object));
    EXPECT_EQ(object.at("a"), 3);
    EXPECT_EQ(reader.where().line, 3);
    JsonlReader roomy(dir.path() / "d.jsonl");
    ASSERT_TRUE(roomy.next(object));
    ASSERT_TRUE(roomy.next(object));
    EXPECT_EQ(object.at("a").get<std::string>().size(), 200000u);
}

TEST(JsonlReaderTest, MissingFileIsAnIoErrorNamingIt) {
    expect_contains(error_of<util::IoError>([] { JsonlReader("/nonexistent/x.jsonl"); }),
                    {"/nonexistent/x.jsonl"});
}

TEST(JsonlWriterTest, WritesOneFlushedObjectPerLineAndAppends) {
    util::TempDir dir;
    const auto path = dir.path() / "m.jsonl";
    {
        JsonlWriter writer(path);
        writer.write({{"step", 1}, {"text", "héllo\nworld"}});
        EXPECT_EQ(util::read_file(path),
                  "{\"step\":1,\"text\":\"héllo\\nworld\"}\n");  // flushed already
    }
    JsonlWriter(path, JsonlWriter::Mode::append).write({{"step", 2}});
    JsonlReader reader(path);
    json object;
    ASSERT_TRUE(reader.next(object));
    EXPECT_EQ(object.at("text"), "héllo\nworld");
    ASSERT_TRUE(reader.next(object));
    EXPECT_EQ(object.at("step"), 2);
    EXPECT_FALSE(reader.next(object));
}

TEST(JsonlWriterTest, WholeFileRoundTrips) {
    util::TempDir dir;
    const auto path = dir.path() / "rows.jsonl";
    std::vector<json> rows;
    for (int i = 0; i < 50; ++i) {
        rows.push_back({{"i", i}, {"s", std::string(static_cast<size_t>(i), 'x')}, {"l", {i, -i}}});
    }
    write_jsonl_file(path, rows);
    JsonlReader reader(path);
    json object;
    for (const json& row : rows) {
        ASSERT_TRUE(reader.next(object));
        EXPECT_EQ(object, row);
    }
    EXPECT_FALSE(reader.next(object));
}

TEST(JsonlWriterTest, InvalidUtf8IsAFormatErrorNotABadFile) {
    util::TempDir dir;
    const auto path = dir.path() / "bad.jsonl";
    expect_contains(error_of<util::FormatError>([&] {
                        write_jsonl_file(path, {{{"s", "\xFF"}}});
                    }),
                    {"cannot write JSONL", "UTF-8"});
    EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace r1::io
