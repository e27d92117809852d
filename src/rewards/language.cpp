#include "r1/rewards/language.h"

#include "r1/util/str.h"
#include "r1/util/utf8.h"

#include <cctype>
#include <cstdint>
#include <vector>

#include "rewards/language_id.h"

namespace r1::rewards {

void visit(config::Visitor& v, LanguageOptions& o) {
    v.field("language", o.language,
            "ISO 639-1 target language; empty: the row's, else the prompt's");
    v.field("identify", o.identify,
            "tell apart the languages of one script (en, fr, de...) sentence by sentence with "
            "CLD2; false: scripts only");
}

namespace {

std::optional<Script> script_of(char32_t c) {
    struct Range {
        char32_t lo, hi;
        Script script;
    };

    static constexpr Range kRanges[] = {
        {'A', 'Z', Script::latin},          {'a', 'z', Script::latin},
        {0xC0, 0x24F, Script::latin},       {0x1E00, 0x1EFF, Script::latin},
        {0x370, 0x3FF, Script::greek},      {0x400, 0x52F, Script::cyrillic},
        {0x530, 0x58F, Script::armenian},   {0x590, 0x5FF, Script::hebrew},
        {0x600, 0x6FF, Script::arabic},     {0x750, 0x77F, Script::arabic},
        {0x900, 0x97F, Script::devanagari}, {0xE00, 0xE7F, Script::thai},
        {0x1100, 0x11FF, Script::hangul},   {0x3130, 0x318F, Script::hangul},
        {0xAC00, 0xD7AF, Script::hangul},   {0x3040, 0x30FF, Script::kana},
        {0x31F0, 0x31FF, Script::kana},     {0x3400, 0x4DBF, Script::han},
        {0x4E00, 0x9FFF, Script::han},      {0xF900, 0xFAFF, Script::han},
        {0x20000, 0x2FA1F, Script::han},
    };
    if (c == 0xD7 || c == 0xF7) {
        return std::nullopt;  // × and ÷ sit inside Latin-1's letters
    }
    for (const Range& r : kRanges) {
        if (c >= r.lo && c <= r.hi) {
            return r.script;
        }
    }
    return std::nullopt;
}

// Cuts out [open, close) spans (math, code) and LaTeX commands.
std::string strip_markup(std::string_view text) {
    std::string s(text);
    const std::pair<std::string_view, std::string_view> spans[] = {
        {"```", "```"}, {"$$", "$$"}, {"\\[", "\\]"}, {"\\(", "\\)"}, {"$", "$"}, {"`", "`"}};
    for (const auto& [open, close] : spans) {
        for (size_t p = s.find(open); p != std::string::npos; p = s.find(open, p)) {
            const size_t end = s.find(close, p + open.size());
            if (end == std::string::npos) {
                break;
            }
            s.replace(p, end + close.size() - p, " ");
        }
    }
    for (size_t p = s.find('\\'); p != std::string::npos; p = s.find('\\', p)) {
        size_t end = p + 1;
        while (end < s.size() && std::isalpha(static_cast<unsigned char>(s[end])) != 0) {
            ++end;
        }
        s.replace(p, end - p, " ");
    }
    return s;
}

// Words per script of text already stripped of markup.
std::map<Script, int64_t> count_plain_words(std::string_view s) {
    std::map<Script, int64_t> counts;
    std::optional<Script> current;  // the script of the word being read
    for (size_t i = 0; i < s.size();) {
        const auto script = script_of(util::next_code_point(s, i).value_or(0xFFFD));
        const bool single = script == Script::han || script == Script::kana;
        if (script && (single || script != current)) {
            ++counts[*script];
        }
        current = single ? std::nullopt : script;
    }
    return counts;
}

// The sentences of stripped text: cut after . ! ? ; followed by a space or the end, after a
// newline, and after the CJK full stop, exclamation and question marks.
std::vector<std::string_view> sentences(std::string_view s) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i < s.size();) {
        const char32_t c = util::next_code_point(s, i).value_or(0xFFFD);
        const bool stop = c == '\n' || c == 0x3002 || c == 0xFF01 || c == 0xFF1F ||
                          ((c == '.' || c == '!' || c == '?' || c == ';') &&
                           (i == s.size() || s[i] == ' ' || s[i] == '\n'));
        if (stop) {
            out.push_back(s.substr(start, i - start));
            start = i;
        }
    }
    out.push_back(s.substr(start));
    return out;
}

// `s` with the letters of scripts outside `keep` turned into spaces: what the identifier judges of
// a sentence that mixes scripts is its words in the target's script.
std::string only_scripts(std::string_view s, const std::set<Script>& keep) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const size_t at = i;
        const auto script = script_of(util::next_code_point(s, i).value_or(0xFFFD));
        if (script && !keep.contains(*script)) {
            out += ' ';
        } else {
            out.append(s.substr(at, i - at));
        }
    }
    return out;
}

}  // namespace

std::map<Script, int64_t> count_words(std::string_view text) {
    return count_plain_words(strip_markup(text));
}

std::optional<std::set<Script>> language_scripts(std::string_view language) {
    static const std::map<std::string_view, std::set<Script>> kScripts = {
        {"zh", {Script::han}},        {"ja", {Script::han, Script::kana}},
        {"ko", {Script::hangul}},     {"ru", {Script::cyrillic}},
        {"uk", {Script::cyrillic}},   {"bg", {Script::cyrillic}},
        {"sr", {Script::cyrillic}},   {"el", {Script::greek}},
        {"hy", {Script::armenian}},   {"he", {Script::hebrew}},
        {"ar", {Script::arabic}},     {"fa", {Script::arabic}},
        {"ur", {Script::arabic}},     {"hi", {Script::devanagari}},
        {"mr", {Script::devanagari}}, {"ne", {Script::devanagari}},
        {"th", {Script::thai}},
    };
    static const std::set<std::string_view> kLatin = {
        "en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "sk",
        "ro", "hu", "tr", "vi", "id", "ms", "ca", "hr", "sl", "et", "lv", "lt", "sw", "tl"};
    if (kLatin.contains(language)) {
        return std::set<Script>{Script::latin};
    }
    if (const auto it = kScripts.find(language); it != kScripts.end()) {
        return it->second;
    }
    return std::nullopt;
}

std::string chain_of_thought(std::string_view completion) {
    const size_t open = completion.find("<think>");
    if (open != std::string_view::npos) {
        const size_t start = open + 7, close = completion.find("</think>", start);
        return std::string(
            completion.substr(start, close == std::string_view::npos ? close : close - start));
    }
    return std::string(completion.substr(0, completion.find("</think>")));  // prefilled <think>
}

namespace {

struct Target {
    std::string language;  // ISO 639-1; empty when only a script is known
    std::set<Script> scripts;
};

// The options' language, else the row's, else the prompt's (identified, else its majority script).
std::optional<Target> target_of(const RewardInput& in, const LanguageOptions& o, std::string& why) {
    const std::string language =
        normalize_language_code(!o.language.empty() ? o.language : in.language);
    if (!language.empty()) {
        const auto scripts = language_scripts(language);
        if (!scripts) {
            why = "unknown language '" + language + "'";
            return std::nullopt;
        }
        return Target{language, *scripts};
    }
    if (o.identify) {  // an identified language outside the script table falls to the script rule
        const auto found = identify_language(strip_markup(in.prompt));
        if (const auto scripts = found ? language_scripts(*found) : std::nullopt) {
            return Target{*found, *scripts};
        }
    }
    const auto prompt = count_words(in.prompt);  // the prompt's majority script
    if (prompt.empty()) {
        why = "no language given and the prompt has no words";
        return std::nullopt;
    }
    auto best = prompt.begin();
    for (auto it = prompt.begin(); it != prompt.end(); ++it) {
        best = it->second > best->second ? it : best;
    }
    return Target{"", best->first == Script::kana ? std::set<Script>{Script::han, Script::kana}
                                                  : std::set<Script>{best->first}};
}

}  // namespace

RewardResult language_consistency(const RewardInput& in, const LanguageOptions& o) {
    std::string why;
    const auto target = target_of(in, o, why);
    if (!target) {
        return {std::nullopt, "", why};
    }
    const bool identify = o.identify && !target->language.empty();
    int64_t total = 0, in_target = 0;
    const std::string cot = strip_markup(chain_of_thought(in.completion));
    for (const std::string_view sentence : sentences(cot)) {
        int64_t words = 0, in_script = 0;
        for (const auto& [script, n] : count_plain_words(sentence)) {
            words += n;
            in_script += target->scripts.contains(script) ? n : 0;
        }
        if (identify && in_script > 0) {  // another language of the same script is not the target
            const auto language = identify_language(only_scripts(sentence, target->scripts));
            in_script = language && *language != target->language ? 0 : in_script;
        }
        total += words;
        in_target += in_script;
    }
    if (total == 0) {
        return {0.0, "", "no words in the chain of thought"};
    }
    return {static_cast<double>(in_target) / static_cast<double>(total), "",
            util::str(in_target, "/", total, " words in the target language")};
}

}  // namespace r1::rewards
