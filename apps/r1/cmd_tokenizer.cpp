// r1 tokenizer train|encode|decode: learn a byte-level BPE from a text file; convert JSONL lines
// {"text": ...} <-> {"ids": [...]}. A malformed line is an error naming file:line.
#include "r1/tokenizer/tokenizer.h"
#include "r1/tokenizer/trainer.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/log.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace r1::cli {
namespace {

struct TokenizerArgs {
    std::string input;
    std::string output;
    std::string tokenizer;
    tokenizer::TrainOptions train;
};

struct JsonlValue {
    nlohmann::json value;
    util::Location where;
};

// `key` of the JSON object on each non-empty line, which must have the expected type.
std::vector<JsonlValue> read_jsonl(const std::string& path,
                                   const char* key,
                                   nlohmann::json::value_t type,
                                   const char* expected) {
    const std::string text = util::read_file(path);
    std::vector<JsonlValue> values;
    size_t line_no = 0;
    for (size_t begin = 0; begin < text.size();) {
        size_t end = text.find('\n', begin);
        end = end == std::string::npos ? text.size() : end;
        const std::string_view line(text.data() + begin, end - begin);
        begin = end + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
            continue;
        }
        const util::Location where{.source = path, .line = static_cast<int64_t>(line_no)};
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded()) {
            throw util::FormatError("invalid JSON", where);
        }
        if (!j.is_object() || !j.contains(key) || j[key].type() != type) {
            throw util::FormatError(
                std::string("expected an object with '") + key + "' (" + expected + ")", where);
        }
        values.push_back({std::move(j[key]), where});
    }
    return values;
}

void write_lines(const std::string& output, const std::string& content) {
    if (output.empty()) {
        std::cout << content;
    } else {
        util::atomic_write_file(output, content);
    }
}

int run_train(const TokenizerArgs& args) {
    const std::string corpus = util::read_file(args.input);
    const tokenizer::BpeVocabulary v = tokenizer::train_bpe(corpus, args.train);
    util::atomic_write_file(args.output, tokenizer::to_tokenizer_json(v));
    log::info("wrote ", args.output, ": ", v.tokens.size() + v.specials.size(), " tokens, ",
              v.merges.size(), " merges, ", v.specials.size(), " special tokens");
    return 0;
}

int run_encode(const TokenizerArgs& args) {
    const auto tok = tokenizer::Tokenizer::from_file(args.tokenizer);
    std::vector<std::string> texts;
    for (const auto& t :
         read_jsonl(args.input, "text", nlohmann::json::value_t::string, "a string")) {
        texts.push_back(t.value.get<std::string>());
    }
    std::string out;
    for (const auto& ids : tok.encode_batch(texts)) {
        out += nlohmann::json{{"ids", ids}}.dump() + "\n";
    }
    write_lines(args.output, out);
    return 0;
}

int run_decode(const TokenizerArgs& args) {
    const auto tok = tokenizer::Tokenizer::from_file(args.tokenizer);
    std::string out;
    for (const auto& [ids, where] :
         read_jsonl(args.input, "ids", nlohmann::json::value_t::array, "a list of token ids")) {
        std::vector<tokenizer::TokenId> values;
        for (const auto& id : ids) {
            if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
                throw util::FormatError("'ids' holds " + id.dump() + "; expected token ids", where);
            }
            values.push_back(id.get<tokenizer::TokenId>());
        }
        try {
            out += nlohmann::json{{"text", tok.decode(values)}}.dump(
                       -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                   "\n";
        } catch (const util::FormatError& e) {
            throw util::FormatError(e.what(), where);
        }
    }
    write_lines(args.output, out);
    return 0;
}

}  // namespace

void add_tokenizer(CLI::App& root, Action& action) {
    auto args = std::make_shared<TokenizerArgs>();
    CLI::App* cmd =
        root.add_subcommand("tokenizer", "Train a byte-level BPE; encode or decode JSONL");
    cmd->require_subcommand(1);

    CLI::App* train =
        cmd->add_subcommand("train", "Learn a byte-level BPE and write a tokenizer.json");
    train->add_option("--input", args->input, "Training text (UTF-8 or any bytes)")
        ->required()
        ->check(CLI::ExistingFile);
    train
        ->add_option("--vocab-size", args->train.vocab_size,
                     "Tokens in total: 256 bytes + merges + specials")
        ->required()
        ->check(CLI::PositiveNumber);
    train->add_option("--out", args->output, "tokenizer.json to write")->required();
    train->add_option("--special", args->train.specials, "A special token (repeatable)");
    train
        ->add_option("--min-frequency", args->train.min_frequency,
                     "Never merge a pair seen fewer times")
        ->capture_default_str();
    train->add_option("--pattern", args->train.split_pattern,
                      "Pre-tokenizer split regex (default: Qwen2's)");
    train->callback([args, &action] { action = [args] { return run_train(*args); }; });

    for (const char* name : {"encode", "decode"}) {
        const bool encode = std::string(name) == "encode";
        CLI::App* sub =
            cmd->add_subcommand(name, encode ? "JSONL {\"text\": ...} -> {\"ids\": [...]}"
                                             : "JSONL {\"ids\": [...]} -> {\"text\": ...}");
        sub->add_option("--tokenizer", args->tokenizer, "tokenizer.json")
            ->required()
            ->check(CLI::ExistingFile);
        sub->add_option("--input", args->input, "JSONL input")
            ->required()
            ->check(CLI::ExistingFile);
        sub->add_option("--output", args->output, "JSONL output (default: stdout)");
        sub->callback([args, &action, encode] {
            action = [args, encode] { return encode ? run_encode(*args) : run_decode(*args); };
        });
    }
}

}  // namespace r1::cli
