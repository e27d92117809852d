#include "r1/util/fs.h"

#include "r1/io/run_dir.h"
#include "r1/util/error.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/expect.h"

namespace r1::util {
namespace {

namespace fs = std::filesystem;

TEST(FsTest, AtomicWriteReplacesContentAndLeavesNoTemporary) {
    TempDir dir;
    const fs::path file = dir.path() / "sub" / "a.txt";
    atomic_write_file(file, "first");
    atomic_write_file(file, "second");
    EXPECT_EQ(read_file(file), "second");
    int64_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(file.parent_path())) {
        ++entries;
    }
    EXPECT_EQ(entries, 1) << "a temporary file was left behind";
}

TEST(FsTest, AtomicWriteIntoUnwritablePlaceKeepsOldFile) {
    TempDir dir;
    const fs::path file = dir.path() / "keep.txt";
    atomic_write_file(file, "old");
    fs::create_directory(dir.path() / "blocker");
    // Renaming a file onto a non-empty directory fails: the old content must survive elsewhere.
    atomic_write_file(dir.path() / "blocker" / "x", "y");
    EXPECT_THROW(atomic_write_file(dir.path() / "blocker", "z"), IoError);
    EXPECT_EQ(read_file(file), "old");
}

TEST(FsTest, ReadFileNamesMissingPath) {
    const std::string message =
        r1::test::error_of<IoError>([] { read_file("/nonexistent/r1.yaml"); });
    r1::test::expect_contains(message, {"/nonexistent/r1.yaml", "cannot open"});
}

TEST(FsTest, TempDirIsRemovedWithContents) {
    fs::path kept;
    {
        TempDir dir("r1-test");
        kept = dir.path();
        atomic_write_file(kept / "a" / "b.txt", "x");
        EXPECT_TRUE(fs::exists(kept / "a" / "b.txt"));
    }
    EXPECT_FALSE(fs::exists(kept));
}

TEST(RunDirTest, CreateWritesConfigAndCheckpointDir) {
    TempDir dir;
    const auto run = io::RunDir::create(dir.path() / "run", "seed: 1\n");
    EXPECT_EQ(read_file(run.config()), "seed: 1\n");
    EXPECT_TRUE(fs::is_directory(run.checkpoints()));
    EXPECT_EQ(run.metrics().filename(), "metrics.jsonl");
}

}  // namespace
}  // namespace r1::util
