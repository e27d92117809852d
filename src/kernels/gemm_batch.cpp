#include "kernels/gemm_batch.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <vector>

#include "kernels/avx2.h"
#include "kernels/panel.h"
#include "kernels/transpose8.h"

#ifdef R1_AVX2
#include <immintrin.h>
#endif

namespace r1::kernels::detail {
namespace {

// The blocking: a task owns a block of rows × up to kTaskCols columns of one output. It packs b's
// columns for it in panels of kPanelWidth over kDepth of K (64 KB: in L2), and runs six rows of a
// (6 KB: in L1) against each panel in turn. Packing b costs about 1/rows of the products, so a
// task takes as many rows as it can (up to kMaxTaskRows) while the batch still splits into
// kMinTasks tasks for the threads to share.
constexpr int64_t kDepth = 256, kRows = kPanelRows, kTaskCols = 64, kMaxTaskRows = 512,
                  kMinTasks = 8;
// a read in place when its k-step is short; else (a column-major a: dyᵀ of a wide dy, whose
// k-step spans a page) kAGroup rows at a time are first copied to [kc][kAGroup]
constexpr int64_t kAGroup = 48, kMaxInPlaceStep = 1024;
constexpr int64_t kLine = 16;  // floats per cache line

struct Task {
    const GemmProblem* problem;
    int64_t m0, m1, n0, n1;
};

int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

std::vector<Task> split_into_tasks(std::span<const GemmProblem> problems) {
    int64_t rows = kMaxTaskRows;
    const auto count = [&](int64_t r) {
        int64_t n = 0;
        for (const auto& p : problems) {
            n += ceil_div(p.M, r) * ceil_div(p.N, kTaskCols);
        }
        return n;
    };
    while (rows > 4 * kRows && count(rows) < kMinTasks) {
        rows /= 2;
    }
    std::vector<Task> tasks;
    for (const auto& p : problems) {
        const int64_t blocks = ceil_div(p.M, rows);
        const int64_t step = ceil_div(ceil_div(p.M, std::max<int64_t>(blocks, 1)), kRows) * kRows;
        for (int64_t m = 0; m < p.M; m += step) {
            for (int64_t n = 0; n < p.N; n += kTaskCols) {
                tasks.push_back({&p, m, std::min(m + step, p.M), n, std::min(n + kTaskCols, p.N)});
            }
        }
    }
    return tasks;
}

#ifdef R1_AVX2
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"  // the vector helpers are always inlined: no call ABI

// How far ahead along K pack_panel fetches b: a panel's 16 rows or columns are as many streams
// from L3 or memory, more than the hardware streamers follow (at 100m the packing took a fifth
// of the experts' time; the fetches took a sixth of that off).
constexpr int64_t kAhead = 16;  // rows

// panel[k][j] = b[k0 + k][n0 + j] for k < kc and j < cols, zeros in columns cols..15.
R1_AVX2_FMA void pack_panel(
    StridedMatrix b, int64_t k0, int64_t kc, int64_t n0, int64_t cols, float* panel) {
    const float* base = b.data + k0 * b.row + n0 * b.col;
    if (b.col == 1 && cols == kPanelWidth) {  // rows of b are contiguous: copies
        for (int64_t k = 0; k < kc; ++k) {
            const float* src = base + k * b.row;
            _mm_prefetch(reinterpret_cast<const char*>(src + kAhead * b.row), _MM_HINT_T0);
            _mm256_store_ps(panel + k * kPanelWidth, _mm256_loadu_ps(src));
            _mm256_store_ps(panel + k * kPanelWidth + 8, _mm256_loadu_ps(src + 8));
        }
        return;
    }
    int64_t k = 0;
    if (b.row == 1 && cols == kPanelWidth) {  // columns contiguous (b = wᵀ): 8×8 transpositions
        for (; k + 8 <= kc; k += 8) {
            if (k % kLine == 0) {  // each column's next line but one
                for (int64_t j = 0; j < kPanelWidth; ++j) {
                    const float* ahead = base + j * b.col + k + 2 * kLine;
                    _mm_prefetch(reinterpret_cast<const char*>(ahead), _MM_HINT_T0);
                }
            }
            detail::transpose8(base + k, b.col, panel + k * kPanelWidth, kPanelWidth);
            detail::transpose8(base + 8 * b.col + k, b.col, panel + k * kPanelWidth + 8,
                               kPanelWidth);
        }
    }
    for (; k < kc; ++k) {
        for (int64_t j = 0; j < kPanelWidth; ++j) {
            panel[k * kPanelWidth + j] = j < cols ? base[k * b.row + j * b.col] : 0.0f;
        }
    }
}

// A tile narrower than the panel goes through a 16-wide scratch tile.
R1_AVX2_FMA void narrow_tile(int64_t rows, int64_t cols, const PanelTile& t) {
    alignas(32) float scratch[kRows * kPanelWidth];
    auto inner = t;
    inner.c = scratch;
    inner.ldc = kPanelWidth;
    inner.accumulate = false;
    panel_tile_rows(rows, inner);
    for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < cols; ++j) {
            float& c = t.c[i * t.ldc + j];
            c = t.accumulate ? c + scratch[i * kPanelWidth + j] : scratch[i * kPanelWidth + j];
        }
    }
}

// Rows [m0, m1) of a (m1 - m0 <= kAGroup) over [k0, k0 + kc) into group[k][i].
void pack_rows(StridedMatrix a, int64_t m0, int64_t m1, int64_t k0, int64_t kc, float* group) {
    for (int64_t k = 0; k < kc; ++k) {
        for (int64_t i = m0; i < m1; ++i) {
            group[k * kAGroup + i - m0] = a.data[i * a.row + (k0 + k) * a.col];
        }
    }
}

struct Scratch {
    float* panels;  // kDepth × kTaskCols, 32-byte aligned
    float* group;   // kDepth × kAGroup
};

// The next six rows' stretch of a into the caches while this tile's run: the first pass over a
// tile reads a from L3 (the experts' rows are gathered just before), and the hardware streamers
// start too late on rows of 1 KB.
R1_AVX2_FMA void prefetch_rows(const float* a, StridedMatrix layout, int64_t rows, int64_t kc) {
    if (layout.col == 1) {
        for (int64_t i = 0; i < rows; ++i) {
            for (int64_t k = 0; k < kc; k += kLine) {
                _mm_prefetch(reinterpret_cast<const char*>(a + i * layout.row + k), _MM_HINT_T0);
            }
        }
    } else if (layout.row == 1) {
        for (int64_t k = 0; k < kc; ++k) {
            _mm_prefetch(reinterpret_cast<const char*>(a + k * layout.col), _MM_HINT_T0);
        }
    }
}

// Rows [m0, m1) of the task's output over one block of K, a's rows at a (element (i, k) at
// a[(i - m0)·row + k·col]).
R1_AVX2_FMA void run_rows(const Task& task,
                          StridedMatrix a,
                          int64_t m0,
                          int64_t m1,
                          int64_t k0,
                          int64_t kc,
                          const float* panels) {
    const auto& p = *task.problem;
    for (int64_t m = m0; m < m1; m += kRows) {
        const int64_t rows = std::min(kRows, m1 - m);
        if (m + kRows < m1) {
            prefetch_rows(a.data + (m + kRows - m0) * a.row, a, std::min(kRows, m1 - m - kRows),
                          kc);
        }
        for (int64_t n = task.n0; n < task.n1; n += kPanelWidth) {
            const int64_t cols = std::min(kPanelWidth, task.n1 - n);
            const PanelTile tile{.a = a.data + (m - m0) * a.row,
                                 .a_row = a.row,
                                 .a_col = a.col,
                                 .panel = panels + (n - task.n0) * kDepth,
                                 .kc = kc,
                                 .c = p.c + m * p.ldc + n,
                                 .ldc = p.ldc,
                                 .accumulate = k0 > 0};
            if (cols == kPanelWidth) {
                panel_tile_rows(rows, tile);
            } else {
                narrow_tile(rows, cols, tile);
            }
        }
    }
}

R1_AVX2_FMA void run_task(const Task& task, const Scratch& scratch) {
    const auto& p = *task.problem;
    if (p.K == 0) {
        for (int64_t m = task.m0; m < task.m1; ++m) {
            std::fill(p.c + m * p.ldc + task.n0, p.c + m * p.ldc + task.n1, 0.0f);
        }
        return;
    }
    const bool in_place = std::abs(p.a.col) <= kMaxInPlaceStep;
    for (int64_t k0 = 0; k0 < p.K; k0 += kDepth) {
        const int64_t kc = std::min(kDepth, p.K - k0);
        for (int64_t n = task.n0; n < task.n1; n += kPanelWidth) {
            pack_panel(p.b, k0, kc, n, std::min(kPanelWidth, task.n1 - n),
                       scratch.panels + (n - task.n0) * kDepth);
        }
        if (in_place) {
            const StridedMatrix a{p.a.data + task.m0 * p.a.row + k0 * p.a.col, p.a.row, p.a.col};
            run_rows(task, a, task.m0, task.m1, k0, kc, scratch.panels);
            continue;
        }
        for (int64_t m = task.m0; m < task.m1; m += kAGroup) {
            const int64_t m1 = std::min(m + kAGroup, task.m1);
            pack_rows(p.a, m, m1, k0, kc, scratch.group);
            run_rows(task, {scratch.group, 1, kAGroup}, m, m1, k0, kc, scratch.panels);
        }
    }
}

#pragma GCC diagnostic pop
#endif

}  // namespace

bool gemm_batch_available() {
    return detail::cpu_has_avx2_fma();
}

void gemm_batch(std::span<const GemmProblem> problems) {
    TORCH_CHECK(gemm_batch_available(), "gemm_batch needs AVX2 and FMA");
#ifdef R1_AVX2
    const auto tasks = split_into_tasks(problems);
    // Tasks differ in size (experts get different numbers of rows), so threads take them one at
    // a time from a shared counter instead of a fixed share each.
    std::atomic<size_t> next{0};
    const auto threads = std::min<int64_t>(at::get_num_threads(), std::ssize(tasks));
    at::parallel_for(0, threads, 1, [&](int64_t, int64_t) {
        std::vector<float> buffer(kDepth * (kTaskCols + kAGroup) + 8);
        float* aligned =
            buffer.data() + (8 - reinterpret_cast<uintptr_t>(buffer.data()) / 4 % 8) % 8;
        const Scratch scratch{.panels = aligned, .group = aligned + kDepth * kTaskCols};
        for (size_t i = next++; i < tasks.size(); i = next++) {
            run_task(tasks[i], scratch);
        }
    });
#endif
}

}  // namespace r1::kernels::detail
