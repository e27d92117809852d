#!/usr/bin/env python3
"""End-to-end checks of the training CLI on a few tiny steps (ctest runs them under label cli):

  train_runs.py R1 SOURCE_DIR WORK_DIR resume    kill -9 a GRPO run after a checkpoint, resume it,
                                                 and compare its per-step losses and rewards with
                                                 an uninterrupted run's
  train_runs.py R1 SOURCE_DIR WORK_DIR stages    the same kill -9 and resume for sft, distill and rm:
                                                 the resumed run's losses equal the uninterrupted
                                                 run's
  train_runs.py R1 SOURCE_DIR WORK_DIR pipeline  the README's R1-Zero pipeline, shrunk: every stage
                                                 runs and summary.json holds the figures; a second
                                                 run skips the finished stages
  train_runs.py R1 SOURCE_DIR WORK_DIR dynamic   GRPO with dynamic sampling: every trained group
                                                 carries a signal and refills move the data cursor;
                                                 a filter nothing passes is a clear error
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

R1, SOURCE, WORK, MODE = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), sys.argv[4]
GRPO_CONFIG = SOURCE / "configs/stages/grpo-arithmetic.yaml"
TINY_RL = ["batch.prompts_per_step=2", "batch.num_generations=4", "batch.mini_batch_size=8",
           "batch.micro_batch_size=4", "sampling.max_completion_length=48"]


def r1(*args, **kwargs):
    cmd = [R1, "--threads", "1", *args]
    return subprocess.run(cmd, cwd=SOURCE, check=True, **kwargs)


def sets(pairs):
    return [item for pair in pairs for item in ("--set", pair)]


def metrics(run_dir):
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [(row["step"], row["loss/total"], row["reward/mean"]) for row in rows]


def pretrain(run_dir, steps):
    r1("train", "--stage", "pretrain", "--config", str(SOURCE / "configs/stages/pretrain-arithmetic.yaml"),
       *sets([f"max_steps={steps}", "batch_size=16", f"run_dir={run_dir}"]), stdout=subprocess.DEVNULL)
    return run_dir / "final"


def grpo_args(base, run_dir):
    return ["train", "--stage", "grpo", "--config", str(GRPO_CONFIG),
            *sets(TINY_RL + [f"init.checkpoint={base}", "max_steps=6", "checkpoint.every=2",
                             f"run_dir={run_dir}"])]


def kill_at_checkpoint(args, run_dir, step):
    """Starts `r1 args`, kills it with SIGKILL once ckpt/step-<step> exists."""
    proc = subprocess.Popen([R1, "--threads", "1", *args], cwd=SOURCE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (run_dir / "ckpt" / f"step-{step:08d}").exists():
        assert proc.poll() is None, f"the run ended before its step-{step} checkpoint"
        assert time.time() < deadline, f"no step-{step} checkpoint within 300 s"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def rows_of(run_dir, keys):
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [tuple(row[k] for k in ("step", *keys)) for row in rows]


def expect_same_after_resume(make_args, name, keys, steps):
    """An uninterrupted run and one killed after its step-4 checkpoint then resumed log the same."""
    r1(*make_args(WORK / f"{name}_full"), stdout=subprocess.DEVNULL)
    killed = WORK / f"{name}_killed"
    kill_at_checkpoint(make_args(killed), killed, 4)
    print(name, "killed after", len(rows_of(killed, keys)), "logged steps")
    r1(*make_args(killed), stdout=subprocess.DEVNULL)
    full, resumed = rows_of(WORK / f"{name}_full", keys), rows_of(killed, keys)
    print("uninterrupted:", full)
    print("resumed:      ", resumed)
    assert [row[0] for row in resumed] == list(range(1, steps + 1)), resumed
    for a, b in zip(full, resumed):
        for x, y in zip(a[1:], b[1:]):
            assert abs(x - y) <= 1e-6 * max(1.0, abs(x)), (name, a, b)


def check_resume():
    base = pretrain(WORK / "pre", 200)  # enough to follow the format: rewards and losses vary
    expect_same_after_resume(lambda run_dir: grpo_args(base, run_dir), "grpo",
                             ("loss/total", "reward/mean"), 6)
    full = rows_of(WORK / "grpo_full", ("loss/total", "reward/mean"))
    assert any(loss != 0.0 for _, loss, _ in full) and any(r > 0.0 for _, _, r in full), full


def check_stages():
    base = pretrain(WORK / "pre", 20)
    tiny = ["max_steps=6", "checkpoint.every=2", "data.task_size=48", "data.max_length=64",
            "batch.batch_size=4", "batch.micro_batch_size=2", "eval.every=3"]
    sft = lambda run_dir: ["train", "--stage", "sft", "--config",
                           str(SOURCE / "configs/stages/sft-arithmetic.yaml"),
                           *sets(tiny + [f"init.checkpoint={base}", f"run_dir={run_dir}"])]
    expect_same_after_resume(sft, "sft", ("loss", "token_accuracy"), 6)
    teacher = WORK / "sft_full" / "final"
    distill = lambda run_dir: ["train", "--stage", "distill", "--config",
                               str(SOURCE / "configs/stages/distill-arithmetic.yaml"),
                               *sets(tiny + [f"teacher.model={teacher}", f"run_dir={run_dir}",
                                             "on_policy.fraction=0.5",
                                             "on_policy.sampling.max_completion_length=16"])]
    expect_same_after_resume(distill, "distill", ("loss", "loss/divergence"), 6)
    rm = lambda run_dir: ["train", "--stage", "rm", "--config", str(SOURCE / "configs/stages/rm-sort.yaml"),
                          *sets(tiny + ["data.eval_size=16", f"init.checkpoint={base}",
                                        f"run_dir={run_dir}"])]
    expect_same_after_resume(rm, "rm", ("loss", "accuracy"), 6)


def check_pipeline():
    run_dir = WORK / "pipe"
    args = ["pipeline", str(SOURCE / "configs/r1-zero-tiny.yaml"),
            *sets([f"run_dir={run_dir}", "seed=3", "base.max_steps=3", "base.batch_size=16",
                   "base_eval.data.eval_size=4", "final_eval.data.eval_size=4",
                   "base_eval.num_samples=2", "final_eval.num_samples=2", "zero_rl.max_steps=2"]
                 + [f"zero_rl.{s}" for s in TINY_RL])]
    r1(*args, stdout=subprocess.DEVNULL)
    summary = json.loads((run_dir / "summary.json").read_text())
    for key in ("base", "final", "rl", "stages"):
        assert key in summary, (key, summary)
    assert {s["name"] for s in summary["stages"]} == {"base", "base_eval", "zero_rl", "final_eval"}
    assert all(s["wall_seconds"] > 0 for s in summary["stages"])
    assert 0.0 <= summary["final"]["pass@1"] <= 1.0 and summary["k"] == 2
    assert (run_dir / "zero_rl" / "report.html").read_text().count("<svg") >= 3
    assert json.loads((run_dir / "base" / "stage.json").read_text())["result"]["steps"] == 3
    again = r1(*args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert again.stderr.count("is done already") == 4, again.stderr
    print(json.dumps({k: summary[k] for k in ("base", "final", "rl")}, indent=1))


def check_dynamic():
    base = pretrain(WORK / "pre", 200)
    run_dir = WORK / "dyn"
    dynamic = ["dynamic_sampling.enable=true", "dynamic_sampling.gen_prompts_per_step=4",
               "dynamic_sampling.max_gen_batches=8"]
    r1("train", "--stage", "grpo", "--config", str(GRPO_CONFIG),
       *sets(TINY_RL + dynamic + [f"init.checkpoint={base}", "max_steps=3", f"run_dir={run_dir}"]),
       stdout=subprocess.DEVNULL)
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    seen = 0
    for row in rows:
        print({k: row[k] for k in row if k.startswith("dynamic") or k in ("step", "prompts_seen")})
        assert row["frac_reward_zero_std"] == 0.0, row  # flat groups never reach the update
        batches = row["dynamic_sampling/generation_batches"]
        assert row["prompts_seen"] == seen + 4 * batches, (row, seen)
        seen = row["prompts_seen"]
    failed = subprocess.run(
        [R1, "--threads", "1", "train", "--stage", "grpo", "--config", str(GRPO_CONFIG),
         *sets(TINY_RL + dynamic + ["dynamic_sampling.tol=1", "dynamic_sampling.max_gen_batches=2",
                                    f"init.checkpoint={base}", f"run_dir={WORK / 'flat'}"])],
        cwd=SOURCE, capture_output=True, text=True)
    assert failed.returncode == 2, (failed.returncode, failed.stderr[-500:])
    assert "dynamic sampling: only 0 of 2 groups" in failed.stderr, failed.stderr[-500:]
    assert "raise dynamic_sampling.max_gen_batches" in failed.stderr, failed.stderr[-500:]


if __name__ == "__main__":
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    {"resume": check_resume, "stages": check_stages, "pipeline": check_pipeline,
     "dynamic": check_dynamic}[MODE]()
    print("ok")
