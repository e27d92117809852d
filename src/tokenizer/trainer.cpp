#include "r1/tokenizer/trainer.h"

#include "r1/tokenizer/added_tokens.h"
#include "r1/util/error.h"
#include "r1/util/str.h"

#include <algorithm>
#include <optional>
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

// Pair counts over all words, which words hold each pair, and a lazily updated max-heap of pairs.
class PairStats {
  public:
    explicit PairStats(std::vector<Word> words) : words_(std::move(words)) {
        for (uint32_t w = 0; w < words_.size(); ++w) {
            const auto& s = words_[w].symbols;
            for (size_t i = 0; i + 1 < s.size(); ++i) {
                counts_[key(s[i], s[i + 1])] += words_[w].count;
                where_[key(s[i], s[i + 1])].push_back(w);
            }
        }
        for (const auto& [pair, count] : counts_) {
            queue_.push({count, pair});
        }
    }

    /// The most frequent pair, or nothing when none reaches `min_count`.
    std::optional<Candidate> best(int64_t min_count) {
        while (!queue_.empty()) {
            const Candidate top = queue_.top();
            queue_.pop();
            const int64_t current = counts_[top.pair];
            if (current == top.count) {
                return current >= min_count ? std::optional(top) : std::nullopt;
            }
            if (current > 0) {  // stale: the count fell since this entry was pushed
                queue_.push({current, top.pair});
            }
        }
        return std::nullopt;
    }

    /// Replaces pair (a, b) by token `id` in every word holding it, updating the counts.
    void merge(uint64_t pair, int32_t id) {
        const auto a = static_cast<int32_t>(pair >> 32);
        const auto b = static_cast<int32_t>(pair & 0xFFFFFFFFu);
        std::vector<uint32_t> affected = std::move(where_[pair]);
        where_.erase(pair);
        std::sort(affected.begin(), affected.end());
        affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
        for (uint32_t w : affected) {
            auto& s = words_[w].symbols;
            merged_.clear();
            for (size_t i = 0; i < s.size(); ++i) {
                const bool hit = i + 1 < s.size() && s[i] == a && s[i + 1] == b;
                merged_.push_back(hit ? id : s[i]);
                i += hit ? 1 : 0;
            }
            if (merged_.size() != s.size()) {
                recount(w, id);
            }
        }
    }

  private:
    // Word w's pairs: remove the old ones, add the new ones (those with `id` are new candidates).
    void recount(uint32_t w, int32_t id) {
        auto& s = words_[w].symbols;
        const int64_t n = words_[w].count;
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            counts_[key(s[i], s[i + 1])] -= n;
        }
        for (size_t i = 0; i + 1 < merged_.size(); ++i) {
            const uint64_t p = key(merged_[i], merged_[i + 1]);
            counts_[p] += n;
            if (merged_[i] == id || merged_[i + 1] == id) {
                where_[p].push_back(w);
                queue_.push({counts_[p], p});
            }
        }
        s.assign(merged_.begin(), merged_.end());
    }

    std::vector<Word> words_;
    std::unordered_map<uint64_t, int64_t> counts_;
    std::unordered_map<uint64_t, std::vector<uint32_t>> where_;  // pair -> words (may repeat)
    std::priority_queue<Candidate> queue_;
    std::vector<int32_t> merged_;
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
    PairStats stats(count_words(corpus, o));
    while (static_cast<int64_t>(v.tokens.size() + v.specials.size()) < o.vocab_size) {
        const std::optional<Candidate> best = stats.best(o.min_frequency);
        if (!best) {
            break;
        }
        const std::string& left = v.tokens[best->pair >> 32];
        const std::string& right = v.tokens[best->pair & 0xFFFFFFFFu];
        v.merges.emplace_back(left, right);
        v.tokens.push_back(left + right);
        stats.merge(best->pair, static_cast<int32_t>(v.tokens.size() - 1));
    }
    return v;
}

}  // namespace r1::tokenizer
