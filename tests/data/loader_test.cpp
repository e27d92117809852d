// Loader order: seeded, a permutation per epoch, resumable from its CursorState at any point;
// splits: disjoint, covering, stable under appends and reorders; PromptStream: a prompt set in the
// Loader's order, resumable from its count of rows seen.
#include "r1/data/loader.h"

#include "r1/data/prompt_set.h"
#include "r1/util/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "support/expect.h"

namespace r1::data {
namespace {

std::vector<int64_t> take(Loader& loader, int64_t n) {
    return loader.next_batch(n);
}

TEST(LoaderTest, SameSeedSameOrderDifferentSeedDifferentOrder) {
    Loader a(100, 7);
    Loader b(100, 7);
    Loader c(100, 8);
    const auto xa = take(a, 350);
    EXPECT_EQ(xa, take(b, 350));
    EXPECT_NE(xa, take(c, 350));
}

TEST(LoaderTest, EveryRowOncePerEpochAndEpochsDiffer) {
    Loader loader(97, 3);
    std::vector<int64_t> identity(97);
    std::iota(identity.begin(), identity.end(), 0);
    std::vector<std::vector<int64_t>> epochs;
    for (int e = 0; e < 4; ++e) {
        auto epoch = take(loader, 97);
        EXPECT_NE(epoch, identity);  // shuffled (1/97! chance of a false alarm)
        epochs.push_back(epoch);
        std::sort(epoch.begin(), epoch.end());
        EXPECT_EQ(epoch, identity) << "epoch " << e;
    }
    EXPECT_NE(epochs[0], epochs[1]);
    EXPECT_EQ(loader.state().epoch, 3);
    EXPECT_EQ(loader.state().position, 97);
}

TEST(LoaderTest, ResumedCursorContinuesExactly) {
    Loader reference(50, 11);
    const auto expected = take(reference, 180);
    for (const int64_t stop : {0, 1, 17, 49, 50, 51, 100, 133}) {
        Loader first(50, 11);
        const auto head = take(first, stop);
        const nlohmann::json saved = to_json(first.state());  // what a checkpoint stores
        Loader resumed(50, 11);
        resumed.restore(cursor_state_from_json(saved));
        auto all = head;
        const auto tail = take(resumed, 180 - stop);
        all.insert(all.end(), tail.begin(), tail.end());
        EXPECT_EQ(all, expected) << "stopped after " << stop;
    }
}

TEST(LoaderTest, RestoreRefusesAnotherDatasetOrSeed) {
    Loader a(50, 11);
    take(a, 10);
    Loader b(49, 11);
    test::expect_contains(test::error_of<util::ConfigError>([&] { b.restore(a.state()); }),
                          {"saved for 50 rows with seed 11", "has 49 rows"});
    Loader c(50, 12);
    EXPECT_THROW(c.restore(a.state()), util::ConfigError);
    EXPECT_THROW(
        cursor_state_from_json({{"seed", 1}, {"size", 2}, {"epoch", "x"}, {"position", 0}}),
        util::FormatError);
}

TEST(LoaderTest, EpochLimitAndNoShuffle) {
    Loader loader(5, 1, {.shuffle = false, .epochs = 2});
    EXPECT_EQ(take(loader, 20), (std::vector<int64_t>{0, 1, 2, 3, 4, 0, 1, 2, 3, 4}));
    EXPECT_EQ(loader.next(), -1);
    EXPECT_THROW(Loader(0, 1), util::ConfigError);
}

TEST(SplitTest, DisjointCoveringAndNearTheFraction) {
    std::vector<std::string> keys;
    for (int i = 0; i < 10000; ++i) {
        keys.push_back("prompt " + std::to_string(i));
    }
    const Split s = split_rows(keys, 0.1, 5);
    EXPECT_EQ(s.train.size() + s.eval.size(), keys.size());
    std::vector<int64_t> all = s.train;
    all.insert(all.end(), s.eval.begin(), s.eval.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());  // disjoint
    EXPECT_NEAR(static_cast<double>(s.eval.size()), 1000.0,
                120.0);                                // ~4 sigma of Binomial(10000, 0.1)
    EXPECT_NE(split_rows(keys, 0.1, 6).eval, s.eval);  // the seed matters
}

TEST(SplitTest, StableUnderAppendsAndReorders) {
    std::vector<std::string> keys;
    for (int i = 0; i < 500; ++i) {
        keys.push_back("q" + std::to_string(i));
    }
    const Split before = split_rows(keys, 0.2, 1);
    std::vector<std::string> more(keys.rbegin(), keys.rend());  // reversed, then appended to
    for (int i = 500; i < 700; ++i) {
        more.push_back("q" + std::to_string(i));
    }
    for (const int64_t i : before.eval) {
        EXPECT_TRUE(in_eval_split(keys[static_cast<size_t>(i)], 0.2, 1));
    }
    const Split after = split_rows(more, 0.2, 1);
    std::vector<std::string> eval_before;
    std::vector<std::string> eval_after;
    for (const int64_t i : before.eval) {
        eval_before.push_back(keys[static_cast<size_t>(i)]);
    }
    for (const int64_t i : after.eval) {
        if (std::stoi(more[static_cast<size_t>(i)].substr(1)) < 500) {
            eval_after.push_back(more[static_cast<size_t>(i)]);
        }
    }
    std::sort(eval_before.begin(), eval_before.end());
    std::sort(eval_after.begin(), eval_after.end());
    EXPECT_EQ(eval_before, eval_after);
    EXPECT_TRUE(split_rows(keys, 0.0, 1).eval.empty());
    EXPECT_TRUE(split_rows(keys, 1.0, 1).train.empty());
}

// A finite set in the Loader's order (epoch_order(seen / size)[seen % size], as GRPO walked it
// before PromptStream), and a task's stream in its own order; restore(n) continues exactly.
TEST(PromptStreamTest, LoaderOrderForSetsStreamOrderForTasksAndExactResume) {
    const PromptDataOptions data{.task = "arithmetic", .task_seed = 3, .eval_size = 7};
    const auto held_out = PromptSet::from_options(data, Subset::eval);
    ASSERT_EQ(held_out.size(), 7);
    PromptStream finite(held_out, 11);
    std::vector<Sample> rows = finite.next(3);
    for (const auto& row : finite.next(15)) {
        rows.push_back(row);
    }
    ASSERT_EQ(finite.seen(), 18);
    const Loader order(7, 11);
    for (int64_t seen = 0; seen < 18; ++seen) {
        const auto expected =
            held_out.at(order.epoch_order(seen / 7)[static_cast<size_t>(seen % 7)]);
        EXPECT_EQ(rows[static_cast<size_t>(seen)].prompt, expected.prompt) << seen;
    }
    PromptStream resumed(held_out, 11);
    resumed.restore(10);
    const auto rest = resumed.next(8);
    for (size_t i = 0; i < rest.size(); ++i) {
        EXPECT_EQ(rest[i].prompt, rows[10 + i].prompt) << i;
    }

    const auto stream = PromptSet::from_options(data, Subset::train);
    ASSERT_FALSE(stream.size().has_value());
    PromptStream unbounded(stream, 11);
    unbounded.restore(5);
    const auto next = unbounded.next(3);
    for (int64_t i = 0; i < 3; ++i) {
        EXPECT_EQ(next[static_cast<size_t>(i)].prompt, stream.at(5 + i).prompt) << i;
    }
}

}  // namespace
}  // namespace r1::data
