// r1 generate: completions of a model directory for one prompt (streamed to stdout) or a JSONL
// file of {"prompt"} / {"tokens"} lines (JSONL out: completion, tokens, logprobs, finish).
#include "r1/generation/engine.h"
#include "r1/io/jsonl.h"
#include "r1/io/safetensors.h"
#include "r1/model/causal_lm.h"
#include "r1/model/model_dir.h"
#include "r1/model/options.h"
#include "r1/model/precision.h"
#include "r1/model/state.h"
#include "r1/tokenizer/chat_template.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/log.h"
#include "r1/util/str.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

namespace fs = std::filesystem;

struct GenerateArgs {
    std::string model, prompt, input, output, templ = "model";
    generation::SamplingOptions sampling{.max_completion_length = 256};
    std::vector<std::string> stop;
    int64_t num_samples = 1, max_batch_size = 64;
    uint64_t seed = 0;
    bool greedy = false;
    std::string precision = "float32";
};

// The prompts as token ids: --prompt, or each line's "prompt" (rendered) or "tokens" (as is).
// Token ids need no tokenizer: a model directory without tokenizer.json still generates from them.
// "model" is the directory's own template when it has one (the one it was trained with), else
// the text as it is, like "none".
std::vector<std::vector<int64_t>> read_prompts(const GenerateArgs& args,
                                               const model::ModelDir& dir) {
    const tokenizer::Tokenizer* tok = dir.tokenizer ? &*dir.tokenizer : nullptr;
    std::optional<tokenizer::ChatTemplate> templ;
    if (args.templ != "none" && (args.templ != "model" || dir.chat_template)) {
        tokenizer::Template kind{};
        for (const auto& [value, name] : enum_names(tokenizer::Template{})) {
            kind = args.templ == name ? value : kind;
        }
        templ.emplace(model::chat_template_for(dir, kind, {}, false));
    }
    auto encode = [&](const std::string& text) {
        if (tok == nullptr) {
            throw util::IoError(args.model +
                                "/tokenizer.json: missing; text prompts need the "
                                "model's tokenizer (give {\"tokens\": [...]} rows)");
        }
        const auto ids = tok->encode(templ ? templ->render(text) : text);
        return std::vector<int64_t>(ids.begin(), ids.end());
    };
    if (!args.prompt.empty()) {
        return {encode(args.prompt)};
    }
    std::vector<std::vector<int64_t>> prompts;
    io::JsonlReader reader(args.input);
    nlohmann::json line;
    while (reader.next(line)) {
        const io::JsonFields fields(line, reader.where());
        if (fields.has("tokens")) {
            prompts.push_back(fields.integers("tokens"));
        } else if (fields.has("prompt")) {
            prompts.push_back(encode(fields.string("prompt")));
        } else {
            throw util::FormatError("expected a \"prompt\" string or a \"tokens\" list",
                                    reader.where());
        }
    }
    return prompts;
}

std::string completion_json(const generation::Completion& c, const tokenizer::Tokenizer* tok) {
    const std::vector<tokenizer::TokenId> ids(c.tokens.begin(), c.tokens.end());
    std::string finish;
    for (const auto& [value, name] : enum_names(generation::FinishReason{})) {
        finish = value == c.finish ? name : finish;
    }
    nlohmann::json j = {{"prompt_index", c.prompt_index},
                        {"tokens", c.tokens},
                        {"logprobs", c.logp_full},
                        {"finish", finish}};
    if (tok != nullptr) {  // without a tokenizer: tokens only
        j["completion"] = tok->decode(ids);
    }
    // invalid UTF-8 (a completion cut inside a character) is replaced, not an exception
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int run_generate(const GenerateArgs& args) {
    if (args.prompt.empty() == args.input.empty()) {
        throw util::UsageError("r1 generate: give exactly one of --prompt and --input");
    }
    model::Precision precision{};
    for (const auto& [value, name] : enum_names(model::Precision{})) {
        precision = args.precision == name ? value : precision;
    }
    auto loaded = model::load_model_dir(args.model, precision);
    const tokenizer::Tokenizer* tok = loaded.tokenizer ? &*loaded.tokenizer : nullptr;
    if (tok == nullptr && !args.stop.empty()) {
        throw util::IoError(args.model +
                            "/tokenizer.json: missing; --stop strings need the "
                            "model's tokenizer");
    }
    generation::GenerateRequest request{.prompts = read_prompts(args, loaded),
                                        .num_samples = args.num_samples,
                                        .sampling = args.sampling,
                                        .seed = args.seed,
                                        .eos_token_ids = model::eos_token_ids(loaded)};
    request.sampling.stop = args.stop;
    if (args.greedy) {
        request.sampling.temperature = 0.0;
    }
    if (tok != nullptr && (args.templ == "chat" || args.templ == "qwen_math")) {  // ChatML turns
        if (const auto id = tok->token_to_id("<|im_end|>")) {
            request.eos_token_ids.push_back(*id);
        }
    }
    const bool stream = !args.prompt.empty() && args.num_samples == 1 && args.output.empty();
    if (stream) {
        request.on_token = [tok](int64_t, int64_t token) {
            const std::vector<tokenizer::TokenId> id{static_cast<tokenizer::TokenId>(token)};
            std::cout << tok->decode(id) << std::flush;  // token bytes concatenate to the text
        };
    }
    generation::Engine engine(loaded.model, loaded.tokenizer,
                              {.max_batch_size = args.max_batch_size});
    const auto completions = engine.generate(request);
    std::string jsonl;
    for (const auto& c : completions) {
        jsonl += completion_json(c, tok);
    }
    if (stream) {
        std::cout << "\n";
    } else if (args.output.empty()) {
        std::cout << jsonl;
    } else {
        util::atomic_write_file(args.output, jsonl);
    }
    const auto& stats = engine.last_stats();
    log::info("generated ", stats.generated_tokens, " tokens for ", stats.prompt_tokens,
              " prompt tokens: prefill ", util::fixed(stats.prefill_seconds, 2), " s, decode ",
              util::fixed(stats.decode_seconds, 2), " s");
    return 0;
}

}  // namespace

void add_generate(CLI::App& root, Action& action) {
    auto a = std::make_shared<GenerateArgs>();
    CLI::App* cmd = root.add_subcommand("generate", "Generate completions from a model");
    cmd->add_option("--model", a->model,
                    "Model directory (config.json, model.safetensors, "
                    "tokenizer.json)")
        ->required();
    cmd->add_option("--prompt", a->prompt, "One prompt, streamed to the terminal");
    cmd->add_option("--input", a->input, "JSONL of {\"prompt\"} or {\"tokens\"}");
    cmd->add_option("--output", a->output, "JSONL out (default: stdout)");
    cmd->add_option("--template", a->templ,
                    "Prompt template (data.template): model (the directory's own, as trained; the "
                    "text as is when it has none), r1_zero, qwen_math, chat, or none")
        ->check(CLI::IsMember({"model", "r1_zero", "qwen_math", "chat", "none"}));
    cmd->add_option("--precision", a->precision,
                    "Projections in float32, bf16 or fp8 (eval's precision; docs/fp8.md)")
        ->check(CLI::IsMember({"float32", "bf16", "fp8"}));
    cmd->add_flag("--greedy", a->greedy, "Greedy decoding (sampling.temperature = 0)");
    cmd->add_option("--max-new-tokens", a->sampling.max_completion_length,
                    "Tokens generated at most (sampling.max_completion_length)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--temperature", a->sampling.temperature, "sampling.temperature")
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--top-p", a->sampling.top_p, "sampling.top_p")->check(CLI::Range(1e-9, 1.0));
    cmd->add_option("--top-k", a->sampling.top_k, "sampling.top_k (0: off)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--min-p", a->sampling.min_p, "sampling.min_p (0: off)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--stop", a->stop, "Stop string, kept in the completion (sampling.stop)");
    cmd->add_option("--num-samples", a->num_samples, "Samples per prompt")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-batch-size", a->max_batch_size, "Sequences decoded at once")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--seed", a->seed, "Sampling seed");
    cmd->callback([a, &action] { action = [a] { return run_generate(*a); }; });
}

}  // namespace r1::cli
