// Tokenizer encode throughput (MB/s): r1 vs Hugging Face tokenizers (Rust, via Python) on the same
// corpus, tokenizer.json and thread count, in the same run. Both time encode_batch over the corpus
// lines, best of --repeats (the word caches are warm after the first pass on both sides).
//
//   r1_bench_tokenizer [--threads N] [--mb SIZE] [--repeats R] [--dir WORK_DIR]
// The corpus and Qwen2-style tokenizer come from tests/reference/make_tokenizer_fixture.py.
// Last line: {"bench": "tokenizer", "threads": N, "r1_mb_per_s": ..., "hf_mb_per_s": ..., "ratio":
// ...}
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/fs.h"

#include <ATen/Parallel.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Args {
    int threads = 1;
    double mb = 20;
    int repeats = 3;
    fs::path dir = "bench_tokenizer";
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--threads") {
            a.threads = std::atoi(argv[i + 1]);
        } else if (flag == "--mb") {
            a.mb = std::atof(argv[i + 1]);
        } else if (flag == "--repeats") {
            a.repeats = std::atoi(argv[i + 1]);
        } else if (flag == "--dir") {
            a.dir = argv[i + 1];
        }
    }
    return a;
}

std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run: " + command);
    }
    char buffer[4096];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) {
        out += buffer;
    }
    if (pclose(pipe) != 0) {
        throw std::runtime_error("failed: " + command + "\n" + out);
    }
    return out;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t begin = 0;
    for (size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
        lines.push_back(text.substr(begin, end - begin));
    }
    lines.push_back(text.substr(begin));
    return lines;
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    const fs::path corpus = args.dir / "bench.txt";
    const fs::path tokenizer_json = args.dir / "qwen2" / "tokenizer.json";
    if (!fs::exists(corpus) || !fs::exists(tokenizer_json)) {
        std::cerr << "making the corpus and tokenizer in " << args.dir << "\n";
        run(std::string(R1_PYTHON) + " " + R1_SOURCE_DIR +
            "/tests/reference/make_tokenizer_fixture.py " + args.dir.string() +
            " --test-lines 10 --bench-mb " + std::to_string(args.mb));
    }
    const std::string text = r1::util::read_file(corpus);
    const std::vector<std::string> lines = split_lines(text);
    const auto tok = r1::tokenizer::Tokenizer::from_file(tokenizer_json);
    at::set_num_threads(args.threads);

    double best = 1e30;
    size_t tokens = 0;
    for (int r = 0; r < args.repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const auto ids = tok.encode_batch(lines);
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        tokens = 0;
        for (const auto& v : ids) {
            tokens += v.size();
        }
    }
    const double bytes =
        static_cast<double>(text.size() - (lines.size() - 1));  // newlines are not encoded
    const double r1_mb_s = bytes / best / 1e6;
    std::cerr << "r1: " << r1_mb_s << " MB/s, " << tokens << " tokens\n";

    const std::string env =
        "RAYON_NUM_THREADS=" + std::to_string(args.threads) + " TOKENIZERS_PARALLELISM=true ";
    const std::string out =
        run(env + R1_PYTHON + " " + R1_SOURCE_DIR + "/bench/reference/tokenizer_bench.py " +
            tokenizer_json.string() + " " + corpus.string() + " " + std::to_string(args.repeats));
    const auto hf =
        nlohmann::json::parse(split_lines(out).size() > 1 ? split_lines(out).end()[-2] : out);
    const double hf_mb_s = hf.at("mb_per_s").get<double>();
    std::cerr << "hf: " << hf_mb_s << " MB/s, " << hf.at("tokens").get<size_t>() << " tokens\n";
    std::cout << nlohmann::json{{"bench", "tokenizer"},
                                {"threads", args.threads},
                                {"corpus_mb", bytes / 1e6},
                                {"tokens_equal", hf.at("tokens").get<size_t>() == tokens},
                                {"r1_mb_per_s", r1_mb_s},
                                {"hf_mb_per_s", hf_mb_s},
                                {"hf_method", hf.value("method", "encode_batch")},
                                {"ratio", r1_mb_s / hf_mb_s}}
                     .dump()
              << "\n";
    return 0;
}
