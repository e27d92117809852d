#include "r1/generation/stop.h"

#include "r1/util/error.h"

#include <algorithm>

namespace r1::generation {

StopMatcher::StopMatcher(std::vector<std::string> stops, const tokenizer::Tokenizer* tokenizer)
    : stops_(std::move(stops)), tokenizer_(tokenizer) {
    std::erase(stops_, std::string());
    if (!stops_.empty() && tokenizer_ == nullptr) {
        throw util::UsageError("stop strings need a tokenizer: the engine was built without one");
    }
    for (const auto& stop : stops_) {
        longest_ = std::max(longest_, stop.size());
    }
}

bool StopMatcher::ends_in_last(std::span<const int64_t> tokens) const {
    if (stops_.empty() || tokens.empty()) {
        return false;
    }
    // Every token decodes to at least one byte, so `longest_` tokens before the last one hold
    // the longest-1 bytes a match ending in the last token may start in.
    const size_t n = std::min(tokens.size(), longest_ + 1);
    std::vector<tokenizer::TokenId> tail(tokens.end() - static_cast<std::ptrdiff_t>(n),
                                         tokens.end());
    const std::string before = tokenizer_->decode(std::span(tail).first(n - 1));
    const std::string text = tokenizer_->decode(tail);
    for (const auto& stop : stops_) {
        const size_t from = before.size() >= stop.size() ? before.size() - stop.size() + 1 : 0;
        if (text.find(stop, from) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace r1::generation
