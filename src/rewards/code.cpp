#include "r1/rewards/code.h"

#include "r1/util/str.h"

#include <memory>
#include <vector>

namespace r1::rewards {

void visit(config::Visitor& v, CodeOptions& o) {
    v.field("language", o.language, "fence tag of the code block (```python)");
    v.field("score", o.score,
            "partial: weighted share of tests passed (tests[].weight); pass_fail: 1 iff all pass");
    v.field("max_tests", o.max_tests, "tests run per row at most; 0 runs all").min(0);
    v.section("sandbox", o.sandbox, "limits of the process that runs the code");
}

std::optional<std::string> extract_code(std::string_view completion, std::string_view language) {
    if (const size_t think = completion.rfind("</think>"); think != std::string_view::npos) {
        completion = completion.substr(think + 8);
    }
    const std::string fence = "```" + std::string(language) + "\n";
    std::optional<std::string> last;
    for (size_t p = completion.find(fence); p != std::string_view::npos;) {
        const size_t body = p + fence.size();
        const size_t end = completion.find("```", body);
        if (end == std::string_view::npos) {
            break;
        }
        last = std::string(completion.substr(body, end - body));
        p = completion.find(fence, end + 3);
    }
    return last;
}

namespace {

std::vector<std::string> content_lines(std::string_view text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string line(text.substr(start, end - start));
        while (!line.empty() &&
               (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
            line.pop_back();
        }
        if (!line.empty()) {
            lines.push_back(std::move(line));
        }
        start = end + 1;
    }
    return lines;
}

}  // namespace

bool outputs_match(std::string_view actual, std::string_view expected) {
    return content_lines(actual) == content_lines(expected);
}

RewardResult code(const RewardInput& in, const CodeOptions& o, const Sandbox& sandbox) {
    if ((!in.kind.empty() && in.kind != "code") || in.tests.empty()) {
        return {std::nullopt, "", "not a code row"};
    }
    const auto program = extract_code(in.completion, o.language);
    if (!program) {
        return {0.0, "", "no ```" + o.language + " block"};
    }
    const size_t n = o.max_tests > 0
                         ? std::min<size_t>(in.tests.size(), static_cast<size_t>(o.max_tests))
                         : in.tests.size();
    RewardResult result{0.0, *program, ""};
    size_t passed = 0, run = 0;
    double passed_weight = 0, total_weight = 0;
    for (size_t i = 0; i < n; ++i) {
        total_weight += in.tests[i].weight;
    }
    std::string first_failure;
    for (; run < n; ++run) {
        const CodeTest& t = in.tests[run];
        const SandboxResult r =
            t.assertion.empty()
                ? sandbox.run_python(*program, t.input)
                : sandbox.run_python(*program + "\n\n" + t.assertion + "\n", t.input);
        result.timeouts += r.status == SandboxStatus::timeout ? 1 : 0;
        const bool ok = r.ok() && (!t.assertion.empty() || outputs_match(r.out, t.output));
        passed += ok ? 1 : 0;
        passed_weight += ok ? t.weight : 0.0;
        if (!ok && first_failure.empty()) {
            first_failure =
                util::str("test ", run + 1, ": ", r.ok() ? "wrong output" : r.describe());
        }
        if (!ok && o.score == CodeScore::pass_fail) {
            ++run;
            break;  // open-r1 stops at the first failure in binary mode
        }
    }
    // each test counts by its weight (the row's "tests[].weight"; 1 when not given)
    const double fraction = total_weight > 0 ? passed_weight / total_weight : 0.0;
    result.value = o.score == CodeScore::partial ? fraction : (passed == n ? 1.0 : 0.0);
    result.reason = util::str(passed, "/", n, " tests passed", first_failure.empty() ? "" : "; ",
                              first_failure);
    return result;
}

RewardFn make_code_reward(const CodeOptions& o) {
    auto sandbox = std::make_shared<const Sandbox>(o.sandbox);
    return [o, sandbox](const RewardInput& in) { return code(in, o, *sandbox); };
}

}  // namespace r1::rewards
