#include "r1/rewards/offline.h"

#include "r1/util/str.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>

namespace r1::rewards {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const util::Location& where,
                      const std::string& key,
                      const std::string& expected) {
    throw util::FormatError("key '" + key + "': expected " + expected, where);
}

std::string text_of(const json& v, const util::Location& where, const std::string& key) {
    if (v.is_string()) {
        return v.get<std::string>();
    }
    if (v.is_number()) {
        return v.dump();  // "answer": 42 is common in datasets
    }
    bad(where, key, "a string");
}

std::vector<int64_t> integers_of(const json& v,
                                 const util::Location& where,
                                 const std::string& key) {
    if (!v.is_array()) {
        bad(where, key, "a list of integers");
    }
    std::vector<int64_t> out;
    for (const json& x : v) {
        if (!x.is_number_integer()) {
            bad(where, key, "a list of integers");
        }
        out.push_back(x.get<int64_t>());
    }
    return out;
}

CodeTest test_of(const json& t, const util::Location& where) {
    if (t.is_string()) {
        return {.assertion = t.get<std::string>()};
    }
    if (!t.is_object()) {
        bad(where, "tests", "items {\"input\", \"output\"}, {\"assert\"} or strings");
    }
    CodeTest out;
    if (t.contains("assert")) {
        out.assertion = text_of(t["assert"], where, "tests[].assert");
    } else if (!t.contains("output")) {
        bad(where, "tests", "each test to have \"output\" or \"assert\"");
    } else {
        out.output = text_of(t["output"], where, "tests[].output");
    }
    if (t.contains("input")) {
        out.input = text_of(t["input"], where, "tests[].input");
    }
    if (t.contains("weight")) {
        if (!t["weight"].is_number() || t["weight"].get<double>() < 0) {
            bad(where, "tests[].weight", "a number >= 0");
        }
        out.weight = t["weight"].get<double>();
    }
    return out;
}

}  // namespace

RewardInput reward_input_from_json(const json& row, const util::Location& where) {
    if (!row.is_object()) {
        throw util::FormatError("expected a JSON object per line", where);
    }
    if (!row.contains("completion")) {
        throw util::FormatError("missing key 'completion'", where);
    }
    RewardInput in;
    in.completion = text_of(row["completion"], where, "completion");
    for (const auto& [key, field] :
         {std::pair{"prompt", &in.prompt}, std::pair{"answer", &in.answer},
          std::pair{"language", &in.language}, std::pair{"kind", &in.kind}}) {
        if (row.contains(key) && !row[key].is_null()) {
            *field = text_of(row[key], where, key);
        }
    }
    if (row.contains("completion_ids")) {
        in.completion_ids = integers_of(row["completion_ids"], where, "completion_ids");
    }
    if (row.contains("numbers")) {
        in.numbers = integers_of(row["numbers"], where, "numbers");
    }
    if (row.contains("target")) {
        if (!row["target"].is_number()) {
            bad(where, "target", "a number");
        }
        in.target = row["target"].get<double>();
    }
    if (row.contains("truncated")) {
        if (!row["truncated"].is_boolean()) {
            bad(where, "truncated", "true or false");
        }
        in.truncated = row["truncated"].get<bool>();
    }
    if (row.contains("tests")) {
        if (!row["tests"].is_array()) {
            bad(where, "tests", "a list");
        }
        for (const json& t : row["tests"]) {
            in.tests.push_back(test_of(t, where));
        }
    }
    return in;
}

std::string OfflineSummary::str() const {
    return util::str(count, " completions: mean ", util::fixed(mean, 4), " over ", count - none,
                     " scored, ", none, " none (", failures, " failed)");
}

OfflineSummary score_jsonl(const RewardSpec& spec,
                           const std::filesystem::path& input,
                           std::ostream& out) {
    std::ifstream file(input);
    if (!file) {
        throw util::IoError(input.string() + ": cannot open");
    }
    const RewardFn fn = make_reward(spec);
    OfflineSummary s;
    double sum = 0.0;
    std::string line;
    for (int64_t number = 1; std::getline(file, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            continue;
        }
        const util::Location where{.source = input.string(), .line = number};
        json row;
        try {
            row = json::parse(line);
        } catch (const json::parse_error& e) {
            throw util::FormatError(util::str("invalid JSON: ", e.what()), where);
        }
        const RewardInput in = reward_input_from_json(row, where);
        RewardResult r;
        try {
            r = fn(in);
        } catch (const std::exception& e) {  // counted and reported, never a silent 0
            ++s.failures;
            r = {.value = std::nullopt, .reason = std::string("failed: ") + e.what(), .failed = true};
        }
        ++s.count;
        if (r.value) {
            sum += *r.value;
        } else {
            ++s.none;
        }
        using ordered = nlohmann::ordered_json;  // keys in the documented order
        out << ordered{{"reward", r.value ? ordered(*r.value) : ordered(nullptr)},
                       {"extracted", r.extracted},
                       {"reason", r.reason}}
                   .dump()
            << "\n";
    }
    s.mean = s.count > s.none ? sum / static_cast<double>(s.count - s.none)
                              : std::numeric_limits<double>::quiet_NaN();
    return s;
}

}  // namespace r1::rewards
