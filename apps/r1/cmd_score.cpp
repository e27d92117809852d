// r1 score --model DIR --input F.jsonl [--output O.jsonl] [--batch-size N]: log-probabilities of
// given tokens under a model. With --reward-model DIR instead: one reward per {prompt, completion}
// (or {messages}, {text}) row, as JSONL {"reward": r} (train/reward_model_dir.h: score_file). Input
// lines: {"tokens": [ids]} or {"text"} (every token but the first is scored) or {"prompt",
// "completion"} (the two encoded separately and concatenated; only the completion's tokens are
// scored). Text goes through DIR/tokenizer.json. Output, one line per input line: {"tokens":
// [scored ids], "logprobs": [...], "sum": Σ}; a summary on stderr.
#include "r1/io/jsonl.h"
#include "r1/model/hf.h"
#include "r1/model/score.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/train/reward_model_dir.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

namespace fs = std::filesystem;

struct ScoreArgs {
    std::string model, reward_model, input, output;
    int64_t batch_size = 8;
};

// Turns input lines into score requests; loads the tokenizer on the first line with text.
class RequestReader {
  public:
    RequestReader(fs::path model_dir, int64_t vocab_size)
        : model_dir_(std::move(model_dir)), vocab_size_(vocab_size) {}

    model::ScoreRequest read(const nlohmann::json& line, const util::Location& where) {
        const io::JsonFields fields(line, where);
        model::ScoreRequest r;
        if (fields.has("tokens")) {
            r.tokens = fields.integers("tokens");
        } else if (fields.has("text")) {
            r.tokens = encode(fields.string("text"), where);
        } else if (fields.has("prompt") && fields.has("completion")) {
            r.tokens = encode(fields.string("prompt"), where);
            r.first = static_cast<int64_t>(r.tokens.size());
            const auto completion = encode(fields.string("completion"), where);
            r.tokens.insert(r.tokens.end(), completion.begin(), completion.end());
        } else {
            throw util::FormatError(
                "expected {\"tokens\": [ids]}, {\"text\"} or {\"prompt\", \"completion\"}", where);
        }
        check(r, where);
        return r;
    }

  private:
    std::vector<int64_t> encode(const std::string& text, const util::Location& where) {
        if (!tokenizer_) {
            const fs::path path = model_dir_ / "tokenizer.json";
            if (!fs::exists(path)) {
                throw util::FormatError(util::str("text needs a tokenizer, but ", path.string(),
                                                  " does not exist; give {\"tokens\"} instead"),
                                        where);
            }
            tokenizer_ = tokenizer::Tokenizer::from_file(path);
        }
        const auto ids = tokenizer_->encode(text);
        return {ids.begin(), ids.end()};
    }

    void check(const model::ScoreRequest& r, const util::Location& where) const {
        if (r.first < 1 || static_cast<int64_t>(r.tokens.size()) < 2) {
            throw util::FormatError(r.first < 1 ? "the prompt encodes to no tokens: the first "
                                                  "completion token has no context"
                                                : "fewer than 2 tokens: nothing to score",
                                    where);
        }
        for (const int64_t t : r.tokens) {
            if (t < 0 || t >= vocab_size_) {
                throw util::FormatError(util::str("token id ", t, " is outside the model's ",
                                                  "vocabulary [0, ", vocab_size_, ")"),
                                        where);
            }
        }
    }

    fs::path model_dir_;
    int64_t vocab_size_;
    std::optional<tokenizer::Tokenizer> tokenizer_;
};

struct Totals {
    int64_t sequences = 0;
    int64_t tokens = 0;
    double sum = 0.0;
};

void write_scores(model::CausalLmImpl& lm,
                  const std::vector<model::ScoreRequest>& batch,
                  std::ostream& out,
                  Totals& totals) {
    const auto logprobs =
        model::score(lm, batch, {.batch_size = static_cast<int64_t>(batch.size())});
    for (size_t i = 0; i < batch.size(); ++i) {
        double sum = 0.0;
        for (const float lp : logprobs[i]) {
            sum += lp;
        }
        const auto& tokens = batch[i].tokens;
        const nlohmann::json row = {
            {"tokens", std::vector<int64_t>(tokens.begin() + batch[i].first, tokens.end())},
            {"logprobs", logprobs[i]},
            {"sum", sum}};
        out << io::to_jsonl_line(row) << "\n";
        totals.sequences += 1;
        totals.tokens += static_cast<int64_t>(logprobs[i].size());
        totals.sum += sum;
    }
}

int run_reward_score(const ScoreArgs& a) {
    const auto s = train::score_file(
        {.model = a.reward_model, .input = a.input, .output = a.output, .batch_size = a.batch_size},
        std::cout);
    std::cerr << "r1 score: " << s.rows << " rows, mean reward " << util::fixed(s.mean, 4) << "\n";
    return 0;
}

int run_score(const ScoreArgs& a) {
    if (a.model.empty() == a.reward_model.empty()) {
        throw util::UsageError("r1 score: give exactly one of --model and --reward-model");
    }
    if (!a.reward_model.empty()) {
        return run_reward_score(a);
    }
    auto lm = model::load_pretrained(a.model);
    RequestReader requests(a.model, lm->options.vocab_size);
    io::JsonlReader reader(a.input);
    std::ostringstream lines;
    std::ostream& out = a.output.empty() ? std::cout : lines;
    Totals totals;
    std::vector<model::ScoreRequest> batch;
    nlohmann::json line;
    while (reader.next(line)) {
        batch.push_back(requests.read(line, reader.where()));
        if (static_cast<int64_t>(batch.size()) == a.batch_size) {
            write_scores(*lm, batch, out, totals);
            batch.clear();
        }
    }
    if (!batch.empty()) {
        write_scores(*lm, batch, out, totals);
    }
    if (!a.output.empty()) {
        util::atomic_write_file(a.output, lines.str());
    }
    const double mean = totals.tokens ? totals.sum / static_cast<double>(totals.tokens) : 0.0;
    std::cerr << "r1 score: " << totals.sequences << " sequences, " << totals.tokens
              << " tokens, mean log-prob " << util::fixed(mean, 4) << ", perplexity "
              << util::fixed(model::perplexity(totals.sum, totals.tokens), 4) << "\n";
    return 0;
}

}  // namespace

void add_score(CLI::App& root, Action& action) {
    auto a = std::make_shared<ScoreArgs>();
    CLI::App* cmd = root.add_subcommand(
        "score", "Log-probability of every token of given texts, or a reward model's rewards");
    cmd->add_option("--model", a->model,
                    "Model directory (Hugging Face layout): log-probabilities");
    cmd->add_option("--reward-model", a->reward_model,
                    "Reward-model directory (r1 train --stage rm): one reward per row");
    cmd->add_option("--input", a->input,
                    "JSONL of {\"text\"}, {\"tokens\"} or {\"prompt\", \"completion\"} "
                    "({\"messages\"} too with --reward-model)")
        ->required();
    cmd->add_option("--output", a->output, "Write the scores here (JSONL) instead of stdout");
    cmd->add_option("--batch-size", a->batch_size, "Sequences per forward pass")
        ->check(CLI::PositiveNumber);
    cmd->callback([a, &action] { action = [a] { return run_score(*a); }; });
}

}  // namespace r1::cli
