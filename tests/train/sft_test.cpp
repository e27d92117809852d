#include "r1/train/sft.h"

#include "r1/data/jsonl_dataset.h"
#include "r1/data/packing.h"
#include "r1/generation/engine.h"
#include "r1/io/safetensors.h"
#include "r1/model/causal_lm.h"
#include "r1/model/model_dir.h"
#include "r1/train/sft_data.h"
#include "r1/train/sft_dataset.h"
#include "r1/train/token_loss.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"

#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <random>

#include "model/support.h"
#include "support/expect.h"

namespace r1::train {
namespace {

namespace fs = std::filesystem;

using data::SftExample;
using Shape = SftExample::Shape;

/// The plain best fit: for each document, longest first, the row with the least room that fits.
std::vector<std::vector<int64_t>> brute_force_bfd(const std::vector<int64_t>& lengths,
                                                  int64_t cap) {
    std::vector<int64_t> order(lengths.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return lengths[a] > lengths[b]; });
    std::vector<std::vector<int64_t>> rows;
    std::vector<int64_t> room;
    for (const int64_t d : order) {
        int64_t best = -1;
        for (size_t r = 0; r < rows.size(); ++r) {
            if (room[r] >= lengths[d] && (best < 0 || room[r] < room[best])) {
                best = static_cast<int64_t>(r);
            }
        }
        if (best < 0) {
            rows.emplace_back();
            room.push_back(cap);
            best = static_cast<int64_t>(rows.size()) - 1;
        }
        rows[best].push_back(d);
        room[best] -= lengths[d];
    }
    return rows;
}

TEST(SftPackingTest, BestFitDecreasingMatchesBruteForce) {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 50; ++trial) {
        const int64_t cap = 8 + static_cast<int64_t>(rng() % 40);
        std::vector<int64_t> lengths(1 + rng() % 60);
        for (auto& n : lengths) {
            n = 1 + static_cast<int64_t>(rng() % static_cast<uint32_t>(cap));
        }
        EXPECT_EQ(data::pack_best_fit_decreasing(lengths, cap), brute_force_bfd(lengths, cap));
    }
    EXPECT_THROW(data::pack_best_fit_decreasing({3, 9}, 8), util::ConfigError);
}

SftRenderer chatml(bool completion_only = true) {
    return {.chat =
                [](const std::vector<tokenizer::Message>& m, bool open) {
                    std::string out;
                    for (const auto& t : m) {
                        out += "<" + t.role + ">" + t.content + "</>";
                    }
                    return open ? out + "<assistant>" : out;
                },
            .prompt = [](std::string_view p) { return "Q: " + std::string(p) + "\nA:"; },
            .completion_only = completion_only};
}

std::vector<std::pair<std::string, bool>> flat(const std::vector<TextSegment>& segments) {
    std::vector<std::pair<std::string, bool>> out;
    for (const auto& s : segments) {
        out.emplace_back(s.text, s.train);
    }
    return out;
}

TEST(SftDataTest, RendersTrlsThreeShapesWithTheirTrainedParts) {
    using V = std::vector<std::pair<std::string, bool>>;
    EXPECT_EQ(flat(render_sft_row({.shape = Shape::text, .text = "abc"}, chatml())),
              (V{{"abc", true}}));
    EXPECT_EQ(
        flat(render_sft_row(
            {.shape = Shape::prompt_completion, .prompt = "1+1?", .completion = " 2"}, chatml())),
        (V{{"Q: 1+1?\nA:", false}, {" 2", true}}));
    const SftExample chat{.shape = Shape::conversation,
                          .messages = {{"system", "s"},
                                       {"user", "u1"},
                                       {"assistant", "a1"},
                                       {"user", "u2"},
                                       {"assistant", "a2"}}};
    EXPECT_EQ(flat(render_sft_row(chat, chatml())),
              (V{{"<system>s</><user>u1</><assistant>", false},
                 {"a1</>", true},
                 {"<user>u2</><assistant>", false},
                 {"a2</>", true},
                 {"", false}}));
    EXPECT_EQ(flat(render_sft_row(chat, chatml(false))),
              (V{{"<system>s</><user>u1</><assistant>a1</><user>u2</><assistant>a2</>", true}}));
    SftExample conversational_pc = chat;  // prompt = the first three messages
    conversational_pc.shape = Shape::prompt_completion;
    conversational_pc.completion_from = 3;
    EXPECT_EQ(flat(render_sft_row(conversational_pc, chatml())),
              (V{{"<system>s</><user>u1</><assistant>a1</><user>u2</><assistant>", false},
                 {"a2</>", true},
                 {"", false}}));
}

TEST(SftDataTest, TemplateThatRewritesEarlierTurnsIsAnErrorNamingTheRow) {
    auto renderer = chatml();
    renderer.chat = [](const std::vector<tokenizer::Message>& m, bool open) {
        std::string out;  // R1-Distill's way: earlier assistant turns lose their content
        for (size_t i = 0; i < m.size(); ++i) {
            const bool keep = m[i].role != "assistant" || i + 1 == m.size();
            out += "<" + m[i].role + ">" + (keep ? m[i].content : "") + "</>";
        }
        return open ? out + "<assistant>" : out;
    };
    const SftExample row{
        .shape = Shape::conversation,
        .messages = {{"user", "u"}, {"assistant", "a"}, {"user", "v"}, {"assistant", "b"}},
        .where = {.source = "rows.jsonl", .line = 7}};
    test::expect_contains(test::error_of<util::FormatError>([&] { render_sft_row(row, renderer); }),
                          {"rows.jsonl:7", "earlier turns"});
}

TEST(SftDataTest, TruncationIsCountedAndAnEmptyMaskNamesItsLine) {
    const auto tok = tokenizer::Tokenizer::bytes({"<|endoftext|>"});
    const SftExample row{.shape = Shape::prompt_completion,
                         .prompt = "abcdef",
                         .completion = "xy",
                         .where = {.source = "d.jsonl", .line = 3}};
    const auto segments = render_sft_row(row, chatml());  // "Q: abcdef\nA:" is 12 bytes
    const auto full = tokenize_sft_row(row, segments, tok, {.eos_id = 256, .max_length = 100});
    EXPECT_EQ(full.ids.size(), 15u);  // 12 + "xy" + EOS
    EXPECT_EQ(full.trained_tokens, 3);
    EXPECT_EQ(full.ids.back(), 256);
    const auto cut = tokenize_sft_row(row, segments, tok, {.eos_id = 256, .max_length = 13});
    EXPECT_EQ(cut.truncated_tokens, 2);
    EXPECT_EQ(cut.trained_tokens, 1);
    test::expect_contains(
        test::error_of<util::FormatError>(
            [&] { tokenize_sft_row(row, segments, tok, {.eos_id = 256, .max_length = 12}); }),
        {"d.jsonl:3", "no token left to train", "data.max_length"});
}

/// Random documents of the given lengths, each trained after its first two tokens.
std::vector<SftDocument> random_documents(const std::vector<int64_t>& lengths, int64_t vocab) {
    std::vector<SftDocument> docs;
    for (const int64_t n : lengths) {
        SftDocument d;
        const auto ids = torch::randint(vocab, {n}, torch::kLong);
        for (int64_t i = 0; i < n; ++i) {
            d.ids.push_back(ids[i].item<int64_t>());
            d.train.push_back(i >= 2 ? 1 : 0);
        }
        d.trained_tokens = n - 2;
        docs.push_back(std::move(d));
    }
    return docs;
}

/// Σ over documents of their summed next-token losses, run one row each or packed in one row.
at::Tensor summed_loss(model::CausalLm& lm, const std::vector<SftDocument>& docs, bool packed) {
    std::vector<std::vector<int64_t>> rows;
    if (packed) {
        rows.emplace_back(docs.size());
        std::iota(rows.back().begin(), rows.back().end(), 0);
    } else {
        for (size_t i = 0; i < docs.size(); ++i) {
            rows.push_back({static_cast<int64_t>(i)});
        }
    }
    const auto batch = collate(docs, rows, 0, packed);
    const auto out =
        lm->forward(batch.input_ids, batch.attention_mask, {.position_ids = batch.position_ids});
    return next_token_loss(out.logits, batch.input_ids, batch.train.to(torch::kFloat64)).loss;
}

void expect_packing_is_exact(const model::ModelOptions& options) {
    torch::manual_seed(0);
    model::CausalLm lm(options);
    lm->to(torch::kFloat64);
    const auto docs = random_documents({5, 3, 6}, options.vocab_size);
    const auto params = test::parameters_of(*lm);
    const auto grads = [&](bool packed) {
        for (auto& p : params) {
            p.mutable_grad() = at::Tensor();
        }
        const auto loss = summed_loss(lm, docs, packed);
        loss.backward();
        std::vector<at::Tensor> g{loss.detach()};
        for (const auto& p : params) {
            g.push_back(p.grad().clone());
        }
        return g;
    };
    const auto alone = grads(false), packed = grads(true);
    for (size_t i = 0; i < alone.size(); ++i) {
        R1_EXPECT_CLOSE(packed[i], alone[i], 1e-10, 1e-12);
    }
}

TEST(SftPackingTest, PackedRowGivesEachDocumentItsOwnLossAndGradients) {
    expect_packing_is_exact(test::tiny_qwen2());
    expect_packing_is_exact(test::tiny_deepseek(R"({"num_nextn_predict_layers": 0})"));
}

fs::path sft_fixture() {
    const char* build = std::getenv("R1_BUILD_DIR");
    const auto dir = fs::path(build ? build : "build") / "reference" / "sft_trl";
    if (!fs::exists(dir / "sft_trl.safetensors")) {
        ADD_FAILURE() << "missing fixture " << dir << ": run the fixture.sft_trl ctest";
    }
    return dir;
}

double loss_of(model::CausalLm& lm,
               const SftDataset& set,
               const std::vector<int64_t>& rows,
               bool packed) {
    double total = 0;
    for (const auto& [batch, weights] :
         micro_batches(set, rows, {.micro_batch_size = 8, .packed = packed})) {
        const auto logits =
            lm->forward(batch.input_ids, batch.attention_mask, {.position_ids = batch.position_ids})
                .logits;
        total += next_token_loss(logits, batch.input_ids, weights).loss.item<double>();
    }
    return total;
}

// TRL's SFTTrainer (completion_only_loss) and transformers' packed-sequence loss on the rows r1
// tokenises itself (tests/reference/sft_loss_reference.py).
TEST(SftParityTest, LossEqualsTrlsAndPackedRowEqualsTransformers) {
    const auto dir = sft_fixture();
    auto base = model::load_model_dir(dir / "model");
    const io::SafetensorsFile ref(dir / "sft_trl.safetensors");
    const auto rows = data::read_jsonl_dataset<SftExample>({.path = (dir / "rows.jsonl").string()});
    SftRenderer renderer{.prompt = [](std::string_view p) { return std::string(p); }};
    SftDataset set;
    for (size_t i = 0; i < rows.rows.size(); ++i) {
        const auto& row = rows.rows[i];
        auto doc = tokenize_sft_row(row, render_sft_row(row, renderer), *base.tokenizer,
                                    {.eos_id = model::eos_token_ids(base).front()});
        const auto ids = ref.tensor(util::str("input_ids_", i));
        EXPECT_TRUE(at::equal(at::tensor(doc.ids, at::kLong), ids)) << "row " << i;
        auto mask = ref.tensor(util::str("completion_mask_", i)).clone();
        mask[0] = 0;  // nothing predicts a first token
        EXPECT_TRUE(at::equal(
            at::tensor(std::vector<int64_t>(doc.train.begin(), doc.train.end()), at::kLong), mask))
            << "row " << i;
        set.rows.push_back({static_cast<int64_t>(i)});
        set.documents.push_back(std::move(doc));
    }
    torch::NoGradGuard no_grad;
    std::vector<int64_t> all(set.rows.size());
    std::iota(all.begin(), all.end(), 0);
    const double trl = ref.tensor("trl_loss").item<double>();
    EXPECT_NEAR(loss_of(base.model, set, all, false), trl, 1e-5 * trl);
    SftDataset packed{.documents = set.documents, .rows = {all}};
    const double hf_packed = ref.tensor("packed_loss").item<double>();
    EXPECT_NEAR(loss_of(base.model, packed, {0}, true), hf_packed, 1e-5 * hf_packed);
}

// NEFTune as transformers' neftune_post_forward_hook: uniform noise in ±alpha/sqrt(S·H), drawn
// only while training, reproducible from its generator.
TEST(SftLossTest, NeftuneNoiseHasTransformersMagnitudeAndOnlyTrains) {
    torch::manual_seed(0);
    model::Decoder decoder(test::tiny_qwen2());
    const auto ids = torch::randint(64, {2, 50}, torch::kLong);
    const auto clean = decoder->embed(ids, {});
    const auto noisy = [&](uint64_t seed) {
        return decoder->embed(ids, {.neftune_alpha = 5.0, .noise = util::make_generator(seed)});
    };
    decoder->train();
    const auto noise = noisy(1) - clean;
    const double magnitude = 5.0 / std::sqrt(50.0 * 32.0);  // S = 50, H = 32
    EXPECT_LE(noise.abs().max().item<double>(), magnitude);
    EXPECT_NEAR(noise.std().item<double>(), magnitude / std::sqrt(3.0), 0.05 * magnitude);
    EXPECT_TRUE(at::equal(noisy(1), noisy(1)));
    EXPECT_FALSE(at::equal(noisy(1), noisy(2)));
    decoder->eval();
    EXPECT_TRUE(at::equal(noisy(1), clean));
}

/// A tiny Qwen2 with the byte tokenizer, saved as a model directory.
std::filesystem::path tiny_model_dir(const std::filesystem::path& root) {
    torch::manual_seed(1);
    model::CausalLm lm(test::tiny_qwen2(R"({"vocab_size": 260, "hidden_size": 64,
        "intermediate_size": 96})"));
    const auto dir = root / "base";
    model::save_model_dir(dir, lm,
                          {.tokenizer_json = tokenizer::Tokenizer::bytes_json({"<|endoftext|>"})});
    return dir;
}

SftOptions tiny_sft(const std::filesystem::path& root, const std::string& data) {
    SftOptions o;
    o.run_dir = (root / "run").string();
    o.init.checkpoint = tiny_model_dir(root).string();
    o.data.train = {{.path = data}};
    o.data.prompt.chat_template = tokenizer::Template::plain;
    o.data.max_length = 64;
    o.batch = {.batch_size = 4, .micro_batch_size = 2};
    o.optim = {.lr = 1e-2, .schedule = Schedule::constant};
    o.checkpoint.every = 0;
    return o;
}

std::filesystem::path write_rows(const std::filesystem::path& dir) {
    const auto path = dir / "rows.jsonl";
    std::ofstream(path) << R"({"prompt": "What is 23 + 58?", "completion": " 81"}
{"prompt": "What is 12 + 30?", "completion": " 42"}
{"prompt": "Name a colour.", "completion": " red"}
{"text": "the cat sat on the mat"}
)";
    return path;
}

TEST(SftStageTest, MemorisesASmallSetAndAnswersGreedily) {
    util::TempDir dir;
    auto o = tiny_sft(dir.path(), write_rows(dir.path()).string());
    o.max_steps = 60;
    const auto result = run_sft(o, "");
    EXPECT_LT(result.last_metrics.at("loss").get<double>(), 0.05) << result.last_metrics.dump();
    auto trained = model::load_model_dir(result.final_model);
    generation::Engine engine(trained.model, trained.tokenizer);
    const auto ids = trained.tokenizer->encode("What is 23 + 58?");
    const auto out = engine.generate({.prompts = {std::vector<int64_t>(ids.begin(), ids.end())},
                                      .sampling = {.temperature = 0.0, .max_completion_length = 8},
                                      .eos_token_ids = {256}});
    const std::vector<tokenizer::TokenId> answer(out[0].tokens.begin(), out[0].tokens.end());
    EXPECT_EQ(trained.tokenizer->decode(answer), " 81<|endoftext|>");
}

TEST(SftStageTest, MicroBatchesLeaveTheStepUnchanged) {
    util::TempDir dir;
    const auto rows = write_rows(dir.path()).string();
    const auto weights_after = [&](const std::string& name, int64_t micro) {
        std::filesystem::create_directories(dir.path() / name);
        auto o = tiny_sft(dir.path() / name, rows);
        o.max_steps = 2;
        o.batch.micro_batch_size = micro;
        const auto r = run_sft(o, "");
        return model::load_model_dir(r.final_model).model->named_parameters();
    };
    const auto whole = weights_after("whole", 4);
    const auto micro = weights_after("micro", 1);
    for (const auto& p : whole) {
        R1_EXPECT_CLOSE(micro[p.key()], p.value(), 1e-4, 1e-6);
    }
}

}  // namespace
}  // namespace r1::train
