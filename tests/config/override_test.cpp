#include "r1/config/load.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include "config/test_options.h"
#include "support/expect.h"

namespace r1::config {
namespace {

using r1::test::error_of;
using r1::test::expect_contains;
using test::Options;
using util::ConfigError;

Options with(const std::string& text, const std::vector<std::string>& sets) {
    Node root = parse_yaml(text, "cfg.yaml");
    for (const std::string& s : sets) {
        apply_override(root, s);
    }
    return read<Options>(root);
}

TEST(OverrideTest, SetsScalarsListsAndNestedKeys) {
    const Options o = with("count: 2\n", {"count=5", "inner.rate=0.25", "inner.betas=[0.1, 0.2]",
                                          "tags=[a, b]", "color=green", "inner.limit=null"});
    EXPECT_EQ(o.count, 5);
    EXPECT_DOUBLE_EQ(o.inner.rate, 0.25);
    EXPECT_EQ(o.inner.betas, (std::vector<double>{0.1, 0.2}));
    EXPECT_EQ(o.tags, (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(o.inner.limit.has_value());
}

TEST(OverrideTest, LaterOverridesWin) {
    EXPECT_EQ(with("", {"count=2", "count=4"}).count, 4);
}

TEST(OverrideTest, IndexesListItems) {
    const Options o = with("items:\n  - name: a\n  - name: b\n", {"items.1.weight=3"});
    EXPECT_DOUBLE_EQ(o.items[1].weight, 3.0);
    expect_contains(
        error_of<ConfigError>([] { with("items:\n  - name: a\n", {"items.4.weight=3"}); }),
        {"--set items.4.weight=3", "index 4 is past its end"});
}

TEST(OverrideTest, ErrorsNameTheOverride) {
    expect_contains(
        error_of<ConfigError>([] { with("", {"inner.rat=0.1"}); }),
        {"--set inner.rat=0.1", "unknown key 'inner.rat'", "did you mean 'inner.rate'?"});
    expect_contains(error_of<ConfigError>([] { with("", {"count=many"}); }),
                    {"--set count=many", "expected an integer"});
    expect_contains(error_of<ConfigError>([] { with("", {"count=50"}); }),
                    {"--set count=50", "out of range"});
    expect_contains(error_of<ConfigError>([] { with("", {"count"}); }), {"expected key=value"});
    expect_contains(error_of<ConfigError>([] { with("count: 2\n", {"count.x=1"}); }),
                    {"'count' is a value, not a section"});
    expect_contains(error_of<ConfigError>([] { with("", {"count.x=1"}); }),
                    {"key 'count': expected an integer"});
    expect_contains(error_of<ConfigError>([] { with("", {"items.0.weight=1"}); }),
                    {"'items' is not a list in the config", "--set items=[...]"});
    expect_contains(error_of<ConfigError>([] { with("", {"a..b=1"}); }), {"empty key segment"});
}

TEST(OverrideTest, LoadDocumentAppliesOverridesToFile) {
    util::TempDir dir;
    const auto path = dir.path() / "c.yaml";
    util::atomic_write_file(path, "count: 2\n");
    EXPECT_EQ(load<Options>(path, {"count=6"}).count, 6);
    EXPECT_EQ(load<Options>(std::nullopt, {"count=7"}).count, 7);
}

}  // namespace
}  // namespace r1::config
