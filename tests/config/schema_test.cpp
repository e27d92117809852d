#include "r1/config/schema.h"

#include <gtest/gtest.h>

#include "config/test_options.h"

namespace r1::config {
namespace {

TEST(SchemaTest, ListsEveryKeyWithTypeDefaultAndConstraint) {
    const auto keys = schema<test::Options>();
    std::vector<std::string> paths;
    for (const auto& k : keys) {
        paths.push_back(k.path);
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"name", "count", "enabled", "color", "tags", "inner",
                                               "inner.rate", "inner.limit", "inner.betas", "items",
                                               "items[].name", "items[].weight"}));
    EXPECT_EQ(keys[1].type, "integer");
    EXPECT_EQ(keys[1].default_value, "3");
    EXPECT_EQ(keys[1].constraint, "[1, 10]");
    EXPECT_EQ(keys[3].type, "one of red|green|dark-blue");
    EXPECT_EQ(keys[7].type, "integer or null");
    EXPECT_EQ(keys[7].constraint, ">= 1");
    EXPECT_EQ(keys[10].constraint, "required");
}

TEST(SchemaTest, MarkdownEscapesPipes) {
    const std::string md = schema_markdown("demo", schema<test::Options>());
    EXPECT_NE(md.find("| `color` | one of red\\|green\\|dark-blue | `red` |"), std::string::npos)
        << md;
}

}  // namespace
}  // namespace r1::config
