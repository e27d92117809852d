// code (grpo-spec §6.5): run the completion's last fenced code block against the row's tests in the
// sandbox; reward = fraction of tests passed (partial) or 1 iff all pass (pass_fail).
#pragma once

#include "r1/config/visitor.h"
#include "r1/rewards/reward.h"
#include "r1/rewards/sandbox.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace r1::rewards {

enum class CodeScore { partial, pass_fail };

constexpr auto enum_names(CodeScore) {
    return std::array{std::pair{CodeScore::partial, "partial"},
                      std::pair{CodeScore::pass_fail, "pass_fail"}};
}

struct CodeOptions {
    std::string language =
        "python";  // the fence tag searched for (```python); the sandbox runs Python
    CodeScore score = CodeScore::partial;  // pass_fail stops at the first failing test
    int64_t max_tests = 0;                 // run at most this many tests per row; 0: all
    SandboxOptions sandbox;
};

void visit(config::Visitor& v, CodeOptions& o);

/// The last ```<language> fenced block, searched after </think> when there is one.
std::optional<std::string> extract_code(std::string_view completion, std::string_view language);

/// stdout equals the expected output line by line, trailing whitespace and empty lines ignored.
bool outputs_match(std::string_view actual, std::string_view expected);

/// Runs the tests; SandboxError (not a score) when the sandbox itself fails.
RewardResult code(const RewardInput& in, const CodeOptions& o, const Sandbox& sandbox);

/// The reward function: one Sandbox shared by every call (bounded parallelism).
RewardFn make_code_reward(const CodeOptions& o);

}  // namespace r1::rewards
