#include "r1/config/dump.h"

#include "r1/config/load.h"

#include <gtest/gtest.h>

#include "config/test_options.h"

namespace r1::config {
namespace {

using test::Options;

TEST(DumpTest, WritesEveryKeyInVisitOrder) {
    Options o;
    o.tags = {"x", "true"};
    o.inner.limit = 4;
    EXPECT_EQ(dump(o),
              "name: demo\ncount: 3\nenabled: true\ncolor: red\ntags: [x, \"true\"]\n"
              "inner:\n  rate: 0.5\n  limit: 4\n  betas: [0.9, 0.99]\nitems:\n  - name: a\n    "
              "weight: 1.0\n");
}

TEST(DumpTest, RoundTripsThroughTheReader) {
    Options o;
    o.name = "a: b # not a comment";
    o.count = 9;
    o.color = test::Color::dark_blue;
    o.inner.rate = 0.1 + 0.2;  // needs all 17 digits to round-trip
    o.items = {{.name = "p", .weight = -2.5}, {.name = "null", .weight = 1e-30}};
    const Options back = read<Options>(parse_yaml(dump(o), "dumped"));
    EXPECT_EQ(dump(back), dump(o));
    EXPECT_EQ(back.name, o.name);
    EXPECT_EQ(back.inner.rate, o.inner.rate);
    EXPECT_EQ(back.items[1].name, "null");
    EXPECT_EQ(back.items[1].weight, 1e-30);
}

}  // namespace
}  // namespace r1::config
