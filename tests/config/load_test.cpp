#include "r1/config/load.h"

#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include "config/test_options.h"
#include "support/expect.h"

namespace r1::config {
namespace {

using r1::test::error_of;
using r1::test::expect_contains;
using test::Color;
using test::Options;
using util::ConfigError;

Options read_text(const std::string& text) {
    return read<Options>(parse_yaml(text, "cfg.yaml"));
}

std::string error_for(const std::string& text) {
    return error_of<ConfigError>([&] { read_text(text); });
}

TEST(LoadTest, EmptyDocumentKeepsDefaults) {
    const Options o = read_text("");
    EXPECT_EQ(o.name, "demo");
    EXPECT_EQ(o.count, 3);
    EXPECT_EQ(o.inner.betas, (std::vector<double>{0.9, 0.99}));
    ASSERT_EQ(o.items.size(), 1u);
}

TEST(LoadTest, ReadsEveryFieldKind) {
    const Options o = read_text(
        "name: run-1\ncount: 7\nenabled: false\ncolor: dark-blue\ntags: [x, y]\n"
        "inner:\n  rate: 1.0e-3\n  limit: 9\n  betas: [0.5, 0.75]\n"
        "items:\n  - name: p\n    weight: 2\n  - name: q\n");
    EXPECT_EQ(o.name, "run-1");
    EXPECT_EQ(o.count, 7);
    EXPECT_FALSE(o.enabled);
    EXPECT_EQ(o.color, Color::dark_blue);
    EXPECT_EQ(o.tags, (std::vector<std::string>{"x", "y"}));
    EXPECT_DOUBLE_EQ(o.inner.rate, 1e-3);
    EXPECT_EQ(o.inner.limit, 9);
    EXPECT_EQ(o.inner.betas, (std::vector<double>{0.5, 0.75}));
    ASSERT_EQ(o.items.size(), 2u);
    EXPECT_EQ(o.items[0].name, "p");
    EXPECT_DOUBLE_EQ(o.items[0].weight, 2.0);
    EXPECT_DOUBLE_EQ(o.items[1].weight, 1.0);
}

TEST(LoadTest, NullClearsAnOptional) {
    EXPECT_FALSE(read_text("inner:\n  limit: null\n").inner.limit.has_value());
    EXPECT_TRUE(read_text("items: null\n").items.empty());
}

TEST(LoadTest, UnknownKeySuggestsNearestWithLine) {
    expect_contains(error_for("name: x\ncuont: 3\n"),
                    {"cfg.yaml:2:1", "unknown key 'cuont'", "did you mean 'count'?"});
    expect_contains(error_for("inner:\n  rat: 0.1\n"),
                    {"cfg.yaml:2:3", "unknown key 'inner.rat'", "did you mean 'inner.rate'?"});
}

TEST(LoadTest, UnknownKeyInWrongSectionPointsToTheRightOne) {
    expect_contains(error_for("rate: 0.1\n"), {"unknown key 'rate'", "did you mean 'inner.rate'?"});
}

TEST(LoadTest, UnknownKeyFarFromAllListsValidKeys) {
    expect_contains(error_for("inner:\n  zzzzzzzz: 1\n"),
                    {"unknown key 'inner.zzzzzzzz'", "valid keys here: rate, limit, betas"});
}

TEST(LoadTest, UnknownKeyInsideListItem) {
    expect_contains(
        error_for("items:\n  - name: a\n    wieght: 2\n"),
        {"cfg.yaml:3:5", "unknown key 'items[0].wieght'", "did you mean 'items[0].weight'?"});
}

TEST(LoadTest, WrongTypesSayWhatWasExpected) {
    expect_contains(error_for("count: three\n"),
                    {"cfg.yaml:1:8", "key 'count'", "expected an integer", "'three'"});
    expect_contains(error_for("count: 2.5\n"), {"expected an integer"});
    expect_contains(error_for("enabled: yes please\n"),
                    {"key 'enabled'", "expected true or false"});
    expect_contains(error_for("color: blue\n"),
                    {"key 'color'", "expected one of red|green|dark-blue", "'blue'"});
    expect_contains(error_for("inner:\n  rate: [1]\n"),
                    {"cfg.yaml:2:9", "expected a number", "a list"});
    expect_contains(error_for("tags: x\n"), {"key 'tags'", "expected a list of string"});
    expect_contains(error_for("inner: 3\n"), {"key 'inner' is a section"});
    expect_contains(error_for("inner:\n  betas: [0.5, x]\n"), {"item 1", "expected a number"});
    expect_contains(error_for("count: 99999999999999999999\n"), {"out of range"});
    expect_contains(error_for("items: {a: 1}\n"), {"key 'items'", "expected a list of maps"});
}

TEST(LoadTest, QuotedNumbersAreStringsNotNumbers) {
    expect_contains(error_for("count: \"3\"\n"), {"expected an integer"});
    EXPECT_EQ(read_text("name: \"3\"\n").name, "3");
}

TEST(LoadTest, RangesAreChecked) {
    expect_contains(error_for("count: 11\n"),
                    {"cfg.yaml:1:8", "key 'count'", "11 is out of range", "[1, 10]"});
    expect_contains(error_for("inner:\n  betas: [0.5, 1.5]\n"),
                    {"key 'inner.betas'", "1.5 is out of range"});
    expect_contains(error_for("inner:\n  limit: 0\n"),
                    {"key 'inner.limit'", "expected a value >= 1"});
}

TEST(LoadTest, RequiredKeysMustBePresent) {
    expect_contains(error_for("items:\n  - weight: 2\n"),
                    {"cfg.yaml:2:5", "missing required key 'items[0].name'"});
}

TEST(LoadTest, ValidateErrorsNameTheFile) {
    expect_contains(error_for("count: 5\ninner:\n  limit: 2\n"),
                    {"cfg.yaml: ", "inner.limit must be at least count"});
}

TEST(LoadTest, TopLevelMustBeAMap) {
    expect_contains(error_for("- a\n- b\n"), {"cfg.yaml:1:1", "expected a map"});
}

TEST(LoadTest, LoadReadsFilesAndNamesMissingOnes) {
    util::TempDir dir;
    const auto path = dir.path() / "c.yaml";
    util::atomic_write_file(path, "count: 4\n");
    EXPECT_EQ(load<Options>(path).count, 4);
    EXPECT_THROW(load<Options>(dir.path() / "missing.yaml"), util::IoError);
}

TEST(LoadTest, CheckRangesOnCodeBuiltOptions) {
    Options o;
    o.inner.rate = 2.0;
    expect_contains(error_of<ConfigError>([&] { check(o); }),
                    {"key 'inner.rate'", "2 is out of range"});
    o.inner.rate = 0.25;
    EXPECT_NO_THROW(check(o));
}

TEST(NearestKeyTest, PrefersSameSectionThenSameNameElsewhere) {
    EXPECT_EQ(nearest_key("eps_lo", {"eps_low", "eps_high"}, {}), "eps_low");
    EXPECT_EQ(nearest_key("beta", {"lr"}, {"kl.beta", "optim.betas"}), "kl.beta");
    EXPECT_EQ(nearest_key("qqqqqq", {"lr"}, {"kl.beta"}), "");
}

}  // namespace
}  // namespace r1::config
