#!/usr/bin/env python3
"""One GRPO step (rollouts plus update) of r1 against TRL's GRPOTrainer (issue 7): the same tiny
DeepSeek-V3 model directory, prompts, batch (16 prompts x 8 generations, one optimizer step of 128
completions in 2 micro-batches of 64), max_completion_length 96, temperature 1.0, beta 0, lr 1e-4,
clip 0.2/0.28, token-mean loss, on the same machine in the same run with the same thread count.

Usage: python3 bench/grpo_bench.py [--r1 build/r1] [--steps 4] [--threads 2] [--pretrain-steps 20]
(the CMake target r1_bench_grpo runs it). The first step of each side is warm-up; the median of the
others is reported. Last output line: {"r1_step_s":..., "trl_step_s":..., "speedup":..., ...}.

Both sides stop a completion only at EOS (<|endoftext|>): TRL's transformers generation gets no
tokenizer, so it cannot honour stop strings, and r1's "</answer>" stop is switched off to match.
Current figures: docs/bench.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = "User: {prompt}\nAssistant:"  # configs/stages/grpo-arithmetic.yaml's r1_zero template
TASK_OPTIONS = ["min_digits=2", "max_digits=2", "operations=[add]", "steps=compact"]
PROMPTS, GROUP, MICRO, MAX_COMPLETION = 16, 8, 64, 96


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def make_base_model(r1, threads, tmp, pretrain_steps):
    """A few pretraining steps of r1 give the HF-layout model directory both sides start from."""
    run([r1, "--threads", str(threads), "train", "--stage", "pretrain",
         "--config", os.path.join(SOURCE_DIR, "configs/stages/pretrain-arithmetic.yaml"),
         "--set", f"max_steps={pretrain_steps}", "--set", f"run_dir={tmp}/pre"])
    prompts = os.path.join(tmp, "prompts.jsonl")
    sets = [a for o in TASK_OPTIONS for a in ("--set", o)]
    run([r1, "data", "generate", "--task", "arithmetic", "--n", "64", "--seed", "1", *sets, "--out", prompts])
    with open(prompts) as f:
        rows = [json.loads(line) for line in f]
    return os.path.join(tmp, "pre", "final"), rows


def r1_step_seconds(r1, threads, tmp, model_dir, steps):
    run_dir = os.path.join(tmp, "r1grpo")
    run([r1, "--threads", str(threads), "train", "--stage", "grpo",
         "--config", os.path.join(SOURCE_DIR, "configs/stages/grpo-arithmetic.yaml"),
         "--set", f"init.checkpoint={model_dir}", "--set", f"max_steps={steps}",
         "--set", f"run_dir={run_dir}", "--set", "sampling.stop=[]",
         "--set", f"batch.prompts_per_step={PROMPTS}", "--set", f"batch.num_generations={GROUP}",
         "--set", f"batch.mini_batch_size={PROMPTS * GROUP}", "--set", f"batch.micro_batch_size={MICRO}",
         "--set", f"sampling.max_completion_length={MAX_COMPLETION}",
         "--set", "log.completions_every=0", "--set", "checkpoint.every=0"])
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = [r for r in rows if "time/step" in r]
    return [r["time/step"] for r in rows], [r["time/generate"] for r in rows]


def trl_step_seconds(threads, tmp, model_dir, rows, steps):
    import torch
    torch.set_num_threads(threads)
    from datasets import Dataset
    from transformers import DeepseekV3ForCausalLM, PreTrainedTokenizerFast, TrainerCallback
    from transformers.utils import logging as hf_logging
    from trl import GRPOConfig, GRPOTrainer

    hf_logging.set_verbosity_error()  # the MTP layer's weights are unexpected to transformers: expected

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(model_dir, "tokenizer.json"),
                                        eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    model = DeepseekV3ForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager")
    dataset = Dataset.from_list([{"prompt": TEMPLATE.format(prompt=r["prompt"]), "gold": r["answer"]} for r in rows])

    def accuracy(completions, gold, **kwargs):
        return [1.0 if f"<answer>{g}</answer>" in c else 0.0 for c, g in zip(completions, gold)]

    args = GRPOConfig(
        output_dir=os.path.join(tmp, "trl"), max_steps=steps, seed=42,
        per_device_train_batch_size=MICRO, gradient_accumulation_steps=PROMPTS * GROUP // MICRO,
        generation_batch_size=PROMPTS * GROUP, num_generations=GROUP, num_iterations=1,
        max_completion_length=MAX_COMPLETION, temperature=1.0, top_p=1.0, top_k=0,
        beta=0.0, epsilon=0.2, epsilon_high=0.28, loss_type="dapo", scale_rewards="group",
        learning_rate=1e-4, lr_scheduler_type="constant", warmup_steps=0,
        use_vllm=False, use_cpu=True, bf16=False, fp16=False,
        logging_strategy="no", save_strategy="no", report_to="none", disable_tqdm=True,
        dataloader_num_workers=0)

    class Timer(TrainerCallback):
        def __init__(self):
            self.seconds, self.start = [], 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.seconds.append(time.perf_counter() - self.start)

    timer = Timer()
    trainer = GRPOTrainer(model=model, reward_funcs=accuracy, args=args, train_dataset=dataset,
                          processing_class=tokenizer, callbacks=[timer])
    trainer.train()
    return timer.seconds


def report(ours, ours_generate, theirs, threads, steps):
    """A table, then the JSON line; the first step of each side is warm-up."""
    r1_s, trl_s = statistics.median(ours[1:]), statistics.median(theirs[1:])
    print(f"{'':6} {'steps (s)':>40} {'median after warm-up':>22}")
    print(f"{'r1':6} {' '.join(f'{s:.2f}' for s in ours):>40} {r1_s:>22.3f}")
    print(f"{'TRL':6} {' '.join(f'{s:.2f}' for s in theirs):>40} {trl_s:>22.3f}")
    print(json.dumps({"r1_step_s": round(r1_s, 4), "trl_step_s": round(trl_s, 4),
                      "speedup": round(trl_s / r1_s, 2), "batch": PROMPTS * GROUP, "prompts": PROMPTS,
                      "group": GROUP, "max_completion_length": MAX_COMPLETION, "threads": threads,
                      "steps": steps, "r1_first_step_s": round(ours[0], 2),
                      "trl_first_step_s": round(theirs[0], 2),
                      "r1_generate_s": round(statistics.median(ours_generate[1:]), 4)}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--r1", default=os.path.join(SOURCE_DIR, "build", "r1"))
    p.add_argument("--steps", type=int, default=4, help="GRPO steps per side; the first is warm-up")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--pretrain-steps", type=int, default=20)
    a = p.parse_args()
    if a.steps < 2:
        sys.exit("--steps must be at least 2 (the first step is warm-up)")
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, rows = make_base_model(a.r1, a.threads, tmp, a.pretrain_steps)
        ours, ours_generate = r1_step_seconds(a.r1, a.threads, tmp, model_dir, a.steps)
        theirs = trl_step_seconds(a.threads, tmp, model_dir, rows, a.steps)
    report(ours, ours_generate, theirs, a.threads, a.steps)


if __name__ == "__main__":
    main()
