#!/usr/bin/env python3
"""Baseline for bench/tokenizer_bench.cpp: Hugging Face tokenizers (Rust) encode throughput.

usage: tokenizer_bench.py TOKENIZER_JSON CORPUS_TXT REPEATS
Threads: set RAYON_NUM_THREADS before calling (the C++ bench does). Prints one JSON line:
{"mb_per_s": best-of-REPEATS throughput of encode_batch_fast (encode_batch on older
releases) over the corpus lines, "tokens": count, "method": the function timed}.
"""
import json
import sys
import time

from tokenizers import Tokenizer


def main():
    tok = Tokenizer.from_file(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8", newline="") as f:  # keep \r\n as r1 reads it
        lines = f.read().split("\n")
    size = sum(len(line.encode("utf-8")) for line in lines)
    # encode_batch_fast skips the offsets: the fairer baseline (r1 computes no offsets either).
    encode = getattr(tok, "encode_batch_fast", tok.encode_batch)
    best, tokens = float("inf"), 0
    for _ in range(int(sys.argv[3])):
        start = time.perf_counter()
        encodings = encode(lines, add_special_tokens=False)
        best = min(best, time.perf_counter() - start)
        tokens = sum(len(e.ids) for e in encodings)
    print(json.dumps({"mb_per_s": size / best / 1e6, "tokens": tokens, "method": encode.__name__}))


if __name__ == "__main__":
    main()
