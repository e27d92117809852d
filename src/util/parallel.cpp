#include "r1/util/parallel.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <memory>

namespace r1::util {

int parallel_for_threads(int64_t items) {
    const int threads = at::get_num_threads();
    const auto seen = std::make_unique<std::atomic<bool>[]>(static_cast<size_t>(threads));
    at::parallel_for(0, items, 1, [&](int64_t, int64_t) {
        seen[static_cast<size_t>(at::get_thread_num())].store(true);
    });
    int count = 0;
    for (int t = 0; t < threads; ++t) {
        count += seen[static_cast<size_t>(t)].load() ? 1 : 0;
    }
    return count;
}

}  // namespace r1::util
