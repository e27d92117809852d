#!/usr/bin/env python3
"""Baseline of bench/model_bench.cpp: forward+backward tokens/s of transformers' eager model built
from the same config.json. Usage: CONFIG BATCH SEQ ITERS THREADS; prints one JSON line."""
import json
import sys
import time

import torch
import transformers


def main():
    path, B, S, iters, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with open(path) as f:
        config = transformers.AutoConfig.for_model(**json.load(f))
    model = transformers.AutoModelForCausalLM.from_config(config, attn_implementation="eager").float().train()
    ids = torch.randint(0, config.vocab_size, (B, S))

    def step():
        model.zero_grad(set_to_none=True)
        model(input_ids=ids).logits.float().pow(2).mean().backward()

    step()  # warm-up
    start = time.perf_counter()
    for _ in range(iters):
        step()
    elapsed = time.perf_counter() - start
    print(json.dumps({"tokens_per_s": B * S * iters / elapsed}))


if __name__ == "__main__":
    main()
