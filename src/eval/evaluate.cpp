#include "r1/eval/evaluate.h"

#include "r1/eval/pass_at_k.h"
#include "r1/eval/sample_and_score.h"
#include "r1/rewards/math_answer.h"
#include "r1/util/str.h"

#include <map>

namespace r1::eval {
namespace {

struct Tally {
    int64_t problems = 0;
    double correct_share = 0;  // sum over problems of c/k
    int64_t majority = 0;
    int64_t samples = 0;
    int64_t tokens = 0;
    int64_t truncated = 0;

    TaskScore score(std::string task) const {
        const double p = static_cast<double>(std::max<int64_t>(problems, 1));
        const double s = static_cast<double>(std::max<int64_t>(samples, 1));
        return {.task = std::move(task),
                .problems = problems,
                .pass_at_1 = correct_share / p,
                .maj_at_k = static_cast<double>(majority) / p,
                .mean_length = static_cast<double>(tokens) / s,
                .truncated_frac = static_cast<double>(truncated) / s};
    }
};

bool same_answer(const std::string& a, const std::string& b) {
    return a == b || rewards::answers_equivalent(a, b);
}

nlohmann::json to_json(const TaskScore& s) {
    return {{"problems", s.problems},
            {"pass@1", s.pass_at_1},
            {"maj@k", s.maj_at_k},
            {"mean_length", s.mean_length},
            {"truncated_frac", s.truncated_frac}};
}

}  // namespace

Evaluator::Evaluator(generation::Engine& engine,
                     tokenizer::Tokenizer tokenizer,
                     tokenizer::ChatTemplate chat_template,
                     const std::vector<rewards::RewardSpec>& verifier)
    : engine_(engine),
      tokenizer_(std::move(tokenizer)),
      template_(std::move(chat_template)),
      verifier_(verifier) {}

EvalResult Evaluator::run(const std::vector<data::Sample>& problems, const EvalConfig& config) {
    const auto scored = sample_and_score(
        {engine_, tokenizer_, template_, verifier_, config.eos_token_ids}, problems,
        {.num_samples = config.num_samples, .sampling = config.sampling, .seed = config.seed});
    const auto& judged = scored.rewards;
    const auto total = judged.total.contiguous();
    const double* values = total.data_ptr<double>();

    EvalResult result{.k = config.num_samples};
    std::map<std::string, Tally> by_task;
    Tally all;
    const size_t k = static_cast<size_t>(config.num_samples);
    for (size_t p = 0; p < problems.size(); ++p) {
        std::vector<std::string> answers;
        std::vector<bool> correct;
        int64_t c = 0;
        Tally& task = by_task[problems[p].kind.value_or("unknown")];
        for (size_t j = p * k; j < (p + 1) * k; ++j) {
            const bool ok = values[j] >= 1.0 - 1e-9;  // NaN (unscorable) is wrong
            correct.push_back(ok);
            answers.push_back(judged.results.empty() ? std::string()
                                                     : judged.results[0][j].extracted);
            c += ok ? 1 : 0;
            const auto length = static_cast<int64_t>(scored.completions[j].tokens.size());
            const bool truncated = scored.truncated[j];
            for (Tally* t : {&task, &all}) {
                ++t->samples;
                t->tokens += length;
                t->truncated += truncated ? 1 : 0;
            }
            result.samples.push_back({.problem = static_cast<int64_t>(p),
                                      .completion = scored.texts[j],
                                      .extracted = answers.back(),
                                      .correct = ok,
                                      .length = length});
        }
        const bool majority = majority_correct(answers, correct, same_answer);
        for (Tally* t : {&task, &all}) {
            ++t->problems;
            t->correct_share += pass_at_k(config.num_samples, c, 1);
            t->majority += majority ? 1 : 0;
        }
    }
    result.overall = all.score("all");
    for (const auto& [name, tally] : by_task) {
        result.tasks.push_back(tally.score(name));
    }
    return result;
}

nlohmann::json to_json(const EvalResult& result) {
    nlohmann::json out = to_json(result.overall);
    out["k"] = result.k;
    out["tasks"] = nlohmann::json::object();
    for (const auto& t : result.tasks) {
        out["tasks"][t.task] = to_json(t);
    }
    return out;
}

std::string format_table(const EvalResult& result) {
    std::string out = util::str("task            problems   pass@1   maj@", result.k,
                                "   mean_len   truncated\n");
    auto row = [&out](const TaskScore& s) {
        std::string name = s.task;
        name.resize(std::max<size_t>(name.size(), 14), ' ');
        out += util::str(name, "  ", s.problems, "\t   ", util::fixed(s.pass_at_1, 3), "   ",
                         util::fixed(s.maj_at_k, 3), "    ", util::fixed(s.mean_length, 1),
                         "      ", util::fixed(s.truncated_frac, 3), "\n");
    };
    for (const auto& t : result.tasks) {
        row(t);
    }
    row(result.overall);
    return out;
}

}  // namespace r1::eval
