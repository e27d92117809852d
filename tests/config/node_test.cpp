#include "r1/config/node.h"

#include <gtest/gtest.h>

#include "support/expect.h"

namespace r1::config {
namespace {

using r1::test::error_of;
using r1::test::expect_contains;
using util::ConfigError;

TEST(NodeTest, ParsesMapsSequencesAndMarks) {
    const Node n = parse_yaml("a: 1\nb:\n  c: [x, 'y']\n  d: null\n", "f.yaml");
    ASSERT_TRUE(n.is_map());
    EXPECT_EQ(n.find("a")->text, "1");
    const Node* c = n.find("b")->find("c");
    ASSERT_TRUE(c->is_sequence());
    EXPECT_FALSE(c->items[0].quoted);
    EXPECT_TRUE(c->items[1].quoted);
    EXPECT_TRUE(n.find("b")->find("d")->is_null());
    EXPECT_EQ(c->where.str(), "f.yaml:3:6");
    EXPECT_EQ(n.entries[1].key_where.str(), "f.yaml:2:1");
}

TEST(NodeTest, QuotedNullStaysText) {
    const Node n = parse_yaml("a: 'null'\nb: null\nc: ~\n", "f.yaml");
    EXPECT_TRUE(n.find("a")->is_scalar());
    EXPECT_TRUE(n.find("b")->is_null());
    EXPECT_TRUE(n.find("c")->is_null());
}

TEST(NodeTest, TabIndentationNamesTheTab) {
    const auto message = error_of<ConfigError>([] { parse_yaml("a:\n\tb: 1\n", "cfg.yaml"); });
    expect_contains(message, {"cfg.yaml:2:1", "tab"});
}

TEST(NodeTest, BadIndentationGivesLine) {
    const auto message =
        error_of<ConfigError>([] { parse_yaml("a:\n  b: 1\n   c: 2\n", "cfg.yaml"); });
    expect_contains(message, {"cfg.yaml:3:", "invalid YAML", "indentation"});
}

TEST(NodeTest, UnterminatedStringsAreErrors) {
    for (const char* text : {"a: \"abc\nb: 1\n", "a: 'abc\n", "a: \"abc"}) {
        const auto message = error_of<ConfigError>([&] { parse_yaml(text, "cfg.yaml"); });
        expect_contains(message, {"cfg.yaml:1:"});
    }
    EXPECT_EQ(parse_yaml("a: 'it''s'\n", "f").find("a")->text, "it's");
}

TEST(NodeTest, UnclosedFlowAndDuplicateKeysAreErrors) {
    expect_contains(error_of<ConfigError>([] { parse_yaml("a: [1, 2\n", "f.yaml"); }),
                    {"f.yaml:2:", "sequence"});
    expect_contains(error_of<ConfigError>([] { parse_yaml("a: 1\na: 2\n", "f.yaml"); }),
                    {"f.yaml:2:1", "duplicate key 'a'"});
}

TEST(NodeTest, EmitReadsBackTheSameTree) {
    const char* text =
        "a: 1\nb:\n  c: [x, \"null\", \"\"]\n  d: null\ne:\n  - k: v\n    w: 2\n  - k: u\n";
    const Node n = parse_yaml(text, "f");
    const std::string emitted = emit_yaml(n);
    EXPECT_EQ(emitted, text);
    const Node again = parse_yaml(emitted, "g");
    EXPECT_EQ(emit_yaml(again), emitted);
}

TEST(NodeTest, ScalarsNeedingQuotesGetThem) {
    EXPECT_EQ(yaml_scalar("plain", true), "plain");
    EXPECT_EQ(yaml_scalar("true", true), "\"true\"");
    EXPECT_EQ(yaml_scalar("12", true), "\"12\"");
    EXPECT_EQ(yaml_scalar("a: b", true), "\"a: b\"");
    EXPECT_EQ(yaml_scalar("</answer>", true), "\"</answer>\"");
    EXPECT_EQ(yaml_scalar("say \"hi\"\n", true), "\"say \\\"hi\\\"\\n\"");
}

}  // namespace
}  // namespace r1::config
