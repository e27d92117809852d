// A JSONL file read against the schema of its use (RL samples, SFT examples, preference pairs):
// streamed line by line; a bad line fails the run or, with on_error: skip, is logged with its
// file:line and counted. describe_jsonl() summarises any JSONL file for `r1 info`.
#pragma once

#include "r1/config/visitor.h"
#include "r1/data/sample.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace r1::data {

enum class OnError { fail, skip };

constexpr auto enum_names(OnError) {
    return std::array{std::pair{OnError::fail, "fail"}, std::pair{OnError::skip, "skip"}};
}

struct JsonlDatasetOptions {
    std::string path;  // the JSONL file
    OnError on_error =
        OnError::fail;        // a malformed line: stop with its error, or skip and count it
    int64_t max_samples = 0;  // stop after this many good rows; 0: all
};

void visit(config::Visitor& v, JsonlDatasetOptions& o);

template <class T>
struct Dataset {
    std::vector<T> rows;
    int64_t skipped = 0;      // malformed lines skipped (on_error: skip)
    std::string first_error;  // the first skipped line's error, "" when none
};

/// Reads every row of `options.path` as T (Sample, SftExample or PreferencePair).
template <class T>
Dataset<T> read_jsonl_dataset(const JsonlDatasetOptions& options);

extern template Dataset<Sample> read_jsonl_dataset<Sample>(const JsonlDatasetOptions&);
extern template Dataset<SftExample> read_jsonl_dataset<SftExample>(const JsonlDatasetOptions&);
extern template Dataset<PreferencePair> read_jsonl_dataset<PreferencePair>(
    const JsonlDatasetOptions&);

/// For `r1 info`: line count, blank lines, each top-level field with its JSON types and how many
/// lines have it, and the first malformed line with its error. IoError if the file can't be read.
std::string describe_jsonl(const std::filesystem::path& path);

}  // namespace r1::data
