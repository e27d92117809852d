#include "r1/tokenizer/trainer.h"

#include "r1/tokenizer/added_tokens.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

namespace r1::tokenizer {

namespace {

uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
}

struct Word {
    std::vector<int32_t> symbols;
    int64_t count = 0;
};

// Unique pre-tokenised words of the corpus with their counts; special tokens are cut out first.
std::vector<Word> count_words(std::string_view corpus, const TrainOptions& o) {
    std::vector<AddedToken> specials;
    for (size_t i = 0; i < o.specials.size(); ++i) {
        specials.push_back({.id = static_cast<TokenId>(i),
                            .content = o.specials[i],
                            .normalized = false,
                            .special = true});
    }
    AddedTokenMatcher matcher(specials, o.specials);
    std::vector<TextPiece> chunks;
    matcher.split(corpus, chunks);
    std::vector<PreTokenizerStep> steps;
    if (!o.split_pattern.empty()) {
        steps.push_back(SplitStep{Regex(o.split_pattern), SplitBehavior::isolated, false});
    }
    const PreTokenizer pre_tokenizer(std::move(steps));
    std::unordered_map<std::string_view, int64_t> counts;
    Pieces pieces;
    for (const TextPiece& chunk : chunks) {
        if (chunk.id >= 0) {
            continue;
        }
        pre_tokenizer.split(chunk.text, pieces);
        for (std::string_view w : pieces.views) {
            ++counts[w];
        }
    }
    std::vector<std::pair<std::string_view, int64_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end());  // hash order must not leak into the result
    std::vector<Word> words;
    for (const auto& [w, n] : sorted) {
        Word word{.count = n};
        for (unsigned char b : w) {
            word.symbols.push_back(b);
        }
        words.push_back(std::move(word));
    }
    return words;
}

struct Candidate {
    int64_t count;
    uint64_t pair;

    bool operator<(const Candidate& o) const {  // max-heap: most frequent, then the smaller id pair
        return count != o.count ? count < o.count : pair > o.pair;
    }
};

}  // namespace

BpeVocabulary train_bpe(std::string_view corpus, const TrainOptions& o) {
    const int64_t base = 256 + static_cast<int64_t>(o.specials.size());
    if (o.vocab_size < base) {
        throw util::ConfigError(util::str("vocab_size ", o.vocab_size, " is below 256 bytes + ",
                                          o.specials.size(), " special tokens"));
    }
    BpeVocabulary v{.specials = o.specials, .split_pattern = o.split_pattern};
    for (int b = 0; b < 256; ++b) {
        v.tokens.emplace_back(1, static_cast<char>(b));
    }
    std::vector<Word> words = count_words(corpus, o);
    std::unordered_map<uint64_t, int64_t> pair_counts;
    std::unordered_map<uint64_t, std::vector<uint32_t>>
        where;  // pair -> words holding it (may repeat)
    for (uint32_t w = 0; w < words.size(); ++w) {
        const auto& s = words[w].symbols;
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            pair_counts[key(s[i], s[i + 1])] += words[w].count;
            where[key(s[i], s[i + 1])].push_back(w);
        }
    }
    std::priority_queue<Candidate> queue;
    for (const auto& [pair, count] : pair_counts) {
        queue.push({count, pair});
    }
    std::vector<int32_t> merged;
    while (static_cast<int64_t>(v.tokens.size()) + static_cast<int64_t>(v.specials.size()) <
               o.vocab_size &&
           !queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        const int64_t current = pair_counts[top.pair];
        if (current != top.count) {  // stale: the count fell since this entry was pushed
            if (current > 0) {
                queue.push({current, top.pair});
            }
            continue;
        }
        if (current < o.min_frequency) {
            break;
        }
        const auto a = static_cast<int32_t>(top.pair >> 32);
        const auto b = static_cast<int32_t>(top.pair & 0xFFFFFFFFu);
        const auto id = static_cast<int32_t>(v.tokens.size());
        v.tokens.push_back(v.tokens[a] + v.tokens[b]);
        v.merges.emplace_back(v.tokens[a], v.tokens[b]);
        std::vector<uint32_t> affected = std::move(where[top.pair]);
        where.erase(top.pair);
        std::sort(affected.begin(), affected.end());
        affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
        for (uint32_t w : affected) {
            Word& word = words[w];
            auto& s = word.symbols;
            merged.clear();
            for (size_t i = 0; i < s.size(); ++i) {
                const bool hit = i + 1 < s.size() && s[i] == a && s[i + 1] == b;
                merged.push_back(hit ? id : s[i]);
                i += hit ? 1 : 0;
            }
            if (merged.size() == s.size()) {
                continue;
            }
            for (size_t i = 0; i + 1 < s.size();
                 ++i) {  // this word's pairs: remove the old, add the new
                pair_counts[key(s[i], s[i + 1])] -= word.count;
            }
            for (size_t i = 0; i + 1 < merged.size(); ++i) {
                const uint64_t p = key(merged[i], merged[i + 1]);
                pair_counts[p] += word.count;
                if (merged[i] == id || merged[i + 1] == id) {
                    where[p].push_back(w);
                    queue.push({pair_counts[p], p});
                }
            }
            s.assign(merged.begin(), merged.end());
        }
    }
    return v;
}

}  // namespace r1::tokenizer
