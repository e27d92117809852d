#include "r1/tokenizer/tokenizer.h"

#include "r1/util/error.h"
#include "r1/util/fs.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "support/expect.h"

namespace r1::tokenizer {
namespace {

namespace fs = std::filesystem;

fs::path fixture_dir() {
    const char* build = std::getenv("R1_BUILD_DIR");
    return fs::path(build != nullptr ? build : ".") / "tokenizer_fixture";
}

struct Line {
    std::string text;
    std::string nfc;
};

std::vector<Line> corpus() {
    std::ifstream in(fixture_dir() / "corpus.jsonl");
    std::vector<Line> out;
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        out.push_back({j.at("text").get<std::string>(), j.at("nfc").get<std::string>()});
    }
    return out;
}

std::vector<std::vector<TokenId>> hf_ids(const std::string& config) {
    std::ifstream in(fixture_dir() / config / "ids.jsonl");
    std::vector<std::vector<TokenId>> out;
    for (std::string line; std::getline(in, line);) {
        out.push_back(nlohmann::json::parse(line).get<std::vector<TokenId>>());
    }
    return out;
}

// r1's ids equal HF tokenizers' ids on every line of the test corpus, and decode inverts encode.
class ParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParityTest, IdsEqualHuggingFaceAndRoundTrip) {
    ASSERT_TRUE(fs::exists(fixture_dir() / GetParam() / "tokenizer.json"))
        << "run the tokenizer.fixture ctest (tests/reference/make_tokenizer_fixture.py) first";
    const Tokenizer tok = Tokenizer::from_file(fixture_dir() / GetParam() / "tokenizer.json");
    const std::vector<Line> lines = corpus();
    const auto expected = hf_ids(GetParam());
    ASSERT_EQ(lines.size(), expected.size());
    ASSERT_GT(lines.size(), 3000u);
    size_t equal = 0, round_trips = 0, round_trip_lines = 0, tokens = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::vector<TokenId> ids = tok.encode(lines[i].text);
        tokens += ids.size();
        equal += ids == expected[i] ? 1 : 0;
        EXPECT_EQ(ids, expected[i])
            << "line " << i + 1 << ": " << nlohmann::json(lines[i].text).dump();
        // NFC may recompose the input (Qwen2 only): the round trip gives the NFC text back.
        const std::string& original =
            GetParam() == "qwen2" || GetParam() == "behaviors" ? lines[i].nfc : lines[i].text;
        if (GetParam() == "behaviors" || GetParam() == "gpt2" ||
            original.find("[MASK]") != std::string::npos) {
            continue;  // no round trip by design: tabs removed, prefix spaces added, [MASK] strips
                       // spaces
        }
        ++round_trip_lines;
        const std::string decoded = tok.decode(ids);
        round_trips += decoded == original ? 1 : 0;
        EXPECT_EQ(decoded, original) << "line " << i + 1;
    }
    std::cout << GetParam() << ": " << equal << "/" << lines.size() << " lines equal HF (" << tokens
              << " tokens); decode(encode(s)) == s on " << round_trips << "/" << round_trip_lines
              << " lines without [MASK]\n";
    EXPECT_EQ(tok.encode_batch(std::vector<std::string>{lines[0].text, lines[1].text}),
              (std::vector<std::vector<TokenId>>{expected[0], expected[1]}));
}

INSTANTIATE_TEST_SUITE_P(Configs,
                         ParityTest,
                         ::testing::Values("qwen2", "llama3", "deepseek_v3", "gpt2", "behaviors"));

TEST(TokenizerTest, FixtureHasEnoughMergesAndSpecials) {
    const Tokenizer tok = Tokenizer::from_file(fixture_dir() / "qwen2" / "tokenizer.json");
    EXPECT_GE(tok.merge_count(), 8000u);
    EXPECT_EQ(tok.token_to_id("<|im_end|>"), 2);
    EXPECT_EQ(tok.id_to_token(2), "<|im_end|>");
    EXPECT_EQ(tok.special_tokens().size(), 6u);  // 5 trained + [MASK]
    EXPECT_EQ(tok.encode("<|im_start|>user<|im_end|>").front(), 1);
    const auto ids = tok.encode("a<|im_end|>b");
    EXPECT_EQ(tok.decode(ids, {.skip_special = true}), "ab");
    const std::string described = describe(fixture_dir() / "qwen2" / "tokenizer.json");
    test::expect_contains(described,
                          {"vocab size:     8602", "merges:         8", "<|im_end|>=2", "NFC",
                           "Split(regex", "ByteLevel(add_prefix_space=false, use_regex=false)"});
}

TEST(TokenizerTest, ArbitraryBytesRoundTrip) {
    const Tokenizer tok = Tokenizer::from_file(fixture_dir() / "llama3" / "tokenizer.json");
    std::mt19937 rng(7);
    for (int i = 0; i < 300; ++i) {
        std::string text(rng() % 64, '\0');
        for (char& c : text) {
            c = static_cast<char>(rng() % 256);
        }
        const auto ids = tok.encode(text);
        EXPECT_EQ(tok.decode(ids), text);
        EXPECT_EQ(tok.encode(text), ids);  // deterministic (the cache changes nothing)
    }
}

TEST(TokenizerTest, ByteTokenizerIsBytesPlusSpecials) {
    const Tokenizer tok = Tokenizer::bytes({"<pad>", "<eos>"});
    EXPECT_EQ(tok.vocab_size(), 258);
    EXPECT_EQ(tok.encode("ab\xff<eos>"), (std::vector<TokenId>{'a', 'b', 255, 257}));
    EXPECT_EQ(tok.decode(std::vector<TokenId>{'h', 'i', 256}), "hi<pad>");
    EXPECT_EQ(tok.decode(std::vector<TokenId>{'h', 256}, {.skip_special = true}), "h");
    const std::string message =
        test::error_of<util::FormatError>([&] { tok.decode(std::vector<TokenId>{258}); });
    test::expect_contains(message, {"token id 258", "258 ids"});
}

TEST(TokenizerTest, TemplatePostProcessorAddsBos) {
    auto j = nlohmann::json::parse(Tokenizer::bytes_json({"<s>"}));
    j["post_processor"] = {
        {"type", "TemplateProcessing"},
        {"single",
         {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
        {"pair", nlohmann::json::array()},
        {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {256}}, {"tokens", {"<s>"}}}}}}};
    const Tokenizer tok = Tokenizer::from_json(j.dump(), "bos.json");
    EXPECT_EQ(tok.encode("a", {.add_special = true}), (std::vector<TokenId>{256, 'a'}));
    EXPECT_EQ(tok.encode("a"), (std::vector<TokenId>{'a'}));
}

TEST(TokenizerTest, MalformedFilesNameTheKeyPath) {
    const auto base = nlohmann::json::parse(Tokenizer::bytes_json({"<s>"}));
    auto error = [](const nlohmann::json& j) {
        return test::error_of<util::FormatError>([&] { Tokenizer::from_json(j.dump(), "t.json"); });
    };
    auto j = base;
    j["model"]["merges"] = nlohmann::json::array({nlohmann::json::array({"a", "zz"})});
    test::expect_contains(error(j),
                          {"t.json: key 'model.merges[0]': token 'zz' is not in model.vocab"});
    j = base;
    j["model"]["merges"] = {"a b c"};
    test::expect_contains(error(j), {"key 'model.merges[0]'", "one space"});
    j = base;
    j["model"]["type"] = "WordPiece";
    test::expect_contains(error(j), {"key 'model.type'", "unsupported model"});
    j = base;
    j["pre_tokenizer"] = nlohmann::json::parse(
        R"({"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(["}, "behavior": "Isolated"}]})");
    test::expect_contains(error(j),
                          {"key 'pre_tokenizer.pretokenizers[0].pattern.Regex'", "invalid regex"});
    j = base;
    j["pre_tokenizer"] = {{"type", "Whitespace"}};
    test::expect_contains(error(j),
                          {"key 'pre_tokenizer.type'", "unsupported pre-tokenizer 'Whitespace'"});
    j = base;
    j["added_tokens"][0]["special"] = "yes";
    test::expect_contains(error(j),
                          {"key 'added_tokens[0].special': expected true or false, got string"});
    j = base;
    j["model"]["vocab"]["a"] = -3;
    test::expect_contains(error(j), {"key 'model.vocab.a': expected a token id"});
    test::expect_contains(
        test::error_of<util::FormatError>([] { Tokenizer::from_json("{\"model\": [", "t.json"); }),
        {"t.json: invalid JSON"});
}

}  // namespace
}  // namespace r1::tokenizer
