// The rm stage: one step's loss equals TRL RewardTrainer's (make_rm_fixture.py), a tiny model
// learns the sort preferences, rows render as TRL's and malformed ones name file:line and field; r1
// score's file scoring; GRPO's reward_model reward, so that each row kind gets exactly its own
// rewards.
#include "r1/train/reward_model.h"

#include "r1/data/tasks/sort.h"
#include "r1/model/causal_lm.h"
#include "r1/model/model_dir.h"
#include "r1/rewards/combine.h"
#include "r1/train/preference_data.h"
#include "r1/train/reward_model_dir.h"
#include "r1/train/reward_model_reward.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "model/support.h"
#include "support/expect.h"

namespace r1::train {
namespace {

namespace fs = std::filesystem;

/// A tiny random Qwen2 with the byte tokenizer (EOS <|endoftext|> = 256), as a causal-LM directory.
fs::path tiny_base(const fs::path& root) {
    torch::manual_seed(1);
    model::CausalLm lm(test::tiny_qwen2(R"({"vocab_size": 260, "hidden_size": 64,
        "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 4,
        "initializer_range": 0.05})"));
    const auto dir = root / "base";
    model::save_model_dir(dir, lm,
                          {.tokenizer_json = tokenizer::Tokenizer::bytes_json({"<|endoftext|>"})});
    return dir;
}

RmOptions tiny_rm(const fs::path& root, const std::string& checkpoint) {
    RmOptions o;
    o.run_dir = (root / "run").string();
    o.init.checkpoint = checkpoint;
    o.data.prompt.chat_template = tokenizer::Template::plain;  // the tiny base has no template
    o.checkpoint.every = 0;
    o.optim = {.lr = 1e-3, .schedule = Schedule::constant};
    return o;
}

fs::path write(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
    return path;
}

// One step's loss on every pair TRL keeps equals TRL's compute_loss on the same weights and data
// (its tokenization, EOS, max_length filter, padding, last-non-pad reading, margins, centring).
TEST(RewardModelStageTest, LossOnABatchEqualsTrlRewardTrainer) {
    const fs::path fix = test::reference_dir("rm");
    const auto trl = nlohmann::json::parse(util::read_file(fix / "trl.json"));

    struct Case {
        std::string name, file;
        int64_t micro;
        tokenizer::Template tmpl;
    };

    for (const Case& c : {Case{"plain", "pairs.jsonl", 4, tokenizer::Template::plain},
                          Case{"margin", "pairs_margin.jsonl", 3, tokenizer::Template::plain},
                          Case{"chat", "pairs_chat.jsonl", 1, tokenizer::Template::model}}) {
        SCOPED_TRACE(c.name);
        const auto& want = trl.at(c.name);
        util::TempDir tmp;
        auto o = tiny_rm(tmp.path(), (fix / "qwen2_rm").string());
        o.data.train = {{.path = (fix / c.file).string()}};
        o.data.max_length = 40;
        o.data.prompt.chat_template = c.tmpl;
        o.batch = {.batch_size = want.at("kept").get<int64_t>(), .micro_batch_size = c.micro};
        o.loss.center_rewards_coefficient = 0.01;
        o.max_steps = 1;
        const auto m = run_reward_model(o, "").last_metrics;
        std::cout << c.name << ": loss " << m.at("loss") << " (TRL " << want.at("loss")
                  << "), accuracy " << m.at("accuracy") << " (TRL " << want.at("accuracy")
                  << "), margin " << m.at("margin") << " (TRL " << want.at("margin") << ")\n";
        EXPECT_NEAR(m.at("loss").get<double>(), want.at("loss").get<double>(), 1e-5);
        EXPECT_NEAR(m.at("accuracy").get<double>(), want.at("accuracy").get<double>(), 1e-6);
        EXPECT_NEAR(m.at("margin").get<double>(), want.at("margin").get<double>(), 1e-5);
        EXPECT_EQ(m.at("data/dropped_pairs").get<int64_t>(),
                  want.at("rows").get<int64_t>() - want.at("kept").get<int64_t>());
    }
}

TEST(RewardModelStageTest, RanksHeldOutSortPairs) {
    util::TempDir tmp;
    auto o = tiny_rm(tmp.path(), tiny_base(tmp.path()).string());
    o.data.task = "sort";
    o.data.task_options = {"min_count=4", "max_count=5"};
    o.data.task_size = 4096;
    o.data.eval_size = 200;
    o.data.max_length = 64;
    o.batch = {.batch_size = 32, .micro_batch_size = 32};
    o.optim = {.lr = 3e-3, .schedule = Schedule::cosine, .warmup_steps = 10, .min_lr_ratio = 0.1};
    o.max_steps = 150;
    o.eval.every = 150;
    const auto r = run_reward_model(o, "");
    const double accuracy = r.last_metrics.at("eval/accuracy").get<double>();
    std::cout << "held-out sort pairs ranked right: " << accuracy << " (train loss "
              << r.last_metrics.at("loss") << ")\n";
    EXPECT_GE(accuracy, 0.9) << r.last_metrics.dump();
    // the saved directory is a reward model that scores chosen above rejected the same way
    auto rm = load_reward_model_dir(r.final_model);
    const data::tasks::SortTask task({.min_count = 4, .max_count = 5});
    const auto pair = task.preference(2, 0);
    const auto rewards =
        score_ids(*rm.model, {encode_response(pair.prompt, pair.chosen, rm.encoder()),
                              encode_response(pair.prompt, pair.rejected, rm.encoder())});
    EXPECT_GT(rewards[0], rewards[1]);
}

TEST(PreferenceDataTest, RendersRowsAsTrlDoes) {
    const auto tok = tokenizer::Tokenizer::bytes({"<|endoftext|>"});
    const tokenizer::ChatTemplate plain(tokenizer::Template::plain, {});
    const tokenizer::ChatTemplate chat(tokenizer::Template::chat,
                                       {.chat_turn = "<{role}>{content}|"});
    const RmEncoder strings{tok, plain, 256}, chats{tok, chat, 256};
    const auto bytes = [](const std::string& s, bool eos) {
        std::vector<int64_t> out(s.begin(), s.end());
        if (eos) {
            out.push_back(256);
        }
        return out;
    };
    // strings: prompt + response + EOS (plain: the prompt as it is); implicit prompt: response +
    // EOS
    const auto p =
        encode_pair({.prompt = "Q:", .chosen = " a", .rejected = " b", .margin = 0.5}, strings);
    EXPECT_EQ(p.chosen, bytes("Q: a", true));
    EXPECT_EQ(p.rejected, bytes("Q: b", true));
    EXPECT_EQ(p.margin, 0.5);
    EXPECT_EQ(encode_pair({.chosen = "x", .rejected = "y"}, strings).chosen, bytes("x", true));
    // conversations: the prompt messages then each side, through the chat template, no EOS added
    const data::PreferencePair conv{.conversational = true,
                                    .prompt_messages = {{"user", "hi"}},
                                    .chosen_messages = {{"assistant", "ok"}},
                                    .rejected_messages = {{"assistant", "no"}}};
    EXPECT_EQ(encode_pair(conv, chats).chosen, bytes("<user>hi|<assistant>ok|", false));
    // a conversation under a single-prompt template names its row
    auto located = conv;
    located.where = {.source = "p.jsonl", .line = 4};
    test::expect_contains(test::error_of<util::FormatError>([&] { encode_pair(located, strings); }),
                          {"p.jsonl:4", "a conversation needs a chat template"});
}

TEST(PreferenceDataTest, PairsOverMaxLengthAreDroppedAndCounted) {
    util::TempDir tmp;
    const auto file =
        write(tmp.path() / "p.jsonl", R"({"prompt": "p", "chosen": "ab", "rejected": "c"}
{"prompt": "p", "chosen": "a", "rejected": "abcdefgh"}
{"prompt": "p", "chosen": "a", "rejected": "b", "margin": 1.5}
)");
    const auto tok = tokenizer::Tokenizer::bytes({"<|endoftext|>"});
    const tokenizer::ChatTemplate plain(tokenizer::Template::plain, {});
    RmDataOptions o{.train = {{.path = file.string()}}, .max_length = 4};
    const auto sets = load_preference_sets(o, {tok, plain, 256}, 1);
    ASSERT_EQ(sets.train.pairs.size(), 2u);  // "pabcdefgh" + EOS is 10 tokens
    EXPECT_EQ(sets.train.dropped, 1);
    EXPECT_TRUE(sets.train.margins);
    const auto batch = collate_pairs(sets.train, {0, 1}, 256);
    EXPECT_EQ(batch.input_ids.sizes(), (at::IntArrayRef{4, 4}));  // chosen rows, then rejected
    EXPECT_EQ(batch.attention_mask.sum().item<int64_t>(), 4 + 3 + 3 + 3);
    R1_EXPECT_CLOSE(batch.margin, at::tensor({0.0, 1.5}, at::kDouble), 0, 0);
}

TEST(RewardModelStageTest, MalformedRowsNameFileLineAndField) {
    util::TempDir tmp;
    const auto base = tiny_base(tmp.path()).string();
    const auto error_for = [&](const std::string& row) {
        auto o = tiny_rm(tmp.path(), base);
        o.data.train = {{.path = write(tmp.path() / "bad.jsonl",
                                       R"({"prompt": "p", "chosen": "a", "rejected": "b"})"
                                       "\n" +
                                           row + "\n")
                                     .string()}};
        return test::error_of<util::FormatError>([&] { run_reward_model(o, ""); });
    };
    test::expect_contains(error_for(R"({"prompt": "p", "chosen": "a"})"),
                          {"bad.jsonl:2", "field 'rejected'", "missing"});
    test::expect_contains(
        error_for(R"({"prompt": "p", "chosen": "a", "rejected": "b", "margin": "x"})"),
        {"bad.jsonl:2", "field 'margin'"});
    test::expect_contains(
        error_for(
            R"({"prompt": "p", "chosen": [{"role": "assistant", "content": "a"}], "rejected": "b"})"),
        {"bad.jsonl:2", "field 'prompt'", "expected a list"});
    test::expect_contains(
        error_for(R"({"chosen": [{"role": "assistant", "content": "a"}], "rejected": "b"})"),
        {"bad.jsonl:2", "field 'rejected'", "expected a list"});
    test::expect_contains(
        error_for(
            R"({"chosen": [{"role": "bot", "content": "a"}], "rejected": [{"role": "assistant", "content": "b"}]})"),
        {"bad.jsonl:2", "field 'chosen[0].role'", "system|user|assistant"});
}

/// A reward-model directory trained for two steps from the tiny base (a plain template).
fs::path tiny_reward_model(const fs::path& root) {
    auto o = tiny_rm(root, tiny_base(root).string());
    o.data.task = "sort";
    o.data.task_size = 8;
    o.batch = {.batch_size = 4, .micro_batch_size = 4};
    o.max_steps = 2;
    return run_reward_model(o, "").final_model;
}

TEST(RewardModelDirTest, ScoreFileRendersRowsAsTraining) {
    util::TempDir tmp;
    const auto dir = tiny_reward_model(tmp.path());
    const auto input =
        write(tmp.path() / "in.jsonl", R"({"prompt": "Sort: 3 1", "completion": " 1 3"}
{"text": "Sort: 3 1 3 1"}
)");
    std::ostringstream out;
    const auto summary = score_file({.model = dir.string(), .input = input.string()}, out);
    EXPECT_EQ(summary.rows, 2);
    auto rm = load_reward_model_dir(dir);
    ASSERT_TRUE(rm.own_template.has_value());  // the training template, as chat_template.jinja
    EXPECT_EQ(rm.own_template->jinja.source(), "{{ messages[-1]['content'] }}");  // plain
    const auto want =
        score_ids(*rm.model, {encode_response("Sort: 3 1", " 1 3", rm.encoder()),
                              encode_response(std::nullopt, "Sort: 3 1 3 1", rm.encoder())});
    std::istringstream lines(out.str());
    std::string line;
    for (const double w : want) {
        ASSERT_TRUE(std::getline(lines, line));
        EXPECT_NEAR(nlohmann::json::parse(line).at("reward").get<double>(), w, 1e-6);
    }
    const auto bad = write(tmp.path() / "bad.jsonl", "{\"prompt\": \"p\"}\n");
    test::expect_contains(test::error_of<util::FormatError>([&] {
                              score_file({.model = dir.string(), .input = bad.string()}, out);
                          }),
                          {"bad.jsonl:1", "field 'completion'"});
}

// Rule rewards score the rows they can check and return None on the others; the reward model
// scores kind "general" only; the total sums the weighted rewards that apply (not renormalised).
TEST(RewardModelRewardTest, RowsOfEachKindGetExactlyTheirRewardFunctions) {
    util::TempDir tmp;
    const auto dir = tiny_reward_model(tmp.path());
    RewardModelRewardOptions rm{.path = dir.string(), .shift = 0.5, .scale = 2.0};
    const rewards::RewardSet set({{.name = "accuracy", .weight = 1.0},
                                  {.name = "countdown", .weight = 0.5},
                                  {.name = "reward_model",
                                   .weight = 0.25,
                                   .options = rewards::AnyOptions("reward_model", rm)}},
                                 {.num_threads = 3});
    const std::vector<rewards::RewardInput> rows = {
        {.prompt = "What is 2 + 2?",
         .completion = "<answer>4</answer>",
         .kind = "math",
         .answer = "4"},
        {.prompt = "Make 8",
         .completion = "<answer>3 + 5</answer>",
         .kind = "countdown",
         .numbers = {3, 5},
         .target = 8.0},
        {.prompt = "Write a haiku", .completion = "leaves fall", .kind = "general"},
    };
    const auto c = set.score(rows);
    const auto col = c.per_function.accessor<double, 2>();
    const auto applies = [&](int64_t row, int64_t fn) { return !std::isnan(col[row][fn]); };
    EXPECT_TRUE(applies(0, 0) && !applies(0, 1) && !applies(0, 2));
    EXPECT_TRUE(!applies(1, 0) && applies(1, 1) && !applies(1, 2));
    EXPECT_TRUE(!applies(2, 0) && !applies(2, 1) && applies(2, 2));
    EXPECT_DOUBLE_EQ(c.total[0].item<double>(), 1.0);
    EXPECT_DOUBLE_EQ(c.total[1].item<double>(), 0.5 * col[1][1]);
    EXPECT_DOUBLE_EQ(c.total[2].item<double>(), 0.25 * col[2][2]);
    // the value is (raw - shift) / scale of the model's score on prompt + completion + EOS
    auto model = load_reward_model_dir(dir);
    const double raw = score_ids(
        *model.model, {encode_response("Write a haiku", "leaves fall", model.encoder())})[0];
    EXPECT_NEAR(col[2][2], (raw - 0.5) / 2.0, 1e-6);
    EXPECT_EQ(c.results[2][0].reason, "not a general row");
}

TEST(RewardModelRewardTest, ClipsAndScoresTheSummaryAfterThinking) {
    util::TempDir tmp;
    const auto dir = tiny_reward_model(tmp.path());
    auto model = load_reward_model_dir(dir);
    const double raw =
        score_ids(*model.model, {encode_response("p", " final", model.encoder())})[0];
    const auto fn = make_reward_model_reward({.path = dir.string(),
                                              .kinds = {},
                                              .shift = raw,
                                              .scale = 1e-3,
                                              .clip = 0.7,
                                              .response = RmResponse::summary});
    const rewards::RewardInput in{.prompt = "p", .completion = "<think>long</think> final"};
    EXPECT_NEAR(fn(in).value.value(), 0.0, 1e-6);  // only " final" is scored
    const rewards::RewardInput other{.prompt = "p", .completion = " other"};
    const double raw_other =
        score_ids(*model.model, {encode_response("p", " other", model.encoder())})[0];
    EXPECT_NEAR(fn(other).value.value(), std::clamp((raw_other - raw) / 1e-3, -0.7, 0.7), 1e-6);
    EXPECT_NE(rewards::RewardRegistry::global().find("reward_model"), nullptr);
}

// prompt_from: options renders the prompt with the prompt section's template, not the model's own.
TEST(RewardModelRewardTest, PromptFromOptionsUsesThePromptSection) {
    util::TempDir tmp;
    const auto dir = tiny_reward_model(tmp.path());
    auto own = load_reward_model_dir(dir);
    auto other = load_reward_model_dir(dir);
    const data::PromptFormatOptions r1_zero{.chat_template = tokenizer::Template::r1_zero};
    other.set_prompt(r1_zero);
    const auto ids_own = encode_response("Sort: 3 1", " 1 3", own.encoder());
    const auto ids_other = encode_response("Sort: 3 1", " 1 3", other.encoder());
    ASSERT_NE(ids_own, ids_other);  // the two templates render the prompt differently
    const rewards::RewardInput in{.prompt = "Sort: 3 1", .completion = " 1 3"};
    const auto by_model = make_reward_model_reward({.path = dir.string(), .kinds = {}});
    const auto by_options = make_reward_model_reward({.path = dir.string(),
                                                      .kinds = {},
                                                      .prompt_from = RmPromptFrom::options,
                                                      .prompt = r1_zero});
    EXPECT_NEAR(by_model(in).value.value(), score_ids(*own.model, {ids_own})[0], 1e-6);
    EXPECT_NEAR(by_options(in).value.value(), score_ids(*other.model, {ids_other})[0], 1e-6);
}

}  // namespace
}  // namespace r1::train
