"""Python baseline for bench/safetensors_bench.cpp: load times of one safetensors file.

Usage: safetensors_bench.py FILE REPEATS
Prints one JSON line: median seconds of
  get_all:  safetensors.torch.load_file(FILE) (open + every tensor materialised as torch.Tensor)
  read_all: load_file, then sum every tensor (every byte read; fair against lazy mmap)
"""
import json
import statistics
import sys
import time

import torch
from safetensors.torch import load_file


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    path, repeats = sys.argv[1], int(sys.argv[2])

    def get_all():
        return load_file(path)

    def read_all():
        total = 0.0
        for t in load_file(path).values():
            total += float(t.sum())
        return total

    print(json.dumps({"get_all_s": timed(get_all, repeats), "read_all_s": timed(read_all, repeats),
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
