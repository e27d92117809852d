#include "r1/rewards/repetition.h"

#include "r1/util/str.h"

#include <cctype>
#include <set>
#include <sstream>

namespace r1::rewards {

void visit(config::Visitor& v, RepetitionOptions& o) {
    v.field("ngram_size", o.ngram_size, "n of the n-grams").min(1);
    v.field("max_penalty", o.max_penalty, "reward when every n-gram repeats (<= 0)")
        .range(-1e6, 0.0);
    v.field("unit", o.unit, "tokens (completion ids, TRL) or lower-cased words (open-r1)");
}

template <class T>
double repetition_penalty(const std::vector<T>& units, int64_t n, double max_penalty) {
    if (static_cast<int64_t>(units.size()) < n) {
        return 0.0;
    }
    std::set<std::vector<T>> distinct;
    const size_t total = units.size() - static_cast<size_t>(n) + 1;
    for (size_t i = 0; i < total; ++i) {
        distinct.emplace(units.begin() + static_cast<std::ptrdiff_t>(i),
                         units.begin() + static_cast<std::ptrdiff_t>(i) + n);
    }
    return (1.0 - static_cast<double>(distinct.size()) / static_cast<double>(total)) * max_penalty;
}

template double repetition_penalty(const std::vector<int64_t>&, int64_t, double);
template double repetition_penalty(const std::vector<std::string>&, int64_t, double);

std::vector<std::string> lower_words(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string w; in >> w;) {
        for (char& c : w) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        words.push_back(std::move(w));
    }
    return words;
}

RewardResult repetition(const RewardInput& in, const RepetitionOptions& o) {
    if (o.unit == RepetitionUnit::words) {
        const auto words = lower_words(in.completion);
        return {repetition_penalty(words, o.ngram_size, o.max_penalty), "",
                util::str(words.size(), " words")};
    }
    if (!in.completion_ids) {
        return {std::nullopt, "", "unit: tokens needs the completion's token ids"};
    }
    return {repetition_penalty(*in.completion_ids, o.ngram_size, o.max_penalty), "",
            util::str(in.completion_ids->size(), " tokens")};
}

}  // namespace r1::rewards
