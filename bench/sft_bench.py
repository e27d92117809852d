#!/usr/bin/env python3
"""SFT training throughput of r1 against TRL's SFTTrainer (issue 21): the same tiny DeepSeek-V3 model
directory (a few r1 pretraining steps), the same prompt-completion rows (the arithmetic task's worked
solutions, prompts already rendered), completion-only loss, best-fit-decreasing packing into rows of
256 tokens, 8 packed rows per optimizer step, lr 1e-4, on the same machine in the same run with the
same thread count.

Usage: python3 bench/sft_bench.py [--r1 build/r1] [--steps 6] [--threads 2] [--rows 512]
The first step of each side is warm-up; the medians of the others are reported. Tokens per second
count the real (packed) tokens of a step. Last output line: {"r1_tokens_per_s":...,
"trl_tokens_per_s":..., "speedup":..., ...}.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = "User: {prompt}\nAssistant:"
TASK_OPTIONS = ["min_digits=2", "max_digits=2", "operations=[add]", "steps=compact"]
MAX_LENGTH, ROWS_PER_STEP, LR = 256, 8, 1e-4


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def make_inputs(r1, threads, tmp, n_rows):
    """A base model directory (20 pretraining steps) and the SFT rows both sides train on."""
    run([r1, "--threads", str(threads), "train", "--stage", "pretrain",
         "--config", os.path.join(SOURCE_DIR, "configs/stages/pretrain-arithmetic.yaml"),
         "--set", "max_steps=20", "--set", f"run_dir={tmp}/pre"])
    raw = os.path.join(tmp, "raw.jsonl")
    sets = [a for o in TASK_OPTIONS for a in ("--set", o)]
    run([r1, "data", "generate", "--task", "arithmetic", "--n", str(n_rows), "--seed", "5", *sets,
         "--out", raw])
    rows = []
    with open(raw) as f:
        for line in f:
            r = json.loads(line)
            rows.append({"prompt": TEMPLATE.format(prompt=r["prompt"]), "completion": r["response"]})
    path = os.path.join(tmp, "sft.jsonl")
    with open(path, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    return os.path.join(tmp, "pre", "final"), rows, path


def r1_seconds_and_tokens(r1, threads, tmp, model_dir, data, steps):
    run_dir = os.path.join(tmp, "r1sft")
    config = os.path.join(tmp, "sft.yaml")
    with open(config, "w") as f:
        f.write(f"""stage: sft
run_dir: {run_dir}
max_steps: {steps}
init: {{checkpoint: {model_dir}}}
data:
  train: [{{path: {data}}}]
  max_length: {MAX_LENGTH}
  packing: bfd
  prompt: {{template: plain}}
batch: {{batch_size: {ROWS_PER_STEP}, micro_batch_size: {ROWS_PER_STEP}}}
optim: {{lr: {LR}, schedule: constant, max_grad_norm: 1.0}}
checkpoint: {{every: 0}}
""")
    run([r1, "--threads", str(threads), "train", "--stage", "sft", "--config", config])
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    seconds = [r["time/step"] for r in rows]
    tokens = [r["perf/train_tokens_per_s"] * r["time/step"] for r in rows]  # real tokens a step
    return seconds, tokens


def trl_seconds_and_tokens(threads, model_dir, rows, steps, tmp):
    import torch
    torch.set_num_threads(threads)
    from datasets import Dataset
    from transformers import DeepseekV3ForCausalLM, PreTrainedTokenizerFast, TrainerCallback
    from transformers.utils import logging as hf_logging
    from trl import SFTConfig, SFTTrainer

    hf_logging.set_verbosity_error()  # r1's MTP layer is unexpected to transformers: expected
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(model_dir, "tokenizer.json"),
                                        eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    model = DeepseekV3ForCausalLM.from_pretrained(model_dir, dtype=torch.float32,
                                                  attn_implementation="eager")
    args = SFTConfig(output_dir=os.path.join(tmp, "trl"), max_steps=steps, learning_rate=LR,
                     lr_scheduler_type="constant", max_grad_norm=1.0,
                     per_device_train_batch_size=ROWS_PER_STEP, gradient_accumulation_steps=1,
                     max_length=MAX_LENGTH, packing=True, packing_strategy="bfd",
                     completion_only_loss=True, logging_steps=1, save_strategy="no",
                     report_to=[], use_cpu=True, dataloader_num_workers=0, seed=42)
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer)
    starts, seconds = {}, []

    class Timer(TrainerCallback):
        def on_step_begin(self, a, state, control, **kw):
            starts[state.global_step] = time.perf_counter()

        def on_step_end(self, a, state, control, **kw):
            seconds.append(time.perf_counter() - starts[state.global_step - 1])

    trainer.add_callback(Timer())
    packed = trainer.train_dataset
    per_row = statistics.mean(len(ids) for ids in packed["input_ids"])
    trainer.train()
    return seconds, [per_row * ROWS_PER_STEP] * len(seconds)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--r1", default=os.path.join(SOURCE_DIR, "build", "r1"))
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rows", type=int, default=512)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, rows, data = make_inputs(a.r1, a.threads, tmp, a.rows)
        r1_s, r1_tok = r1_seconds_and_tokens(a.r1, a.threads, tmp, model_dir, data, a.steps)
        trl_s, trl_tok = trl_seconds_and_tokens(a.threads, model_dir, rows, a.steps, tmp)
    r1_rate = statistics.median(t / s for t, s in zip(r1_tok[1:], r1_s[1:]))
    trl_rate = statistics.median(t / s for t, s in zip(trl_tok[1:], trl_s[1:]))
    out = {"r1_tokens_per_s": round(r1_rate, 1), "trl_tokens_per_s": round(trl_rate, 1),
           "speedup": round(r1_rate / trl_rate, 2), "r1_step_s": round(statistics.median(r1_s[1:]), 3),
           "trl_step_s": round(statistics.median(trl_s[1:]), 3),
           "r1_tokens_per_step": round(statistics.median(r1_tok), 1),
           "trl_tokens_per_step": round(statistics.median(trl_tok), 1), "threads": a.threads}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
