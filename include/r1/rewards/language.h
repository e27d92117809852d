// language_consistency (grpo-spec §6.4, the R1 paper's language reward): the share of the chain of
// thought's words written in the target language. The script rule decides between scripts (an
// English target counts no Han word); within the target's script, Chrome's language identifier
// CLD2 judges each sentence's words of that script, and a sentence it reliably finds in another
// language (French for an English target) counts none of them. Where CLD2 is unsure (a short or
// formulaic sentence) the script rule stands.
//
// Words: the CoT is decoded as UTF-8 after removing $..$, $$..$$, \[..\], \(..\), fenced and inline
// code and LaTeX commands. Each maximal run of letters of one script counts as one word (Latin,
// Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari, Thai, Hangul); each Han ideograph and each
// kana counts as one word on its own (those scripts do not separate words). Digits, punctuation,
// symbols and spaces end a word and count for nothing; a script switch inside a run ends a word.
#pragma once

#include "r1/config/visitor.h"
#include "r1/rewards/reward.h"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace r1::rewards {

enum class Script {
    latin,
    greek,
    cyrillic,
    armenian,
    hebrew,
    arabic,
    devanagari,
    thai,
    hangul,
    han,
    kana
};

struct LanguageOptions {
    // ISO 639-1 target for every row; empty: the row's, else the prompt's (identified by CLD2, else
    // its majority script)
    std::string language;
    bool identify = true;  // false: scripts only (English, French and German all count as one)
};

void visit(config::Visitor& v, LanguageOptions& o);

/// Word counts per script of `text` (after the clean-up described above).
std::map<Script, int64_t> count_words(std::string_view text);

/// The scripts of an ISO 639-1 language (en -> latin, ja -> han + kana); nullopt when unknown.
std::optional<std::set<Script>> language_scripts(std::string_view language);

/// The chain of thought: inside the first <think>...</think>, else before </think>, else all.
std::string chain_of_thought(std::string_view completion);

RewardResult language_consistency(const RewardInput& in, const LanguageOptions& o);

}  // namespace r1::rewards
