#include "r1/train/distill.h"

#include "r1/model/causal_lm.h"
#include "r1/model/model_dir.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/support.h"
#include "support/expect.h"

namespace r1::train {
namespace {

namespace fs = std::filesystem;

/// A random tiny model with the byte tokenizer (its extra special token named `eos`).
fs::path model_dir(const fs::path& dir,
                   const model::ModelOptions& options,
                   uint64_t seed,
                   const std::string& eos = "<|endoftext|>") {
    torch::manual_seed(seed);
    model::CausalLm lm(options);
    model::save_model_dir(dir, lm, {.tokenizer_json = tokenizer::Tokenizer::bytes_json({eos})});
    return dir;
}

model::ModelOptions teacher_options() {  // a peaked distribution: large initial weights
    return test::tiny_qwen2(R"({"vocab_size": 257, "hidden_size": 64, "intermediate_size": 96,
        "initializer_range": 0.6})");
}

fs::path write_student_config(const fs::path& dir) {
    const auto path = dir / "config.json";
    std::ofstream(path) << R"({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"],
        "vocab_size": 257, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
        "num_attention_heads": 4, "num_key_value_heads": 2, "rope_theta": 10000.0,
        "rms_norm_eps": 1e-6, "tie_word_embeddings": true, "initializer_range": 0.02})";
    return path;
}

fs::path write_rows(const fs::path& dir) {
    const auto path = dir / "rows.jsonl";
    std::ofstream out(path);
    for (int i = 0; i < 24; ++i) {
        out << "{\"prompt\": \"Q" << i << ":\", \"completion\": \" " << (i * 37 % 101) << " and "
            << (i * 11 % 29) << "\"}\n";
    }
    return path;
}

DistillOptions tiny_distill(const fs::path& root) {
    DistillOptions o;
    o.run_dir = (root / "run").string();
    o.teacher.model = model_dir(root / "teacher", teacher_options(), 3).string();
    fs::create_directories(root / "student");
    o.student.config = write_student_config(root / "student").string();
    o.data.train = {{.path = write_rows(root).string()}};
    o.data.eval = {o.data.train[0].path};  // the divergence on the rows themselves
    o.data.prompt.chat_template = tokenizer::Template::plain;
    o.batch = {.batch_size = 8, .micro_batch_size = 4};
    o.optim = {.lr = 1e-2, .schedule = Schedule::constant};
    o.eval.every = 1;
    o.checkpoint.every = 0;
    return o;
}

std::vector<nlohmann::json> metrics_of(const std::string& run_dir) {
    std::ifstream in(fs::path(run_dir) / "metrics.jsonl");
    std::vector<nlohmann::json> rows;
    for (std::string line; std::getline(in, line);) {
        rows.push_back(nlohmann::json::parse(line));
    }
    return rows;
}

TEST(DistillStageTest, LowersTheStudentTeacherDivergence) {
    util::TempDir dir;
    auto o = tiny_distill(dir.path());
    o.max_steps = 40;
    o.loss.distill_weight = 1.0;
    o.on_policy.fraction = 0.25;
    o.on_policy.sampling.max_completion_length = 8;
    const auto r = run_distill(o, "");
    ASSERT_FALSE(r.final_model.empty());
    const auto rows = metrics_of(o.run_dir);
    ASSERT_EQ(rows.size(), 40u);
    const double first = rows.front().at("eval/divergence").get<double>();
    const double last = rows.back().at("eval/divergence").get<double>();
    std::cout << "held-out divergence after step 1: " << first << ", after step 40: " << last
              << "\n";
    EXPECT_LT(last, 0.5 * first);  // the stated margin: at least halved
    int on_policy = 0;
    for (const auto& row : rows) {
        on_policy += row.at("on_policy").get<bool>() ? 1 : 0;
    }
    EXPECT_GT(on_policy, 0);  // a quarter of 40 steps in expectation
    EXPECT_LT(on_policy, 40);
    // the student trained from a config.json is a model directory with the teacher's tokenizer
    const auto student = model::load_model_dir(r.final_model);
    EXPECT_EQ(student.options.hidden_size, 32);
    ASSERT_TRUE(student.tokenizer.has_value());
}

// data.eval and data.eval_fraction both set would silently drop the fraction: it is an error, as
// in sft and rm.
TEST(DistillStageTest, HeldOutFilesAndFractionTogetherAreRejected) {
    DistillOptions o;
    o.student.config = "student.json";
    o.data.task = "arithmetic";
    o.data.eval = {"held_out.jsonl"};
    o.data.eval_fraction = 0.1;
    test::expect_contains(test::error_of<util::ConfigError>([&] { validate(o); }),
                          {"data.eval and data.eval_fraction are both set"});
}

TEST(DistillStageTest, TokenizersThatDifferNameTheFirstDifferentToken) {
    util::TempDir dir;
    auto o = tiny_distill(dir.path());
    o.student.config.clear();
    o.student.checkpoint =
        model_dir(dir.path() / "other", teacher_options(), 4, "<|eot|>").string();
    test::expect_contains(test::error_of<util::ConfigError>([&] { run_distill(o, ""); }),
                          {"differ at token 256", "<|endoftext|>", "<|eot|>"});
}

}  // namespace
}  // namespace r1::train
