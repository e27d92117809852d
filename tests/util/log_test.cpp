// Logs through spdlog from a translation unit that includes all of LibTorch: if LibTorch's bundled
// fmt and Debian's fmt (under spdlog) could meet, this file would not compile or the text would
// differ.
#include "r1/util/log.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

namespace r1::log {
namespace {

TEST(LogTest, WritesToFileFromTorchTranslationUnit) {
    util::TempDir dir;
    const std::string file = (dir.path() / "log.txt").string();
    init({.level = Level::warn, .file = file, .console = true});
    const torch::Tensor t = torch::arange(3, torch::kFloat32);
    info("tensor sum ", t.sum().item<float>(), " braces {} stay literal");
    debug("debug goes to the file only");
    close_file();
    const std::string text = util::read_file(file);
    EXPECT_NE(text.find("tensor sum 3 braces {} stay literal"), std::string::npos) << text;
    EXPECT_NE(text.find("debug goes to the file only"), std::string::npos) << text;
    init({});
}

TEST(LogTest, LevelsParseFromNames) {
    EXPECT_EQ(parse_level("debug"), Level::debug);
    EXPECT_EQ(parse_level("off"), Level::off);
    EXPECT_THROW(parse_level("loud"), util::ConfigError);
}

TEST(LogTest, EnabledFollowsThreshold) {
    init({.level = Level::error});
    EXPECT_FALSE(enabled(Level::info));
    EXPECT_TRUE(enabled(Level::error));
    init({});
    EXPECT_TRUE(enabled(Level::info));
}

TEST(LogTest, UnwritableLogFileIsAnIoError) {
    EXPECT_THROW(init({.file = "/proc/r1-cannot-write/log.txt"}), util::IoError);
    init({});
}

}  // namespace
}  // namespace r1::log
