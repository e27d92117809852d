#include "r1/io/checkpoint.h"

#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace r1::io {
namespace {

namespace fs = std::filesystem;

void write_weights(const fs::path& dir, const std::string& text) {
    util::atomic_write_file(dir / "weights.txt", text);
}

TEST(CheckpointTest, SaveListsAndRepointsLatest) {
    util::TempDir dir;
    Checkpointer ckpt(dir.path(), 5);
    EXPECT_FALSE(ckpt.latest().has_value());
    ckpt.save(10, [](const fs::path& d) { write_weights(d, "a"); });
    const fs::path second = ckpt.save(20, [](const fs::path& d) { write_weights(d, "b"); });
    EXPECT_EQ(second.filename(), "step-00000020");
    EXPECT_EQ(ckpt.latest(), second);
    EXPECT_EQ(util::read_file(dir.path() / "latest"), "step-00000020\n");
    EXPECT_EQ(util::read_file(*ckpt.latest() / "weights.txt"), "b");
}

TEST(CheckpointTest, KeepsOnlyTheNewest) {
    util::TempDir dir;
    Checkpointer ckpt(dir.path(), 2);
    for (int64_t step : {1, 2, 3, 4}) {
        ckpt.save(step, [&](const fs::path& d) { write_weights(d, std::to_string(step)); });
    }
    const auto all = ckpt.list();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(Checkpointer::step_of(all[0]), 3);
    EXPECT_EQ(Checkpointer::step_of(all[1]), 4);
}

TEST(CheckpointTest, ACrashMidWriteLeavesTheLastGoodOne) {
    util::TempDir dir;
    Checkpointer ckpt(dir.path(), 3);
    const fs::path good = ckpt.save(5, [](const fs::path& d) { write_weights(d, "good"); });
    EXPECT_THROW(ckpt.save(6,
                           [](const fs::path& d) {
                               write_weights(d, "half");
                               throw std::runtime_error("killed while writing");
                           }),
                 std::runtime_error);
    EXPECT_EQ(ckpt.latest(), good);
    EXPECT_EQ(util::read_file(*ckpt.latest() / "weights.txt"), "good");
    // The next save clears the leftover temporary directory.
    ckpt.save(6, [](const fs::path& d) { write_weights(d, "retry"); });
    EXPECT_FALSE(fs::exists(dir.path() / ".tmp-step-00000006"));
    EXPECT_EQ(util::read_file(*ckpt.latest() / "weights.txt"), "retry");
}

TEST(CheckpointTest, StepOfRejectsOtherNames) {
    EXPECT_EQ(Checkpointer::step_of("ckpt/step-00000042"), 42);
    EXPECT_FALSE(Checkpointer::step_of("ckpt/.tmp-step-00000042"));
    EXPECT_FALSE(Checkpointer::step_of("ckpt/step-42"));
    EXPECT_FALSE(Checkpointer::step_of("ckpt/latest"));
}

}  // namespace
}  // namespace r1::io
