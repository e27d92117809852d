#include "r1/rewards/offline.h"

#include "r1/data/sample.h"
#include "r1/io/jsonl.h"
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

}  // namespace

RewardInput reward_input_from_json(const json& row, const util::Location& where) {
    if (!row.is_object()) {
        throw util::FormatError("expected a JSON object per line", where);
    }
    if (!row.contains("completion")) {
        throw util::FormatError("missing key 'completion'", where);
    }
    const io::JsonFields fields(row, where);
    const json& completion = row["completion"];
    if (!completion.is_string() && !completion.is_number()) {
        bad(where, "completion", "a string");
    }
    if (row.contains("truncated") && !row["truncated"].is_boolean()) {
        bad(where, "truncated", "true or false");
    }
    RewardInput in =
        reward_input(data::sample_from_json(fields, data::RowRules::scoring),
                     completion.is_string() ? completion.get<std::string>() : completion.dump(),
                     row.value("truncated", false));
    if (row.contains("completion_ids")) {
        in.completion_ids = fields.integers("completion_ids");
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
            r = {.value = std::nullopt,
                 .reason = std::string("failed: ") + e.what(),
                 .failed = true};
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
