// FP8 GEMV and GEMM throughput against LibTorch's float32 and bfloat16 matmul on the same shapes,
// in the same run, each also as a share of this machine's measured peaks (a large float32 matmul
// for FLOP/s, a large copy for memory bandwidth). The FP8 timings include quantising the
// activations (act_quant), as a real linear layer must; weights are quantised once, outside the
// timing. Then decode tokens/s of the ~100M model in fp8, bf16 and float32 (fp8_decode.h). Last
// line: one JSON object (ratios at the largest size, the peaks, decode figures, every row).
//
//   r1_bench_fp8 [--max-size 16384] [--min-size 1024] [--gemm-m 256] [--only gemv|gemm|decode]
//                [--decode-batches 1,64] [--decode-tokens 32]
#include "r1/fp8/dispatch.h"
#include "r1/fp8/gemm.h"
#include "r1/fp8/quantize.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "fp8_decode.h"

namespace {

using Clock = std::chrono::steady_clock;

/// Best time of several runs (one warm-up first), running for at least `min_seconds` in total.
double best_seconds(const std::function<void()>& fn, double min_seconds = 0.5, int min_runs = 2) {
    fn();
    double best = 1e30, total = 0.0;
    for (int run = 0; run < min_runs || total < min_seconds; ++run) {
        const auto t0 = Clock::now();
        fn();
        const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::min(best, dt);
        total += dt;
        if (run > 50) {
            break;
        }
    }
    return best;
}

/// The 1-minute load average: on a shared machine the timings below mean little when it exceeds
/// the core count, so it goes into the JSON next to them.
double load_average() {
    std::ifstream in("/proc/loadavg");
    double load = -1.0;
    in >> load;
    return load;
}

struct Peaks {
    double gflops = 0.0;       // float32 at::mm, 4096^3: the "peak" shares below are of this
    double bf16_gflops = 0.0;  // bf16 at::mm, 1024^3: for context
    double gbps = 0.0;         // bytes read + written per second by a 512 MiB copy
};

Peaks measure_peaks() {
    Peaks p;
    const at::Tensor a = at::randn({4096, 4096}), b = at::randn({4096, 4096});
    at::Tensor c = at::empty({4096, 4096});
    const double flop = 2.0 * 4096.0 * 4096.0 * 4096.0;
    p.gflops = flop / best_seconds([&] { at::mm_out(c, a, b); }) / 1e9;
    // bf16 at 1024³: without AVX512-BF16 LibTorch's bf16 GEMM is a scalar loop (~1 GFLOP/s on
    // the AVX2-only EPYC), where 4096³ would take minutes a run.
    const at::Tensor a16 = a.slice(0, 0, 1024).slice(1, 0, 1024).to(at::kBFloat16);
    const at::Tensor b16 = b.slice(0, 0, 1024).slice(1, 0, 1024).to(at::kBFloat16);
    p.bf16_gflops = 2.0 * 1024 * 1024 * 1024 / best_seconds([&] { at::mm(a16, b16); }) / 1e9;
    const at::Tensor src = at::rand({128 << 20}), dst = at::empty({128 << 20});
    const double bytes = 2.0 * static_cast<double>(src.nbytes());
    p.gbps = bytes / best_seconds([&] { dst.copy_(src); }) / 1e9;
    return p;
}

struct Row {
    std::string kind;  // gemv or gemm
    int64_t M, N, K;
    double fp8_s, bf16_s, fp32_s;
};

/// One shape: C[M,N] = X[M,K] · W[N,K]ᵀ three ways.
Row run_shape(const std::string& kind, int64_t M, int64_t N, int64_t K) {
    at::Tensor w = at::randn({N, K}) * 0.02;
    const r1::fp8::Quantized wq = r1::fp8::quantize_blocks(w);
    const at::Tensor w16 = w.to(at::kBFloat16);
    const at::Tensor x = at::randn({M, K}), x16 = x.to(at::kBFloat16);
    const double min_s = 1.0;  // best of several runs: the machine is shared
    Row r{kind, M, N, K, 0, 0, 0};
    // What a linear layer calls: each allocates its output.
    r.fp8_s = best_seconds([&] { r1::fp8::gemm(r1::fp8::quantize_tiles(x), wq); }, min_s);
    r.bf16_s = best_seconds([&] { at::mm(x16, w16.t()); }, min_s);
    r.fp32_s = best_seconds([&] { at::mm(x, w.t()); }, min_s);
    return r;
}

void print_row(const Row& r, const Peaks& p) {
    const double flop = 2.0 * static_cast<double>(r.M * r.N * r.K),
                 weights = static_cast<double>(r.N * r.K);
    auto gflops = [&](double s) { return flop / s / 1e9; };
    std::printf(
        "%-4s M=%-4ld N=K=%-6ld | GFLOP/s fp8 %7.1f bf16 %7.1f fp32 %7.1f (fp8 %5.1f%% of peak) | "
        "weight GB/s fp8 %6.1f bf16 %6.1f fp32 %6.1f (fp8 %5.1f%% of copy) | fp8/bf16 %.2fx "
        "fp8/fp32 %.2fx\n",
        r.kind.c_str(), r.M, r.N, gflops(r.fp8_s), gflops(r.bf16_s), gflops(r.fp32_s),
        100.0 * gflops(r.fp8_s) / p.gflops, weights / r.fp8_s / 1e9, 2 * weights / r.bf16_s / 1e9,
        4 * weights / r.fp32_s / 1e9, 100.0 * weights / r.fp8_s / 1e9 / p.gbps, r.bf16_s / r.fp8_s,
        r.fp32_s / r.fp8_s);
    std::fflush(stdout);
}

nlohmann::json to_json(const Row& r) {
    return {{"kind", r.kind},   {"M", r.M},           {"N", r.N},          {"K", r.K},
            {"fp8_s", r.fp8_s}, {"bf16_s", r.bf16_s}, {"fp32_s", r.fp32_s}};
}

}  // namespace

int main(int argc, char** argv) {
    int64_t max_size = 16384, min_size = 1024, gemm_m = 256;
    std::string only;
    std::vector<int64_t> decode_batches = {1, 64};
    int64_t decode_tokens = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--max-size") {
            max_size = std::atol(argv[i + 1]);
        } else if (flag == "--min-size") {
            min_size = std::atol(argv[i + 1]);
        } else if (flag == "--only") {
            only = argv[i + 1];
        } else if (flag == "--gemm-m") {
            gemm_m = std::atol(argv[i + 1]);
        } else if (flag == "--decode-tokens") {
            decode_tokens = std::atol(argv[i + 1]);
        } else if (flag == "--decode-batches") {
            decode_batches.clear();
            for (const char* p = argv[i + 1]; *p != '\0';) {
                char* end = nullptr;
                decode_batches.push_back(std::strtol(p, &end, 10));
                p = *end == ',' ? end + 1 : end;
            }
        } else {
            std::cerr << "usage: r1_bench_fp8 [--max-size N] [--min-size N] [--gemm-m M] [--only "
                         "gemv|gemm|decode] [--decode-batches 1,64] [--decode-tokens N]\n";
            return 2;
        }
    }
    at::manual_seed(0);
    const auto start = Clock::now();
    const auto kernel = r1::fp8::resolve(r1::fp8::Kernel::automatic);
    std::printf("fp8 kernel %s, %d threads, load average %.2f\n",
                std::string(r1::fp8::name(kernel)).c_str(), at::get_num_threads(), load_average());
    const Peaks peaks = only == "decode" ? Peaks{} : measure_peaks();
    std::printf(
        "peaks: float32 matmul %.1f GFLOP/s (bf16 matmul %.1f), copy %.1f GB/s (read + write)\n",
        peaks.gflops, peaks.bf16_gflops, peaks.gbps);
    std::vector<Row> rows;
    for (const std::string kind : {"gemv", "gemm"}) {
        if (!only.empty() && only != kind) {
            continue;
        }
        for (int64_t n = min_size; n <= max_size; n *= 2) {
            rows.push_back(run_shape(kind, kind == "gemv" ? 1 : gemm_m, n, n));
            print_row(rows.back(), peaks);
        }
    }
    std::vector<r1::bench::DecodeRow> decode;
    if (only.empty() || only == "decode") {
        decode = r1::bench::run_decode(decode_batches, decode_tokens, 2);  // prints each row
    }
    nlohmann::json out{{"kernel", r1::fp8::name(kernel)},
                       {"threads", at::get_num_threads()},
                       {"peak_fp32_gflops", peaks.gflops},
                       {"peak_bf16_gflops", peaks.bf16_gflops},
                       {"peak_copy_gbps", peaks.gbps},
                       {"load_average", load_average()},
                       {"seconds", std::chrono::duration<double>(Clock::now() - start).count()}};
    for (const Row& r : rows) {  // the last row of each kind is the largest size
        out[r.kind + "_fp8_vs_bf16"] = r.bf16_s / r.fp8_s;
        out[r.kind + "_fp8_vs_fp32"] = r.fp32_s / r.fp8_s;
        out[r.kind + "_fp8_gflops"] = 2.0 * static_cast<double>(r.M * r.N * r.K) / r.fp8_s / 1e9;
        out[r.kind + "_fp8_weight_gbps"] = static_cast<double>(r.N * r.K) / r.fp8_s / 1e9;
        out["rows"].push_back(to_json(r));
    }
    r1::bench::add_decode_json(out, decode);
    std::cout << out.dump() << std::endl;
    return 0;
}
