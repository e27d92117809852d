// 1,400 corrupted JSONL files (truncations, flipped bytes, invalid UTF-8, wrong types, missing
// fields, huge numbers, deep nesting): each one is a FormatError in fail mode when the corruption
// must break it, a counted skip in skip mode, and never a crash (also run under ASan + UBSan).
#include "r1/data/jsonl_dataset.h"
#include "r1/util/fs.h"
#include "r1/util/log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace r1::data {
namespace {

using nlohmann::json;

enum class Corruption {
    truncate,
    flip,
    bad_utf8,
    wrong_type,
    missing_field,
    huge_number,
    deep_nesting
};
constexpr int kKinds = 7;

std::vector<json> base_rows() {
    std::vector<json> rows;
    for (int i = 0; i < 6; ++i) {
        rows.push_back({{"prompt", "Problem " + std::to_string(i) + ": 中文 ünïcode 😀 [x] {y}"},
                        {"answer", std::to_string(i * 7)},
                        {"numbers", {i, i + 1, i + 2}},
                        {"target", 10 + i},
                        {"tests", {{{"input", "1\n"}, {"output", "2\n"}}}}});
    }
    return rows;
}

std::string dump(const std::vector<json>& rows) {
    std::string text;
    for (const json& r : rows) {
        text += r.dump() + "\n";
    }
    return text;
}

/// A corrupted file and whether the corruption must make at least one line bad.
std::pair<std::string, bool> corrupt(Corruption kind, std::mt19937_64& rng) {
    auto rows = base_rows();
    std::string text = dump(rows);
    const auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    json& row = rows[pick(rows.size())];
    switch (kind) {
        case Corruption::truncate: {
            size_t cut = 1 + pick(text.size() - 1);
            while (text[cut] == '\n' || text[cut - 1] == '\n') {
                --cut;  // a cut at a line boundary would leave a valid file
            }
            return {text.substr(0, cut), true};
        }
        case Corruption::flip: {
            for (size_t n = 1 + pick(3); n > 0; --n) {
                text[pick(text.size())] ^= static_cast<char>(1 + pick(255));
            }
            return {text, false};  // a flip inside a string may leave valid JSON
        }
        case Corruption::bad_utf8: {
            static const char* bad[] = {
                "\xFF", "\x80", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE4\xB8", "\xF5"};
            text.insert(pick(text.size() + 1), bad[pick(7)]);
            return {text, true};
        }
        case Corruption::wrong_type: {
            const char* fields[] = {"prompt", "answer", "numbers", "target", "tests"};
            const json wrong[] = {json(5),    json::array({1}), json::object(),
                                  json(true), json(2.5),        json("s")};
            const std::string field = fields[pick(5)];
            json value = wrong[pick(6)];
            if ((field == "prompt" || field == "answer") && value.is_string()) {
                value = 1;
            }
            if (field == "target" && !value.is_string()) {
                value = json::array();
            }
            if (field == "tests" && value.is_array()) {
                value = json::array({7});  // a list, but not of test objects
            }
            if (field == "numbers" && value.is_array()) {
                value = json::array({"one"});
            }
            row[field] = value;
            return {dump(rows), true};
        }
        case Corruption::missing_field:
            row.erase("prompt");
            return {dump(rows), true};
        case Corruption::huge_number: {
            static const char* huge[] = {"1e999", "-1e400", "18446744073709551616",
                                         "99999999999999999999999", "9223372036854775808"};
            row["target"] = "@";
            std::string t = dump(rows);
            t.replace(t.find("\"@\""), 3, huge[pick(5)]);
            return {t, true};
        }
        case Corruption::deep_nesting: {
            const size_t depth = 250 + pick(5000);
            row["numbers"] = "@";
            std::string t = dump(rows);
            t.replace(t.find("\"@\""), 3, std::string(depth, '[') + "1" + std::string(depth, ']'));
            return {t, true};
        }
    }
    return {text, false};
}

int64_t non_blank_lines(const std::string& text) {
    int64_t n = 0;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        end = end == std::string::npos ? text.size() : end;
        const std::string line = text.substr(start, end - start);
        n += line.find_first_not_of(" \t\r\n") != std::string::npos;
        start = end + 1;
    }
    return n;
}

TEST(JsonlCorruptionTest, EveryCorruptedFileIsAnErrorOrACountedSkip) {
    log::init({.level = log::Level::error});  // 1,400 files' skip warnings would drown the output
    util::TempDir dir;
    std::mt19937_64 rng(20261124);
    int files = 0;
    int errors = 0;
    for (int i = 0; i < 1400; ++i, ++files) {
        const auto kind = static_cast<Corruption>(i % kKinds);
        const auto [text, must_fail] = corrupt(kind, rng);
        const std::string path = (dir.path() / ("c" + std::to_string(i) + ".jsonl")).string();
        std::ofstream(path, std::ios::binary) << text;
        bool failed = false;
        try {
            read_jsonl_dataset<Sample>({.path = path});
        } catch (const util::FormatError& e) {
            failed = true;
            ++errors;
            EXPECT_NE(std::string(e.what()).find(path + ":"), std::string::npos) << e.what();
        }
        EXPECT_TRUE(failed || !must_fail)
            << "file " << i << " kind " << i % kKinds << " read without error";
        const auto d = read_jsonl_dataset<Sample>({.path = path, .on_error = OnError::skip});
        EXPECT_EQ(static_cast<int64_t>(d.rows.size()) + d.skipped, non_blank_lines(text))
            << "file " << i;
        EXPECT_EQ(d.skipped > 0, failed) << "file " << i;
        EXPECT_FALSE(describe_jsonl(path).empty());
    }
    log::init({});
    EXPECT_EQ(files, 1400);
    EXPECT_GE(errors, 1200);
}

TEST(JsonlCorruptionTest, RandomBytesNeverCrashTheLineParser) {
    std::mt19937_64 rng(7);
    const std::string alphabet = "{}[]\":,.-+eE0123456789 tfnrul\\\x80\xC3\xFF";
    for (int i = 0; i < 5000; ++i) {
        std::string line(1 + rng() % 40, ' ');
        for (char& c : line) {
            c = alphabet[rng() % alphabet.size()];
        }
        try {
            const json v = io::parse_jsonl_line(line, {"mem", i + 1, 0});
            EXPECT_TRUE(v.is_object());
        } catch (const util::FormatError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("mem:" + std::to_string(i + 1), 0), 0u)
                << e.what();
        }
    }
}

}  // namespace
}  // namespace r1::data
