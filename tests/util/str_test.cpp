#include "r1/util/str.h"

#include <gtest/gtest.h>

namespace r1::util {
namespace {

TEST(StrTest, StreamsEveryArgument) {
    EXPECT_EQ(str("step ", 3, " loss ", fixed(1.23456, 2)), "step 3 loss 1.23");
    EXPECT_EQ(str(fixed(2.0, 0), "/", fixed(0.5, 3)), "2/0.500");
}

TEST(StrTest, JoinGluesWithSeparator) {
    EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
    EXPECT_EQ(join({}, ", "), "");
}

TEST(StrTest, EditDistanceMatchesHandCountedCases) {
    EXPECT_EQ(edit_distance("num_generation", "num_generations"), 1);  // insertion
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3);                  // textbook case
    EXPECT_EQ(edit_distance("", "abc"), 3);
    EXPECT_EQ(edit_distance("eps_low", "eps_low"), 0);
    EXPECT_EQ(edit_distance("lr", "rl"), 2);  // no transpositions in Levenshtein
}

TEST(StrTest, FormatDurationPicksUnits) {
    EXPECT_EQ(format_duration(4.4), "4s");
    EXPECT_EQ(format_duration(185), "3m05s");
    EXPECT_EQ(format_duration(3720), "1h02m");
    EXPECT_EQ(format_duration(-1), "?");
}

}  // namespace
}  // namespace r1::util
