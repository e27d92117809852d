// Safetensors load time: r1's SafetensorsFile against Python's safetensors.torch.load_file on the
// same ~1 GB file (written by r1 into a temporary directory), in the same run, page cache warm for
// both. Two measures, since r1 maps lazily: "get_all" = open + every tensor handed out; "read_all"
// = that plus a sum over every tensor (every byte touched). Last line: one JSON object with the
// ratios
// (> 1 means r1 is faster).
#include "r1/io/safetensors.h"
#include "r1/util/fs.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace {

using r1::io::NamedTensors;
using r1::io::SafetensorsFile;

constexpr int kRepeats = 5;

double median_seconds(const std::function<void()>& fn) {
    std::vector<double> times;
    for (int i = 0; i < kRepeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        fn();
        times.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// ~1 GiB in checkpoint-like pieces: 40 F32 [1024, 4096] (16 MiB) + 48 BF16 [1024, 4096] (8 MiB)
// + 256 small F32 norms, seeded.
uint64_t write_file(const std::filesystem::path& path) {
    at::manual_seed(0);
    NamedTensors tensors;
    uint64_t bytes = 0;
    for (int i = 0; i < 88; ++i) {
        const auto dtype = i < 40 ? at::kFloat : at::kBFloat16;
        tensors.emplace_back("layers." + std::to_string(i) + ".weight",
                             at::randn({1024, 4096}).to(dtype));
        tensors.emplace_back("layers." + std::to_string(i) + ".norm", at::randn({4096}));
    }
    for (const auto& [name, t] : tensors) {
        bytes += t.nbytes();
    }
    r1::io::write_safetensors(path, tensors, {{"format", "pt"}});
    return bytes;
}

nlohmann::json python_baseline(const std::filesystem::path& path) {
    const std::string command = std::string(R1_PYTHON) + " " + R1_SOURCE_DIR +
                                "/bench/reference/safetensors_bench.py " + path.string() + " " +
                                std::to_string(kRepeats);
    FILE* pipe = ::popen(command.c_str(), "r");
    std::string output;
    char buffer[4096];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe)) {
        output += buffer;
    }
    if (!pipe || ::pclose(pipe) != 0) {
        throw std::runtime_error("the Python baseline failed: " + command + "\n" + output);
    }
    return nlohmann::json::parse(output.substr(output.rfind('{')));
}

}  // namespace

int main() {
    r1::util::TempDir dir("r1-bench");
    const auto path = dir.path() / "bench.safetensors";
    const uint64_t bytes = write_file(path);
    std::vector<at::Tensor> keep;
    const auto get_all = [&] {
        const SafetensorsFile file(path);
        keep.clear();
        for (const std::string& name : file.names()) {
            keep.push_back(file.tensor(name));
        }
    };
    const auto read_all = [&] {
        const SafetensorsFile file(path);
        double total = 0;
        for (const std::string& name : file.names()) {
            total += file.tensor(name).sum().item<double>();
        }
        keep.clear();
        keep.push_back(at::scalar_tensor(total));
    };
    read_all();  // warm the page cache (Python runs after us, with it warm too)
    const double r1_get = median_seconds(get_all);
    const double r1_read = median_seconds(read_all);
    keep.clear();
    const nlohmann::json py = python_baseline(path);
    const double py_get = py["get_all_s"];
    const double py_read = py["read_all_s"];
    std::cout << "file: " << bytes / 1e9 << " GB, 176 tensors, median of " << kRepeats << " runs, "
              << at::get_num_threads() << " threads (Python " << py["threads"] << ")\n"
              << "get_all:  r1 " << r1_get * 1e3 << " ms, Python " << py_get * 1e3 << " ms\n"
              << "read_all: r1 " << r1_read * 1e3 << " ms, Python " << py_read * 1e3 << " ms\n";
    const nlohmann::json result = {{"bench", "safetensors_load"},
                                   {"file_bytes", bytes},
                                   {"r1_get_all_s", r1_get},
                                   {"python_get_all_s", py_get},
                                   {"get_all_speedup", py_get / r1_get},
                                   {"r1_read_all_s", r1_read},
                                   {"python_read_all_s", py_read},
                                   {"read_all_speedup", py_read / r1_read}};
    std::cout << result.dump() << std::endl;
    return 0;
}
