// The pretraining corpus: near misses are always wrong and well formed; the mix of styles and the
// share of right direct answers follow the options; documents are a pure function of the index.
#include "r1/data/corpus.h"

#include "r1/data/prompt_set.h"
#include "r1/data/tasks/task.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace r1::data {
namespace {

tokenizer::ChatTemplate plain_template() {
    tokenizer::ChatTemplateOptions t;
    t.r1_zero = "User: {prompt}\nAssistant:";
    return {tokenizer::Template::r1_zero, t};
}

TEST(CorpusTest, NearMissChangesExactlyOneDigit) {
    for (const std::string answer : {"7", "10", "519", "-42", "1998", "(3+5)*2"}) {
        for (uint64_t draw = 0; draw < 500; ++draw) {
            const std::string miss = near_miss(answer, draw * 0x9e3779b97f4a7c15ULL);
            ASSERT_EQ(miss.size(), answer.size());
            int changed = 0;
            for (size_t i = 0; i < answer.size(); ++i) {
                changed += miss[i] != answer[i] ? 1 : 0;
                if (miss[i] != answer[i]) {
                    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(miss[i])));
                }
            }
            EXPECT_EQ(changed, 1) << answer << " -> " << miss;
            if (answer.size() > 1 && std::isdigit(static_cast<unsigned char>(answer[0]))) {
                EXPECT_NE(miss[0], '0') << answer << " -> " << miss;  // no leading zero
            }
        }
    }
    EXPECT_EQ(near_miss("x", 3), "x");
}

TEST(CorpusTest, MixAndAccuracyFollowTheOptions) {
    const CorpusOptions options{
        .task = "arithmetic",
        .task_options = {"min_digits=3", "max_digits=3", "operations=[add]", "steps=compact"},
        .steps_fraction = 0.25,
        .direct_accuracy = 0.4};
    const Corpus corpus(options, plain_template(), 7);
    const auto task = data::tasks::find_task("arithmetic").make(options.task_options);
    int steps = 0, direct = 0, right = 0;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
        const std::string doc = corpus.document(i);
        EXPECT_EQ(doc, corpus.document(i));
        const auto s = task->generate(7, i);
        ASSERT_EQ(doc.rfind("User: " + s.sample.prompt + "\nAssistant:", 0), 0U) << doc;
        if (doc.find("+0=") != std::string::npos || doc.find("+1=") != std::string::npos) {
            ++steps;  // compact column lines "x+y+c=s"
            EXPECT_NE(doc.find("<answer>" + s.sample.answer + "</answer>"), std::string::npos)
                << doc;
            continue;
        }
        ++direct;
        right += doc.find("<answer>" + s.sample.answer + "</answer>") != std::string::npos ? 1 : 0;
    }
    EXPECT_NEAR(static_cast<double>(steps) / n, 0.25, 0.03);
    EXPECT_NEAR(static_cast<double>(right) / direct, 0.4, 0.03);
}

TEST(CorpusTest, WrongDirectAnswersAreWrongInThinkingAndAnswer) {
    const Corpus corpus({.task = "arithmetic",
                         .task_options = {"min_digits=2", "max_digits=2", "operations=[add]"},
                         .steps_fraction = 0.0,
                         .direct_accuracy = 0.0},
                        plain_template(), 3);
    const auto task = data::tasks::find_task("arithmetic")
                          .make({"min_digits=2", "max_digits=2", "operations=[add]"});
    for (int i = 0; i < 200; ++i) {
        const std::string doc = corpus.document(i);
        const std::string gold = task->generate(3, i).sample.answer;
        EXPECT_EQ(doc.find("<answer>" + gold + "</answer>"), std::string::npos) << doc;
        EXPECT_EQ(doc.find("= " + gold + "\n"), std::string::npos) << doc;
    }
}

TEST(CorpusTest, HeldOutPromptsNeverAppear) {
    const std::vector<std::string> task_options = {"min_digits=1", "max_digits=1",
                                                   "operations=[add]"};
    const auto task = data::tasks::find_task("arithmetic").make(task_options);
    const auto held_out = data::task_prompts(*task, 2, 40);  // 40 of the 100 one-digit sums
    const Corpus corpus({.task = "arithmetic",
                         .task_options = task_options,
                         .held_out_seed = 2,
                         .held_out_size = 40},
                        plain_template(), 9);
    int leaks = 0;
    for (int i = 0; i < 2000; ++i) {
        const std::string doc = corpus.document(i);
        const std::string prompt = doc.substr(6, doc.find("\nAssistant:") - 6);
        leaks += held_out.count(prompt) > 0 ? 1 : 0;
    }
    EXPECT_EQ(leaks, 0);
    data::PromptDataOptions data{
        .task = "arithmetic", .task_options = task_options, .task_seed = 1, .eval_size = 40};
    const auto train = data::PromptSet::from_options(data, data::Subset::train);
    const auto eval = data::PromptSet::from_options(data, data::Subset::eval);
    ASSERT_EQ(eval.size(), 40);
    EXPECT_EQ(data::task_prompts(*task, 2, 40).count(eval.at(0).prompt), 1U);
    for (int i = 0; i < 2000; ++i) {
        EXPECT_EQ(held_out.count(train.at(i).prompt), 0U) << train.at(i).prompt;
    }
}

}  // namespace
}  // namespace r1::data
