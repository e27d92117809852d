// Corrupted tokenizer.json files: every one loads or throws an r1 error; none crashes (run it under
// the asan preset for the "no UB" half of the claim).
#include "r1/tokenizer/tokenizer.h"
#include "r1/tokenizer/trainer.h"
#include "r1/util/error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

namespace r1::tokenizer {
namespace {

std::string valid_json() {
    std::string corpus;
    for (int i = 0; i < 50; ++i) {
        corpus += "the cat sat on the mat 123 кот 猫 <|end|> it's\n";
    }
    auto j = nlohmann::json::parse(
        to_tokenizer_json(train_bpe(corpus, {.vocab_size = 300, .specials = {"<|end|>"}})));
    j["normalizer"] = {{"type", "NFC"}};
    j["added_tokens"].push_back({{"id", 300},
                                 {"content", "<x>"},
                                 {"single_word", true},
                                 {"lstrip", true},
                                 {"rstrip", true},
                                 {"normalized", true},
                                 {"special", false}});
    return j.dump(1);
}

// Deletes or duplicates one "key": value member line, keeping the JSON otherwise intact.
std::string edit_member(const std::string& text, std::mt19937& rng, bool duplicate) {
    std::vector<size_t> starts;
    for (size_t i = text.find("\n"); i != std::string::npos; i = text.find("\n", i + 1)) {
        if (text.find('"', i) == text.find_first_not_of(" \n", i)) {
            starts.push_back(i + 1);
        }
    }
    const size_t begin = starts[rng() % starts.size()];
    const size_t end = std::min(text.find('\n', begin) + 1, text.size());
    const std::string line = text.substr(begin, end - begin);
    return duplicate ? text.substr(0, end) + line + text.substr(end)
                     : text.substr(0, begin) + text.substr(end);
}

std::string corrupt(const std::string& text, std::mt19937& rng) {
    std::string out = text;
    switch (rng() % 6) {
        case 0:
            return out.substr(0, rng() % out.size());  // truncated
        case 1:
            for (int k = 0, n = 1 + rng() % 4; k < n; ++k) {
                out[rng() % out.size()] ^= static_cast<char>(1 << (rng() % 8));  // flipped bits
            }
            return out;
        case 2:
            out[rng() % out.size()] =
                "0123456789-.:,[]{}\"\\ex "[rng() % 24];  // a plausible wrong byte
            return out;
        case 3:
            return edit_member(text, rng, false);
        case 4:
            return edit_member(text, rng, true);
        default: {
            const size_t pos = rng() % out.size();
            return out.substr(0, pos) + "\xff\xc3" + out.substr(pos);  // invalid UTF-8
        }
    }
}

TEST(TokenizerCorruptionTest, EveryCorruptionLoadsOrThrowsAnR1Error) {
    const std::string valid = valid_json();
    ASSERT_NO_THROW(Tokenizer::from_json(valid, "valid.json"));
    std::mt19937 rng(2024);
    int loaded = 0, rejected = 0;
    for (int i = 0; i < 1200; ++i) {
        const std::string text = corrupt(valid, rng);
        try {
            const Tokenizer tok = Tokenizer::from_json(text, "corrupt.json");
            const auto ids =
                tok.encode("the cat <x> sat <|end|> 猫 \xff 123");  // a loaded file must work
            (void)tok.decode(ids);
            ++loaded;
        } catch (const util::Error& e) {
            EXPECT_NE(std::string(e.what()).find("corrupt.json"), std::string::npos) << e.what();
            ++rejected;
        }
    }
    std::cout << loaded << " corrupted files loaded, " << rejected
              << " rejected with an r1 error\n";
    EXPECT_EQ(loaded + rejected, 1200);
    EXPECT_GT(rejected, 600);
}

}  // namespace
}  // namespace r1::tokenizer
