// The process's malloc tuned for tensor work: training allocates and frees the same
// multi-megabyte activations every step, and glibc's defaults hand those back to the kernel
// (mmap per large block, heap tops trimmed), so every step page-faults them in again.
#pragma once

namespace r1::util {

/// Serves every block from the heap (no mmap) and keeps up to 1 GiB of freed heap top, so a step
/// reuses the previous step's pages (about 10% of a tiny model's forward+backward, and of a 100M
/// model's with its 65 MB logits, went to the kernel clearing fresh pages). The price: freed
/// blocks below the heap top stay with the process. Does nothing off glibc, or when the user set
/// GLIBC_TUNABLES, MALLOC_MMAP_THRESHOLD_, MALLOC_MMAP_MAX_ or MALLOC_TRIM_THRESHOLD_ (their
/// choice wins). -> whether it applied.
/// The CLI and the benches call it first thing; a library user may.
bool tune_malloc_for_tensors();

}  // namespace r1::util
