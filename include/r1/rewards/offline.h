// Offline scoring, what `r1 reward` runs: a JSONL file of completions with their task fields in,
// one
// {"reward", "extracted", "reason"} line per completion out, so a reward can be debugged before
// any compute is spent on training.
//   input line: {"completion": "...", "answer": "42", "tests": [...], "numbers": [3, 5], "target":
//   8,
//                "language": "en", "kind": "math", "prompt": "...", "completion_ids": [1, 2]}
#pragma once

#include "r1/rewards/options.h"
#include "r1/rewards/reward.h"
#include "r1/util/error.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <ostream>

namespace r1::rewards {

/// One input row; FormatError at `where` naming the key when a field has the wrong type. Keys it
/// does not know are left alone (rows carry the rest of their dataset). `tests` items are
/// {"input", "output"} (stdin/stdout), {"assert": code} or a string of assert code.
RewardInput reward_input_from_json(const nlohmann::json& row, const util::Location& where);

struct OfflineSummary {
    int64_t count = 0;     // lines scored
    int64_t none = 0;      // value None (failures included)
    int64_t failures = 0;  // the function threw
    double mean = 0.0;     // over lines with a value (NaN if none)

    std::string str() const;  // "10 completions: mean 0.6000 over 8 scored, 2 none (0 failed)"
};

/// Scores every line of `input` with the reward `spec` names, writing one JSON line each to `out`.
/// A malformed line stops with FormatError "file:line: ..."; blank lines are skipped.
OfflineSummary score_jsonl(const RewardSpec& spec,
                           const std::filesystem::path& input,
                           std::ostream& out);

}  // namespace r1::rewards
