#!/usr/bin/env python3
"""Baseline of bench/generation_bench.cpp: greedy decode tokens/s of transformers' generate() on the
model directory r1 saved (DeepseekV3ForCausalLM, float32, eager attention, its default DynamicCache),
EOS disabled so every row generates NEW_TOKENS. Usage: MODEL_DIR PROMPTS_JSON NEW_TOKENS THREADS;
prints one JSON line: tokens_per_s (B·NEW_TOKENS over the timed generate() call, prefill included, as
r1's side) and the generated ids, for the bench's token-agreement check."""
import json
import sys
import time

import torch
import transformers


def main():
    model_dir, prompts_path = sys.argv[1], sys.argv[2]
    new_tokens, threads = int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    with open(prompts_path) as f:
        prompts = torch.tensor(json.load(f), dtype=torch.long)  # [B, P], no padding
    model = transformers.AutoModelForCausalLM.from_pretrained(
        model_dir, dtype=torch.float32, attn_implementation="eager").eval()
    # no EOS on either side: r1's request has no eos ids; here generation_config's is removed
    # (min_new_tokens would instead mask EOS logits and change the greedy choice)
    model.generation_config.eos_token_id = None
    kwargs = dict(attention_mask=torch.ones_like(prompts), max_new_tokens=new_tokens,
                  do_sample=False, pad_token_id=0)
    with torch.inference_mode():
        model.generate(prompts, **kwargs)  # warm-up
        start = time.perf_counter()
        out = model.generate(prompts, **kwargs)
        elapsed = time.perf_counter() - start
    generated = out[:, prompts.size(1):]
    assert generated.size(1) == new_tokens, generated.shape
    print(json.dumps({"tokens_per_s": generated.numel() / elapsed, "tokens": generated.tolist()}))


if __name__ == "__main__":
    main()
