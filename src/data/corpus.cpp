#include "r1/data/corpus.h"

#include "r1/data/prompt_set.h"
#include "r1/util/rng.h"

#include <cctype>

namespace r1::data {
namespace {

constexpr uint64_t kCorpusStream = 0x636f72707573ULL;  // "corpus"

/// A uniform double in [0, 1) from a 64-bit draw.
double unit(uint64_t draw) {
    return static_cast<double>(draw >> 11) * 0x1.0p-53;
}

}  // namespace

void visit(config::Visitor& v, CorpusOptions& o) {
    v.field("task", o.task, "built-in task the documents come from (r1 data tasks)");
    v.field("task_options", o.task_options, "the task's options as key=value strings");
    v.field("steps_fraction", o.steps_fraction, "share of documents solved step by step")
        .range(0.0, 1.0);
    v.field("direct_accuracy", o.direct_accuracy,
            "share of direct answers that are right (the others are near misses)")
        .range(0.0, 1.0);
    v.field("held_out_seed", o.held_out_seed,
            "task stream of the held-out prompts documents never show (eval's data.task_seed + 1); "
            "-1: none");
    v.field("held_out_size", o.held_out_size, "how many prompts of that stream are held out")
        .min(0);
}

std::string near_miss(const std::string& answer, uint64_t draw) {
    std::vector<size_t> digits;
    for (size_t i = 0; i < answer.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(answer[i]))) {
            digits.push_back(i);
        }
    }
    if (digits.empty()) {
        return answer;
    }
    const size_t at = digits[draw % digits.size()];
    const bool leading = at == digits.front() && digits.size() > 1 &&
                         (at == 0 || !std::isdigit(static_cast<unsigned char>(answer[at - 1])));
    // 1..9 steps around the ten digits never lands on the same digit; a leading digit skips 0
    const int old_digit = answer[at] - '0';
    int new_digit = (old_digit + 1 + static_cast<int>((draw >> 8) % 9)) % 10;
    if (leading && new_digit == 0) {
        new_digit = old_digit == 1 ? 2 : 1;
    }
    std::string out = answer;
    out[at] = static_cast<char>('0' + new_digit);
    return out;
}

Corpus::Corpus(const CorpusOptions& options, tokenizer::ChatTemplate chat_template, uint64_t seed)
    : options_(options),
      task_(data::tasks::find_task(options.task).make(options.task_options)),
      template_(std::move(chat_template)),
      seed_(seed) {
    if (options.held_out_seed >= 0) {
        held_out_ = data::task_prompts(*task_, static_cast<uint64_t>(options.held_out_seed),
                                       options.held_out_size);
    }
}

std::string Corpus::document(uint64_t index) const {
    auto s = task_->generate(seed_, index);
    for (uint64_t k = 1; held_out_.count(s.sample.prompt) > 0; ++k) {  // a side stream instead
        s = task_->generate(seed_, (k << 40) + index);
    }
    const uint64_t style_draw = util::derive_seed(seed_, {kCorpusStream, index, 0});
    const uint64_t answer_draw = util::derive_seed(seed_, {kCorpusStream, index, 1});
    const std::string prompt = template_.render(s.sample.prompt);
    if (unit(style_draw) < options_.steps_fraction) {
        return prompt + s.solutions.steps;
    }
    // an answer at a glance: no thinking, and often a near miss
    const std::string& right = s.sample.answer;
    const bool correct = unit(answer_draw) < options_.direct_accuracy;
    return prompt +
           data::tasks::r1_format(
               "", correct ? right : near_miss(right, util::derive_seed(answer_draw, {2})));
}

}  // namespace r1::data
