#!/usr/bin/env python3
"""Config honesty: every key of every stage's schema changes what a run does, or is rejected.

  config_keys.py R1 SOURCE_DIR WORK_DIR [STAGE | STAGE.KEY ...]   (R1_KEEP_RUNS=1 keeps every run)

For each stage: a baseline tiny run (2-3 steps on --threads 1, from one tiny pretrained base
model), then, for each key `r1 info --schema STAGE` prints, one run with that key set to the
value its row in KEYS gives. The run's fingerprint must differ from the baseline's in the part
the row names; for a row marked rejected, the run must exit 2 with a message naming the key.

The test fails, naming the stage and key, when
  - a schema key has no row in KEYS: a new key comes with its demonstration;
  - a row names a key the schema no longer has;
  - a run leaves its part of the fingerprint unchanged: the key does nothing (a bug to fix, or
    a key to delete); or the run fails where it should not;
  - a stage `r1 info --schema` prints has no table here: a new stage comes with its table;
  - the baseline, run twice, differs: every comparison would be meaningless.

Fingerprint parts (config.yaml's content never counts: it echoes the settings):
  model        sha256 of each file of the final model directory (weights, config, tokenizer)
  metrics      metrics.jsonl rows without time/ and perf/ fields
  completions  completions.jsonl (GRPO's samples, rewards and advantages)
  eval         eval.json (without the model path) and eval_samples.jsonl
  files        the files the run wrote, relative to its own directory
  log          log.txt without timestamps and progress bars (samples, debug lines)
  exit         the exit code and the first error line

A row is Key(value, via=, extra=, also=, at=) or Rejected(value):
  value   what the key is set to, as JSON (--set parses it as YAML flow);
  via     the part that must change (the stage's `via` by default);
  extra   settings of both runs that make the effect observable (a baseline of its own);
  also    settings the change needs with it (student.config cleared for student.checkpoint);
  at      the key as --set spells it, for list items (rewards.1.weight).
Strings may name fixtures: {base} (the tiny base model), {other} (a second model), {data} (the
JSONL files below), {box} (the run's own directory).

Adding a stage (rm, rs) is an entry in STAGES and its rows in KEYS; OPTIM_KEYS, LOOP_KEYS,
common_keys() and template_keys() cover the keys stages share.
"""
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

R1, SOURCE, WORK = sys.argv[1], pathlib.Path(sys.argv[2]).resolve(), pathlib.Path(sys.argv[3]).resolve()
ONLY = sys.argv[4:]  # STAGE or STAGE.KEY: run those rows only, while working on a table


@dataclass
class Key:
    value: object
    via: str = ""
    extra: dict = field(default_factory=dict)
    also: dict = field(default_factory=dict)
    at: str = ""
    reject: bool = False


def Rejected(value, **kwargs):
    return Key(value, reject=True, via="exit", **kwargs)


# --------------------------------------------------------------------------------------------------
# Fixtures: JSONL files; a tiny base model and a second model (main() makes them)

MOE_CONFIG = "configs/models/r1-zero-tiny/config.json"
ONE_DIGIT = ["min_digits=1", "max_digits=1", "operations=[add]", "steps=compact"]
TWO_DIGIT = ["min_digits=2", "max_digits=2", "operations=[add]", "steps=compact"]

SFT_A = [  # the three row shapes
    {"text": "What is 2 + 2? <think>\n2+2=4\n</think> <answer>4</answer>"},
    {"prompt": "What is 3 + 5?", "completion": "<think>\n3+5=8\n</think> <answer>8</answer>"},
    {"messages": [{"role": "user", "content": "What is 1 + 6?"},
                  {"role": "assistant", "content": "<think>\n1+6=7\n</think> <answer>7</answer>"}]},
    {"prompt": "What is 4 + 4?", "completion": "<think>\n\n</think> <answer>8</answer>"},
]
SFT_B = [
    {"prompt": "What is 9 + 9?", "completion": "<think>\n9+9=18\n</think> <answer>18</answer>"},
    {"messages": [{"role": "user", "content": "What is 7 + 1?"},
                  {"role": "assistant", "content": "<answer>8</answer>"}]},
]
SFT_EVAL = [
    {"prompt": "What is 5 + 3?", "completion": "<think>\n5+3=8\n</think> <answer>8</answer>"},
    {"prompt": "What is 6 + 2?", "completion": "<think>\n\n</think> <answer>8</answer>"},
]
PROMPTS_A = [{"prompt": f"What is {a} + {b}?", "answer": str(a + b)}
             for a, b in [(1, 2), (3, 4), (5, 1), (2, 7), (6, 3), (8, 0)]]
PROMPTS_B = [{"prompt": f"What is {a} + {b}?", "answer": str(a + b)}
             for a, b in [(9, 9), (4, 4), (7, 2), (0, 5)]]


RM_A = [{"prompt": f"Sort: {a} {b} {c}", "chosen": " ".join(sorted([a, b, c])),
         "rejected": f"{b} {a} {c}"} for a, b, c in ["312", "271", "945", "638"]]
RM_B = [{"prompt": "Sort: 5 1", "chosen": "1 5", "rejected": "5 1", "margin": 0.5},
        {"prompt": "Sort: 9 3", "chosen": "3 9", "rejected": "9 3"}]
RM_EVAL = [{"prompt": "Sort: 8 2", "chosen": "2 8", "rejected": "8 2"}]


def write_fixtures(data):
    data.mkdir(parents=True, exist_ok=True)
    files = {"sft_a": SFT_A, "sft_b": SFT_B, "sft_eval": SFT_EVAL, "prompts_a": PROMPTS_A,
             "prompts_b": PROMPTS_B, "rm_a": RM_A, "rm_b": RM_B, "rm_eval": RM_EVAL}
    for name, rows in files.items():
        (data / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    broken = '{"prompt": "What is 1 + 1?", "completion": '  # line 2: not JSON
    (data / "sft_bad.jsonl").write_text(f"{json.dumps(SFT_A[1])}\n{broken}\n{json.dumps(SFT_A[3])}\n")
    (data / "rm_bad.jsonl").write_text(f"{json.dumps(RM_A[0])}\n{broken}\n{json.dumps(RM_A[1])}\n")


# --------------------------------------------------------------------------------------------------
# The stages: example config, baseline settings, the part a key changes by default. The
# baselines pin what the rows change from (a template, a share) rather than trust the examples.

# warmup, decay and floor within three steps, so that every optim key shows; no checkpoints
# (each is an fsync'd model and optimizer state) but for the checkpoint keys' own rows
LOOP = {"optim.schedule": "cosine", "optim.warmup_steps": 1, "optim.min_lr_ratio": 0.1,
        "optim.max_grad_norm": 1.0, "checkpoint.every": 0, "checkpoint.keep": 3, "log.every": 1}

# format and repetition both vary on the tiny model's completions, so that a weight changes the
# advantages (a single varying reward is invariant to its weight under group scaling)
GRPO_REWARDS = [{"name": "accuracy", "weight": 1.0}, {"name": "format", "weight": 0.5},
                {"name": "repetition", "weight": 0.5}]
# Always 0: 40-token completions are far below max_length - cache. Every group is flat in it.
FLAT_REWARD = {"name": "soft_overlong", "weight": 1.0, "max_length": 1000, "cache": 10}

STAGES = {
    "pretrain": dict(
        config="configs/stages/pretrain-arithmetic.yaml", via="model",
        # 1-digit sums: 100 prompts, of which 60 draws are held out, so documents skip some
        base={**LOOP, "max_steps": 3, "batch_size": 4, "max_length": 96, "prompt.template": "r1_zero",
              "corpus.task_options": ONE_DIGIT, "corpus.steps_fraction": 0.3,
              "corpus.direct_accuracy": 0.3, "corpus.held_out_seed": 2, "corpus.held_out_size": 60}),
    "sft": dict(
        config="configs/stages/sft-arithmetic.yaml", via="model",
        # 8 task rows and 4 file rows, a quarter held out: 3 steps of 4 rows, 2 evaluations
        base={**LOOP, "init.checkpoint": "{base}", "epochs": 1, "max_steps": 0,
              "data.task_options": ONE_DIGIT, "data.task_size": 8, "data.eval_fraction": 0.25,
              "data.train": [{"path": "{data}/sft_a.jsonl"}], "data.max_length": 128,
              "data.packing": "none", "data.prompt.template": "r1_zero", "batch.batch_size": 4,
              "batch.micro_batch_size": 2, "eval.every": 2, "optim.lr": 1e-3}),
    "distill": dict(
        config="configs/stages/distill-arithmetic.yaml", via="model",
        # the same rows; step 2 of 3 is on-policy (seed 42), so the sampling keys show
        base={**LOOP, "teacher.model": "{base}", "epochs": 1, "max_steps": 0,
              "data.task_options": ONE_DIGIT, "data.task_size": 8, "data.eval_fraction": 0.25,
              "data.train": [{"path": "{data}/sft_a.jsonl"}], "data.max_length": 128,
              "data.packing": "none", "data.prompt.template": "r1_zero", "batch.batch_size": 4,
              "batch.micro_batch_size": 2, "loss.distill_weight": 0.5, "on_policy.fraction": 0.5,
              "on_policy.sampling.max_completion_length": 8, "eval.every": 2}),
    "grpo": dict(
        config="configs/stages/grpo-arithmetic.yaml", via="model",
        # 2 rollouts of 2 prompts x 4; mini-batches of 4 make each rollout's second optimizer
        # step off-policy, so that the ratio is not 1 and the clip keys matter
        base={**LOOP, "init.checkpoint": "{base}", "max_steps": 2, "data.task_options": ONE_DIGIT,
              "data.eval_size": 4, "data.template": "r1_zero", "sampling.max_completion_length": 40,
              "batch.prompts_per_step": 2, "batch.num_generations": 4, "batch.mini_batch_size": 4,
              "batch.micro_batch_size": 2, "kl.beta": 0.1, "optim.lr": 1e-3,
              "rewards": GRPO_REWARDS, "dynamic_sampling.gen_prompts_per_step": 3,
              "log.completions_every": 1, "log.eval_every": 0}),
    "rm": dict(
        config="configs/stages/rm-sort.yaml", via="model",
        # 6 task pairs and 4 file pairs, 2 held-out task pairs: 3 steps of 4 pairs
        base={**LOOP, "init.checkpoint": "{base}", "epochs": 1, "max_steps": 0,
              "data.task_options": ["min_count=3", "max_count=4"], "data.task_size": 6,
              "data.eval_size": 2, "data.train": [{"path": "{data}/rm_a.jsonl"}],
              "data.max_length": 64, "data.prompt.template": "r1_zero", "batch.batch_size": 4,
              "batch.micro_batch_size": 2, "eval.every": 2, "optim.lr": 1e-3,
              "loss.center_rewards_coefficient": 0.0}),
    "eval": dict(
        config="configs/stages/eval-arithmetic.yaml", via="eval",
        base={"model": "{base}", "data.task_options": ONE_DIGIT, "data.eval_size": 4,
              "data.template": "r1_zero", "num_samples": 2, "sampling.max_completion_length": 40,
              "verifier": [{"name": "accuracy", "weight": 1.0}, {"name": "format", "weight": 0.5}]}),
}


def common_keys(stage):
    return {
        "stage": Rejected("sft" if stage == "eval" else "eval"),
        "seed": Key(7),
        "run_dir": Key("{box}/elsewhere", via="files"),
    }


def template_keys(prefix, plain="plain", room=None):
    """The prompt keys under prompt. (pretrain), data.prompt. (sft, distill) or data. (grpo, eval).
    A conversation's assistant turn must start with chat_generation (sft_data.cpp), so the chat
    texts change in ways that keep it so; qwen_math's default text needs `room` (a length key)."""
    qwen = {prefix + "template": "qwen_math", **({room: 256} if room else {})}
    chat = {prefix + "template": "chat"}
    return {
        prefix + "template": Key(plain),
        prefix + "prefilled_think": Key(True),
        prefix + "templates.r1_zero": Key("Q: {prompt}\nA:"),
        prefix + "templates.qwen_math": Key("<|im_start|>user\n{prompt}<|im_end|>\n", extra=qwen),
        prefix + "templates.chat_system": Key("Be brief.", extra=chat),
        prefix + "templates.chat_turn": Key("<|im_start|>{role}\n{content}\n<|im_end|>\n", extra=chat),
        prefix + "templates.chat_generation": Key("<|im_start|>assistant", extra=chat),
    }


def sampling_keys(prefix):
    return {
        prefix + "temperature": Key(0.5),
        prefix + "top_p": Key(0.5),
        prefix + "top_k": Key(3),
        prefix + "min_p": Key(0.9),
        prefix + "repetition_penalty": Key(3.0),
        prefix + "max_prompt_length": Rejected(5),  # "longer is an error"
    }


OPTIM_KEYS = {
    "optim.lr": Key(0.01),
    "optim.betas": Key([0.5, 0.9]),
    "optim.eps": Key(0.1),
    "optim.weight_decay": Key(0.5),
    "optim.max_grad_norm": Key(0.001),
    "optim.schedule": Key("constant"),
    "optim.warmup_steps": Key(3),
    "optim.min_lr_ratio": Key(0.5),
}

LOOP_KEYS = {  # the step loop's cadences (train/step_loop.cpp)
    "log.every": Key(2, via="metrics"),
    "checkpoint.every": Key(1, via="files"),
    "checkpoint.keep": Key(1, via="files", extra={"checkpoint.every": 1}),  # of those at steps 1, 2
}

# Micro-batches never change the math (the loss is normalised per step): the weights differ in
# float summation order only (about 1e-6 of a step's change); a size that does not divide the
# batch is rejected.
MICRO_BATCH = [Key(1), Rejected(3)]

SFT_DATA_KEYS = {  # the SFT rows, shared by sft and distill (train/sft_dataset.cpp)
    "epochs": Key(2),
    "max_steps": Key(1),
    "data.train": Key([]),
    "data.train[].path": Key("{data}/sft_b.jsonl"),
    "data.train[].weight": Key(2.5),
    "data.eval": Key(["{data}/sft_eval.jsonl"], via="metrics", extra={"data.eval_fraction": 0.0}),
    "data.eval_fraction": Key(0.0),
    "data.task": Key(""),
    "data.task_options": Key(TWO_DIGIT),
    "data.task_seed": Key(5),
    "data.task_size": Key(4),
    "data.max_length": Key(80),  # cuts the conversation row
    "data.packing": Key("bfd"),
    "data.on_error": Key("skip", via="exit", extra={"data.train": [{"path": "{data}/sft_bad.jsonl"}]}),
    **template_keys("data.prompt.", plain="chat", room="data.max_length"),  # plain: no conversations
    "batch.batch_size": Key(2),
    "batch.micro_batch_size": MICRO_BATCH,
    "loss.normalize": Key("sequence"),
    "loss.completion_only": Key(False),
    "eval.every": Key(0, via="metrics"),
}

KEYS = {
    "pretrain": {
        **common_keys("pretrain"),
        "max_steps": Key(4),
        "batch_size": Key(5),
        "max_length": Key(16),
        "precision": Key("bf16"),
        "model.config": Key("configs/models/qwen2-student-tiny/config.json"),
        "model.special_tokens": Key(["<|end|>"]),  # the tokenizer.json saved with the model
        "model.mtp_lambda": Key(0.0),
        "model.balance_alpha": Key(0.1),
        "model.bias_update_gamma": Key(0.0),
        "corpus.task": Key("countdown", also={"corpus.task_options": []}),
        "corpus.task_options": Key(TWO_DIGIT),
        "corpus.steps_fraction": Key(1.0),
        "corpus.direct_accuracy": Key(1.0),
        "corpus.held_out_seed": Key(5),
        "corpus.held_out_size": Key(0),
        **template_keys("prompt."),
        **OPTIM_KEYS,
        **LOOP_KEYS,
    },
    "sft": {
        **common_keys("sft"),
        **SFT_DATA_KEYS,
        "precision": Key("bf16"),
        "init.checkpoint": Key("{other}"),
        "loss.neftune_alpha": Key(5.0),
        **OPTIM_KEYS,
        **LOOP_KEYS,
        "moe.bias_update_gamma": Key(0.01),
    },
    "distill": {
        **common_keys("distill"),
        **SFT_DATA_KEYS,
        "teacher.model": Key("{other}"),
        "teacher.top_k": Key(4),
        "student.checkpoint": Key("{other}", also={"student.config": ""}),  # exactly one of them
        "student.config": Key(MOE_CONFIG),
        "loss.beta": Key(0.1),
        "loss.temperature": Key(2.0),
        "loss.distill_weight": Key(1.0),
        "on_policy.fraction": Key(0.0),
        **sampling_keys("on_policy.sampling."),
        "on_policy.sampling.max_completion_length": Key(3),
        "on_policy.sampling.stop": Key(list("0123456789<>/ \n")),  # the random student stops early
        **OPTIM_KEYS,
        **LOOP_KEYS,
        # the example's student is a dense Qwen2: no experts to balance; a MoE student has some
        "moe.bias_update_gamma": Key(0.01, extra={"student.config": MOE_CONFIG}),
    },
    "rm": {
        **common_keys("rm"),
        "epochs": Key(2),
        "max_steps": Key(1),
        "init.checkpoint": Key("{other}"),
        "data.train": Key([]),
        "data.train[].path": Key("{data}/rm_b.jsonl"),
        "data.train[].weight": Key(2.5),
        # without the task, so that its held-out stream (data.eval_size) is off too
        "data.eval": Key(["{data}/rm_eval.jsonl"], via="metrics",
                         also={"data.task": "", "data.eval_size": 0}),
        "data.eval_fraction": Key(0.5, via="metrics", also={"data.task": "", "data.eval_size": 0}),
        "data.task": Key("", also={"data.eval_size": 0}),
        "data.task_options": Key(["min_count=5", "max_count=5"]),
        "data.task_seed": Key(9),
        "data.task_size": Key(2),
        "data.eval_size": Key(1, via="metrics"),
        "data.max_length": Key(36, via="metrics"),  # drops the longer pairs
        "data.on_error": Key("skip", via="exit", extra={"data.train": [{"path": "{data}/rm_bad.jsonl"}]}),
        **template_keys("data.prompt.", room="data.max_length"),
        # ChatML's turns are longer than the base's 64 tokens
        **{"data.prompt.templates." + k: Key(v, extra={"data.prompt.template": "chat",
                                                        "data.max_length": 256})
           for k, v in [("chat_system", "Be brief."),
                        ("chat_turn", "<|im_start|>{role}\n{content}\n<|im_end|>\n"),
                        ("chat_generation", "<|im_start|>assistant")]},
        "batch.batch_size": Key(2),
        "batch.micro_batch_size": MICRO_BATCH,
        "loss.center_rewards_coefficient": Key(0.5),
        "eval.every": Key(0, via="metrics"),
        **OPTIM_KEYS,
        **LOOP_KEYS,
        "moe.bias_update_gamma": Key(0.01),
    },
    "grpo": {
        **common_keys("grpo"),
        "max_steps": Key(1),
        "init.checkpoint": Key("{other}"),
        "data.train": Key("{data}/prompts_b.jsonl",
                          extra={"data.task": "", "data.train": "{data}/prompts_a.jsonl"}),
        "data.eval": Key("{data}/prompts_b.jsonl", via="metrics",  # the in-run evaluation's
                         extra={"data.task": "", "data.train": "{data}/prompts_a.jsonl",
                                "log.eval_every": 1}),
        "data.task": Key("", also={"data.train": "{data}/prompts_a.jsonl"}),
        "data.task_options": Key(TWO_DIGIT),
        "data.task_seed": Key(5),
        "data.eval_size": Key(2, via="metrics", extra={"log.eval_every": 1}),
        **template_keys("data.", room="sampling.max_prompt_length"),
        **sampling_keys("sampling."),
        "sampling.max_completion_length": Key(20),
        "sampling.stop": Key(["</think>"]),
        "batch.prompts_per_step": Key(1),
        "batch.num_generations": Key(2, also={"batch.mini_batch_size": 2}),
        "batch.mini_batch_size": Key(8),  # one optimizer step per rollout instead of two
        "batch.micro_batch_size": MICRO_BATCH,
        "batch.num_iterations": Key(2),
        # decoding 3 at a time gives the same samples (a generator per sequence): the engine's
        # debug line in log.txt says how many batches it decoded
        "batch.generation_batch_size": Key(3, via="log"),
        "advantage.estimator": Key("rloo"),
        "advantage.scale": Key("none"),
        "advantage.eps": Key(0.5),
        "clip.eps_low": Key(0.0),
        "clip.eps_high": Key(0.0),
        "clip.dual_clip_c": Key(1.0),
        "clip.ratio_level": Key("sequence"),
        "kl.beta": Key(0.0),
        "kl.estimator": Key("k1"),
        # a large step moves the policy far enough from the reference for k3 to reach its clamp
        "kl.clamp": Key(False, extra={"optim.lr": 0.5, "kl.beta": 1.0}),
        "kl.ref_update_every": Key(1),
        "kl.ref_mixup_alpha": Key(0.5, extra={"kl.ref_update_every": 1}),
        "loss.agg": Key("seq_mean_token_sum"),
        "loss.dr_grpo_constant": Key(7, extra={"loss.agg": "dr_grpo"}),
        "loss.entropy_coef": Key(0.1),
        "truncation.mask_truncated": Key(True),  # some baseline completions reach 40 tokens
        "truncation.truncated_reward": Key(0.5),
        # enabled, it generates gen_prompts_per_step (3) prompts a batch and keeps B (2) groups
        "dynamic_sampling.enable": Key(True),
        "dynamic_sampling.gen_prompts_per_step": Key(4, extra={"dynamic_sampling.enable": True}),
        # a metric or a tolerance under which every group is flat: no step fills ...
        "dynamic_sampling.metric": Key("soft_overlong", via="exit",
                                       extra={"dynamic_sampling.enable": True,
                                              "rewards": GRPO_REWARDS + [FLAT_REWARD]}),
        "dynamic_sampling.tol": Key(1.0, via="exit", extra={"dynamic_sampling.enable": True}),
        # ... and the batches generated before giving up
        "dynamic_sampling.max_gen_batches": Key(1, via="exit",
                                                extra={"dynamic_sampling.enable": True,
                                                       "dynamic_sampling.tol": 1.0}),
        "rewards": Key(GRPO_REWARDS[:2]),
        "rewards[].name": Key("tag_count", at="rewards.2.name"),
        "rewards[].weight": Key(3.0, at="rewards.1.weight"),
        **OPTIM_KEYS,
        **LOOP_KEYS,
        "checkpoint.keep": Key(1, via="files", extra={"checkpoint.every": 1, "max_steps": 3}),
        "log.completions_every": Key(0, via="files"),
        "log.num_completions_to_print": Key(0, via="log"),
        "log.eval_every": Key(1, via="metrics"),
        "log.eval_samples": Key(1, via="metrics", extra={"log.eval_every": 1}),
        "moe.bias_update_gamma": Key(0.01),
    },
    "eval": {
        **common_keys("eval"),
        "model": Key("{other}"),
        "precision": Key("bf16"),
        "data.train": Rejected("{data}/prompts_a.jsonl"),  # evaluation reads held-out prompts
        "data.eval": Key("{data}/prompts_b.jsonl",
                         extra={"data.task": "", "data.eval": "{data}/prompts_a.jsonl"}),
        "data.task": Key("", also={"data.eval": "{data}/prompts_a.jsonl"}),
        "data.task_options": Key(TWO_DIGIT),
        "data.task_seed": Key(5),
        "data.eval_size": Key(2),
        **template_keys("data.", room="sampling.max_prompt_length"),
        **sampling_keys("sampling."),
        "sampling.max_completion_length": Key(20),
        "sampling.stop": Key(["</think>"]),
        "num_samples": Key(3),
        # the tiny model's answers are wrong and its format often right: format alone reaches 1
        "verifier": Key([{"name": "format"}]),
        "verifier[].name": Key("format", at="verifier.0.name"),
        "verifier[].weight": Key(1.0, at="verifier.1.weight"),
    },
}


# --------------------------------------------------------------------------------------------------
# Runs and their fingerprints


def fill(value, paths):
    if isinstance(value, str):
        for name, path in paths.items():
            value = value.replace("{" + name + "}", path)
        return value
    if isinstance(value, list):
        return [fill(v, paths) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, paths) for k, v in value.items()}
    return value


def set_args(sets):
    return [arg for key, value in sets.items() for arg in ("--set", f"{key}={json.dumps(value)}")]


def strip_dir(text, directory):
    return text.replace(str(directory), "DIR")


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


TIMESTAMP = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+\] ")


def fingerprint(box, proc):
    files = sorted(p for p in box.rglob("*") if p.is_file())
    found = {p.name: p for p in files}
    error = next((line for line in proc.stderr.splitlines() if line.startswith("r1: error:")), "")
    parts = {"exit": (proc.returncode, strip_dir(error, box)),
             "files": [str(p.relative_to(box)) for p in files],
             "model": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in files if p.parent.name == "final"},
             "metrics": [], "completions": [], "eval": [], "log": []}
    if "metrics.jsonl" in found:
        parts["metrics"] = [{k: v for k, v in row.items() if not k.startswith(("time/", "perf/"))}
                            for row in read_jsonl(found["metrics.jsonl"])]
    if "completions.jsonl" in found:
        parts["completions"] = read_jsonl(found["completions.jsonl"])
    if "eval.json" in found:
        summary = json.loads(found["eval.json"].read_text())
        summary.pop("model", None)
        parts["eval"] = [summary, read_jsonl(found["eval_samples.jsonl"])]
    if "log.txt" in found:
        lines = (strip_dir(TIMESTAMP.sub("", line), box)
                 for line in found["log.txt"].read_text(errors="replace").splitlines())
        parts["log"] = [line for line in lines if "[#" not in line]  # the progress bar: timings
    return parts


class Runner:
    """`r1 train` in a fresh directory per run (a run directory with checkpoints would resume)."""

    def __init__(self, paths):
        self.paths = paths
        self.runs = 0
        self.seconds = 0.0

    def run(self, stage, box, sets):
        shutil.rmtree(box, ignore_errors=True)
        box.mkdir(parents=True)
        spec = STAGES[stage]
        sets = fill({**spec["base"], "run_dir": "{box}/run", **sets}, {**self.paths, "box": str(box)})
        t0 = time.time()
        proc = subprocess.run([R1, "--threads", "1", "--log-level", "warn", "train", "--stage", stage,
                               "--config", spec["config"], *set_args(sets)],
                              cwd=SOURCE, capture_output=True, text=True, errors="replace")
        self.seconds += time.time() - t0
        self.runs += 1
        return proc, fingerprint(box, proc)


def schemas():
    """{stage: [key, ...]} for each stage `r1 train --help` names whose schema prints (the others
    are not implemented yet). Sections are no keys; lists of sections are."""
    text = subprocess.run([R1, "train", "--help"], capture_output=True, text=True, check=True).stdout
    out = {}
    for stage in re.search(r"Stage to run: (\S+)", text).group(1).split("|"):
        proc = subprocess.run([R1, "info", "--schema", stage], capture_output=True, text=True)
        if proc.returncode == 0:
            matches = (re.match(r"^(\S+)  \((.*?)[,)]", line) for line in proc.stdout.splitlines())
            out[stage] = [m.group(1) for m in matches if m and m.group(2) != "section"]
    return out


def names_key(message, key):
    """The message names the key: its path, or a dotted tail of it (the engine's errors say
    'sampling.max_prompt_length' whichever section holds the sampling options)."""
    parts = key.replace("[]", "").split(".")
    tails = [".".join(parts[i:]) for i in range(len(parts) - 1)] or parts
    return any(re.search(r"(^|[^\w.])" + re.escape(t) + r"($|\W)", message) for t in tails)


def judge(stage, key, check, base, run):
    """None when the row holds; otherwise what went wrong."""
    (base_proc, base_fp), (proc, fp) = base, run
    error = fp["exit"][1]
    if check.reject:
        if proc.returncode == 2 and names_key(error, key):
            return None
        return f"expected exit 2 naming '{key}', got exit {proc.returncode}: {error}"
    via = check.via or STAGES[stage]["via"]
    if via != "exit" and proc.returncode != 0:
        return f"the run failed (exit {proc.returncode}): {error}"
    if via != "exit" and base_proc.returncode != 0:
        return f"the baseline with {check.extra} failed: {base_fp['exit'][1]}"
    if fp[via] == base_fp[via]:
        others = [part for part in fp if fp[part] != base_fp[part]]
        return f"DOES NOTHING: {via} unchanged" + (f" (only {', '.join(others)} changed)" if others else "")
    return None


def check_stage(stage, schema, runner, failures):
    """Runs the stage's rows; returns (keys, changed, rejected), or None if the baseline failed."""
    rows = KEYS[stage]
    failures += [f"{stage}: schema key '{k}' has no row in KEYS (show what it does)"
                 for k in schema if k not in rows]
    failures += [f"{stage}: KEYS row '{k}' is not in `r1 info --schema {stage}`"
                 for k in rows if k not in schema]
    wanted = [k for k in schema if k in rows and (stage in ONLY or f"{stage}.{k}" in ONLY or not ONLY)]
    baselines = {}

    def baseline(extra):  # one per set of extra settings
        tag = json.dumps(extra, sort_keys=True)
        if tag not in baselines:
            baselines[tag] = runner.run(stage, WORK / stage / f"base{len(baselines)}", extra)
        return baselines[tag]

    proc, base = baseline({})
    if proc.returncode != 0:
        failures.append(f"{stage}: the baseline failed: {proc.stderr.strip()[-800:]}")
        return None
    _, again = runner.run(stage, WORK / stage / "base-again", {})
    if unstable := [part for part in base if base[part] != again[part]]:
        failures.append(f"{stage}: the baseline, run twice, differs in {', '.join(unstable)}")
        return None
    changed = rejected = 0
    for key in wanted:
        for n, check in enumerate(rows[key] if isinstance(rows[key], list) else [rows[key]]):
            setting = check.at or key.replace("[]", ".0")
            box = WORK / stage / (re.sub(r"[^\w.]+", "_", key) + (f"-{n}" if n else ""))
            run = runner.run(stage, box, {**check.extra, setting: check.value, **check.also})
            problem = judge(stage, key, check, baseline(check.extra), run)
            label = f"{setting}={strip_dir(json.dumps(fill(check.value, runner.paths)), WORK)}"[:60]
            if problem:
                failures.append(f"{stage}: {label}: {problem}")
            elif not os.environ.get("R1_KEEP_RUNS"):
                shutil.rmtree(box)  # kept where a row failed (and with R1_KEEP_RUNS=1)
            changed += not problem and not check.reject
            rejected += not problem and check.reject
            outcome = f"FAILED: {problem}" if problem else \
                f"rejected: {run[1]['exit'][1]}" if check.reject else check.via or STAGES[stage]["via"]
            print(f"  {stage:<9} {label:<60} {strip_dir(outcome, WORK)[:110]}")
    return len(wanted), changed, rejected


def main():
    sys.stdout.reconfigure(line_buffering=True)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    t0 = time.time()
    write_fixtures(WORK / "data")
    # the base model: 1-digit sums in the answer format, often wrong; the other: 2 steps, seed 7
    models = {}
    for name, sets in [("base", {"max_steps": 40, "batch_size": 16, "corpus.task_options": ONE_DIGIT,
                                 "corpus.steps_fraction": 0.0, "corpus.direct_accuracy": 0.5,
                                 "corpus.held_out_seed": -1, "optim.lr": 1e-2,
                                 "optim.schedule": "constant", "optim.warmup_steps": 3}),
                       ("other", {"max_steps": 2, "batch_size": 4, "seed": 7})]:
        run_dir = WORK / "models" / name
        subprocess.run([R1, "--threads", "1", "--log-level", "warn", "train", "--stage", "pretrain",
                        "--config", "configs/stages/pretrain-arithmetic.yaml",
                        *set_args({**sets, "run_dir": str(run_dir), "checkpoint.every": 0})],
                       cwd=SOURCE, check=True)
        models[name] = str(run_dir / "final")
    print(f"fixture models in {time.time() - t0:.1f} s")
    runner = Runner({**models, "data": str(WORK / "data")})
    failures, summary = [], []
    for stage, schema in schemas().items():
        if stage not in KEYS:
            failures.append(f"stage '{stage}' has a schema but no table in {pathlib.Path(__file__).name}")
        elif not ONLY or any(o == stage or o.startswith(stage + ".") for o in ONLY):
            t, runs = time.time(), runner.runs
            if result := check_stage(stage, schema, runner, failures):
                summary.append((stage, *result, runner.runs - runs, time.time() - t))
    print(f"\n{'stage':<10} {'keys':>5} {'changed':>8} {'rejected':>9} {'runs':>5} {'seconds':>8}")
    for stage, keys, changed, rejected, runs, seconds in summary:
        print(f"{stage:<10} {keys:>5} {changed:>8} {rejected:>9} {runs:>5} {seconds:>8.1f}")
    print(f"{runner.runs} runs in {runner.seconds:.0f} s; {time.time() - t0:.0f} s in all")
    if failures:
        print(f"\n{len(failures)} failures:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
