#!/usr/bin/env python3
"""A reward model r1 trains and saves loads in transformers (AutoModelForSequenceClassification)
as Qwen2 / Llama / DeepseekV3 ForSequenceClassification and scores as `r1 score --reward-model`
does, within 1e-4 relative to the largest reward (tests/cli, label parity).

For each of make_rm_fixture.py's causal-LM directories: `r1 train --stage rm` for a few steps on
the sort task (plain template), `r1 score --reward-model run/final` on prompt/completion rows,
then transformers on the same texts (prompt + completion + EOS, its own tokenizer, right padding).
Usage: check_rm_dir.py R1 FIXTURE_DIR WORK_DIR
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import torch
import transformers

R1, FIXTURE, WORK = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
SOURCE = pathlib.Path(__file__).resolve().parents[2]
ROWS = [{"prompt": "Sort: 7 3 9 1", "completion": " 1 3 7 9"},
        {"prompt": "Sort: 7 3 9 1", "completion": " 1 7 3 9"},
        {"prompt": "which answer is better?", "completion": " the answer is four"},
        {"prompt": "Sort: 2 1", "completion": " 1 2"}]
FAMILY = {"qwen2_lm": "Qwen2", "llama_lm": "Llama", "deepseek_lm": "DeepseekV3"}


def r1(*args):
    subprocess.run([R1, "--threads", "1", *args], check=True, stdout=subprocess.DEVNULL)


def train(name):
    run_dir = WORK / name
    sets = [f"init.checkpoint={FIXTURE / name}", f"run_dir={run_dir}", "max_steps=3", "eval.every=0",
            "data.task_size=48", "data.eval_size=0", "data.prompt.template=plain", "batch.batch_size=8",
            "batch.micro_batch_size=4", "checkpoint.every=0"]
    r1("train", "--stage", "rm", "--config", str(SOURCE / "configs/stages/rm-sort.yaml"),
       *[x for s in sets for x in ("--set", s)])
    return run_dir / "final"


def r1_scores(model_dir, name):
    rows, out = WORK / "rows.jsonl", WORK / f"{name}_scores.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    r1("score", "--reward-model", str(model_dir), "--input", str(rows), "--output", str(out))
    return torch.tensor([json.loads(line)["reward"] for line in out.read_text().splitlines()])


def transformers_scores(model_dir):
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    ids = [tok(r["prompt"] + r["completion"] + tok.eos_token)["input_ids"] for r in ROWS]
    S = max(len(i) for i in ids)
    pad = model.config.pad_token_id
    input_ids = torch.tensor([i + [pad] * (S - len(i)) for i in ids])
    mask = torch.tensor([[1] * len(i) + [0] * (S - len(i)) for i in ids])
    with torch.no_grad():
        return model(input_ids=input_ids, attention_mask=mask).logits.squeeze(-1), type(model).__name__


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    transformers.logging.set_verbosity_error()
    for name, family in FAMILY.items():
        final = train(name)
        config = json.loads((final / "config.json").read_text())
        assert config["architectures"] == [f"{family}ForSequenceClassification"], config["architectures"]
        assert config["id2label"] == {"0": "LABEL_0"} and config["pad_token_id"] is not None, config
        assert os.path.exists(final / "tokenizer.json") and os.path.exists(final / "chat_template.jinja")
        ours = r1_scores(final, name)
        theirs, cls = transformers_scores(final)
        err = (ours - theirs).abs().max().item() / max(theirs.abs().max().item(), 1e-6)
        print(f"{name}: transformers loads {cls}; r1 {ours.tolist()} vs transformers {theirs.tolist()}; "
              f"max relative difference {err:.2e}")
        assert cls == f"{family}ForSequenceClassification", cls
        assert err <= 1e-4, (name, ours, theirs)
    print("ok")


if __name__ == "__main__":
    main()
