// Stop strings: a completion ends at the first token whose text completes one of them (the string
// may span several tokens; the token that completes it is kept, with any text after the string).
#pragma once

#include "r1/tokenizer/tokenizer.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace r1::generation {

class StopMatcher {
  public:
    /// `tokenizer` must outlive the matcher; it may be null only when `stops` is empty.
    StopMatcher(std::vector<std::string> stops, const tokenizer::Tokenizer* tokenizer);

    bool empty() const { return stops_.empty(); }

    /// True when a stop string ends inside the text of the last of `tokens` (the completion so
    /// far). Only the tail is decoded: earlier tokens were checked when they were the last.
    bool ends_in_last(std::span<const int64_t> tokens) const;

  private:
    std::vector<std::string> stops_;
    const tokenizer::Tokenizer* tokenizer_;
    size_t longest_ = 0;  // bytes of the longest stop string
};

}  // namespace r1::generation
