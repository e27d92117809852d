// Sharded checkpoints: huggingface_hub's split rule on a hand-computed table, the index
// transformers writes, stale-file cleanup, and the errors for broken indexes and shards.
#include "r1/io/safetensors_index.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/expect.h"

namespace r1::io {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::expect_contains;

// F32 tensors of the given byte sizes, named t0, t1, ...
NamedTensors of_sizes(const std::vector<int64_t>& bytes) {
    NamedTensors out;
    for (size_t i = 0; i < bytes.size(); ++i) {
        out.emplace_back("t" + std::to_string(i), at::full({bytes[i] / 4}, static_cast<double>(i)));
    }
    return out;
}

TEST(ShardedSafetensorsTest, SplitsLikeHuggingfaceHub) {
    // max 100: [40, 40] | 120 > max goes alone, *before* the open shard [32] | [32, 60] | [88]
    util::TempDir dir;
    const NamedTensors tensors = of_sizes({40, 40, 32, 120, 60, 88});
    write_sharded_safetensors(dir.path(), tensors, {.max_shard_size = 100});
    const ShardedSafetensors checkpoint(dir.path());
    ASSERT_TRUE(checkpoint.sharded());
    const std::map<std::string, std::string> want{
        {"t0", "model-00001-of-00004.safetensors"}, {"t1", "model-00001-of-00004.safetensors"},
        {"t3", "model-00002-of-00004.safetensors"}, {"t2", "model-00003-of-00004.safetensors"},
        {"t4", "model-00003-of-00004.safetensors"}, {"t5", "model-00004-of-00004.safetensors"}};
    for (const auto& [name, file] : want) {
        EXPECT_EQ(checkpoint.shard_of(name), file) << name;
        EXPECT_TRUE(checkpoint.tensor(name).equal(tensors[std::stoul(name.substr(1))].second));
    }
    EXPECT_EQ(checkpoint.total_size(), 380U);
    EXPECT_EQ(checkpoint.total_parameters(), 95U);
    checkpoint.verify();
    EXPECT_EQ(checkpoint.shard(want.at("t0")).metadata(), (Metadata{{"format", "pt"}}));
    // The index as transformers writes it: indent 2, sorted keys, trailing newline.
    const std::string index = util::read_file(dir.path() / "model.safetensors.index.json");
    const std::string head =
        "{\n  \"metadata\": {\n    \"total_parameters\": 95,\n    \"total_size\": 380\n  },\n";
    EXPECT_EQ(index.substr(0, head.size()), head);
    EXPECT_EQ(index.back(), '\n');
}

TEST(ShardedSafetensorsTest, OneShardIsModelSafetensorsAndStaleFilesGo) {
    util::TempDir dir;
    write_sharded_safetensors(dir.path(), of_sizes({40, 40, 40}), {.max_shard_size = 50});
    EXPECT_TRUE(fs::exists(dir.path() / "model-00003-of-00003.safetensors"));
    util::atomic_write_file(dir.path() / "notes.txt", "kept");
    write_sharded_safetensors(dir.path(), of_sizes({40, 40}));
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir.path())) {
        files.push_back(e.path().filename().string());
    }
    std::sort(files.begin(), files.end());
    EXPECT_EQ(files, (std::vector<std::string>{"model.safetensors", "notes.txt"}));
    const ShardedSafetensors checkpoint(dir.path());
    EXPECT_FALSE(checkpoint.sharded());
    EXPECT_EQ(checkpoint.names(), (std::vector<std::string>{"t0", "t1"}));
    EXPECT_EQ(ShardedSafetensors(dir.path() / "model.safetensors").names().size(), 2U);
}

TEST(ShardedSafetensorsTest, BrokenIndexesAreNamedErrors) {
    util::TempDir dir;
    const fs::path index = dir.path() / "model.safetensors.index.json";
    write_sharded_safetensors(dir.path(), of_sizes({40, 40, 40}), {.max_shard_size = 50});
    fs::remove(dir.path() / "model-00002-of-00003.safetensors");
    expect_contains(
        error_of<util::IoError>([&] { ShardedSafetensors{dir.path()}; }),
        {index.string(), "shard 'model-00002-of-00003.safetensors'", "tensor 't1'", "is missing"});

    write_sharded_safetensors(dir.path(), of_sizes({40, 40, 40}), {.max_shard_size = 50});
    auto j = nlohmann::json::parse(util::read_file(index));
    j["weight_map"]["t1"] = "model-00003-of-00003.safetensors";
    util::atomic_write_file(index, j.dump());
    const ShardedSafetensors moved(dir.path());
    expect_contains(error_of<util::FormatError>([&] { moved.tensor("t1"); }),
                    {index.string(),
                     "tensor 't1' is mapped to shard 'model-00003-of-00003.safetensors', "
                     "which has no such tensor"});
    expect_contains(error_of<util::FormatError>([&] { moved.verify(); }), {"tensor 't1'"});
    expect_contains(error_of<util::FormatError>([&] { moved.tensor("t9"); }), {"no tensor 't9'"});

    j["weight_map"]["t1"] = "../model-00001-of-00003.safetensors";
    util::atomic_write_file(index, j.dump());
    expect_contains(error_of<util::FormatError>([&] { ShardedSafetensors{dir.path()}; }),
                    {"weight_map['t1']", "expected a file name"});
    j["metadata"]["total_size"] = -3;
    j["weight_map"]["t1"] = "model-00001-of-00003.safetensors";
    util::atomic_write_file(index, j.dump());
    expect_contains(error_of<util::FormatError>([&] { ShardedSafetensors{dir.path()}; }),
                    {"metadata.total_size", "non-negative integer"});
    util::atomic_write_file(index, "{\"weight_map\": {");
    expect_contains(error_of<util::FormatError>([&] { ShardedSafetensors{dir.path()}; }),
                    {index.string(), "not valid JSON"});
    util::TempDir empty;
    expect_contains(error_of<util::IoError>([&] { ShardedSafetensors{empty.path()}; }),
                    {"no model.safetensors.index.json or model.safetensors"});
}

}  // namespace
}  // namespace r1::io
