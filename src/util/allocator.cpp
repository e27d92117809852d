#include "r1/util/allocator.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace r1::util {

bool tune_malloc_for_tensors() {
#if defined(__GLIBC__)
    for (const char* name : {"GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_MMAP_MAX_",
                             "MALLOC_TRIM_THRESHOLD_"}) {
        if (std::getenv(name) != nullptr) {
            return false;
        }
    }
    // 32 MiB is glibc's ceiling for the mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX);
    // larger blocks (a 100M model's logits and their grads, 65 MB each) would still be mapped
    // fresh every step, so mmap is off altogether: every block comes from the heap.
    return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_MMAP_MAX, 0) == 1 &&
           mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
#else
    return false;
#endif
}

}  // namespace r1::util
