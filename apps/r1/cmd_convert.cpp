// r1 convert --input A --output B --to hf|r1 [--dtype auto|float32|bfloat16|float16]
// [--max-shard-size 5GB]: re-saves a model directory in a layout (model/hf.h's Layout): hf =
// transformers 5.24's save_pretrained layout plus DeepSeek's MTP copies; r1 = the same names
// without the copies. Either input layout loads, FP8 included (dequantised: --dtype picks the
// stored precision; auto = the source config's dtype, else float32). Tokenizer files come along.
#include "r1/model/hf.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/str.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "commands.h"

namespace r1::cli {
namespace {

namespace fs = std::filesystem;

struct ConvertArgs {
    std::string input, output, to = "hf", dtype = "auto", max_shard_size = "50GB";
};

const std::map<std::string, c10::ScalarType> kDtypes = {
    {"float32", c10::kFloat}, {"bfloat16", c10::kBFloat16}, {"float16", c10::kHalf}};

// "5GB", "500MB", "60KB", "1GiB" or bytes, as huggingface_hub's parse_size_to_int (KB = 10^3).
uint64_t parse_size(const std::string& text) {
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
        ++digits;
    }
    static const std::map<std::string, uint64_t> units = {{"", 1},
                                                          {"B", 1},
                                                          {"KB", 1'000},
                                                          {"MB", 1'000'000},
                                                          {"GB", 1'000'000'000},
                                                          {"TB", 1'000'000'000'000},
                                                          {"KIB", uint64_t{1} << 10},
                                                          {"MIB", uint64_t{1} << 20},
                                                          {"GIB", uint64_t{1} << 30}};
    std::string unit = text.substr(digits);
    for (char& c : unit) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (digits == 0 || !units.contains(unit)) {
        throw util::UsageError("--max-shard-size: '" + text +
                               "' is not a size; expected e.g. 5GB, 500MB, 1GiB or a byte count");
    }
    return std::stoull(text.substr(0, digits)) * units.at(unit);
}

// auto: the source's dtype (torch_dtype in transformers 4 files) when r1 can store it.
c10::ScalarType storage_dtype(const std::string& flag, const fs::path& input) {
    if (flag != "auto") {
        return kDtypes.at(flag);
    }
    const auto config =
        nlohmann::json::parse(util::read_file(input / "config.json"), nullptr, false);
    for (const char* key : {"dtype", "torch_dtype"}) {
        if (config.is_object() && config.contains(key) && config[key].is_string() &&
            kDtypes.contains(config[key].get<std::string>())) {
            return kDtypes.at(config[key].get<std::string>());
        }
    }
    return c10::kFloat;
}

int run_convert(const ConvertArgs& a) {
    const uint64_t max_shard_size = parse_size(a.max_shard_size);  // flags first, then files
    const model::SaveOptions options{.layout = a.to == "r1" ? model::Layout::r1 : model::Layout::hf,
                                     .dtype = storage_dtype(a.dtype, a.input),
                                     .max_shard_size = max_shard_size,
                                     .source = fs::path(a.input)};
    auto lm = model::load_pretrained(a.input);
    model::save_pretrained(*lm, a.output, options);
    std::string dtype;
    for (const auto& [name, type] : kDtypes) {
        dtype = type == *options.dtype ? name : dtype;
    }
    std::cerr << "r1 convert: " << a.input << " -> " << a.output << " (" << a.to << " layout, "
              << dtype << ")\n";
    return 0;
}

}  // namespace

void add_convert(CLI::App& root, Action& action) {
    auto a = std::make_shared<ConvertArgs>();
    CLI::App* cmd = root.add_subcommand("convert", "Convert checkpoints between r1 and HF layouts");
    cmd->add_option("--input", a->input, "Model directory (config.json + safetensors)")->required();
    cmd->add_option("--output", a->output, "Output directory (replaced atomically)")->required();
    cmd->add_option("--to", a->to,
                    "Target layout: hf (transformers 5.24 + DeepSeek's MTP copies) "
                    "or r1 (no duplicated tensors)")
        ->check(CLI::IsMember({"hf", "r1"}));
    cmd->add_option("--dtype", a->dtype,
                    "Stored precision: auto (the source's), float32, "
                    "bfloat16 or float16 (FP8 is always dequantised)")
        ->check(CLI::IsMember({"auto", "float32", "bfloat16", "float16"}));
    cmd->add_option("--max-shard-size", a->max_shard_size,
                    "Shard above this size (5GB, 500MB, 1GiB; transformers' default 50GB)");
    cmd->callback([a, &action] { action = [a] { return run_convert(*a); }; });
}

}  // namespace r1::cli
