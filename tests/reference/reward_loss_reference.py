#!/usr/bin/env python3
"""Runs TRL's own RewardTrainer.compute_loss on seeded random rewards and saves, per case, the
rewards, margins, loss, its gradient with respect to the rewards and the metrics TRL logs, for r1's
pairwise loss parity test (tests/train/pairwise_loss_test.cpp), as OUT_DIR/reward_trl.pt.

TRL's method is called unbound on a minimal stand-in for the trainer: only the attributes it reads
are set, the accelerator is single-process. In the loss cases the "model" returns a leaf tensor of
rewards we control; in the pooling case it is a tiny transformers Qwen2ForSequenceClassification,
whose per-token scores are captured so that r1 can redo the last-non-padding-token reading.
Usage: reward_loss_reference.py OUT_DIR
"""
import os
import sys
import types
from collections import defaultdict

import torch
import transformers
import trl
from trl import RewardTrainer

N, L, PAD = 5, 6, 0


class SingleProcess:
    def gather(self, x):
        return x

    gather_for_metrics = gather


def stand_in(center_rewards_coefficient):
    return types.SimpleNamespace(
        model=types.SimpleNamespace(training=True), accelerator=SingleProcess(),
        args=types.SimpleNamespace(center_rewards_coefficient=center_rewards_coefficient),
        _metrics={"train": defaultdict(list)}, _total_train_tokens=0, _tp_size=1)


def padded_ids(gen):
    """[2N, L] ids: chosen rows then rejected rows (TRL's collator), right-padded with PAD, one row
    left-padded (transformers' pooling takes the rightmost non-pad token either way)."""
    ids = torch.randint(1, 32, (2 * N, L), generator=gen)
    lengths = torch.randint(2, L + 1, (2 * N,), generator=gen)
    ids[torch.arange(L).unsqueeze(0) >= lengths.unsqueeze(1)] = PAD
    ids[1] = torch.cat([torch.full((2,), PAD), ids[1, : L - 2]])
    ids[1, 2] = 7  # not pad, so row 1 ends with real tokens after left padding
    return ids


def trl_loss(me, model, ids, margin):
    inputs = {"input_ids": ids, "attention_mask": (ids != PAD).long()}
    if margin is not None:
        inputs["margin"] = margin
    loss, outputs = RewardTrainer.compute_loss(me, model, inputs, return_outputs=True)
    metrics = {k: v[-1] for k, v in me._metrics["train"].items()}
    return loss, outputs, metrics


def save_metrics(out, name, metrics):
    for key in ("accuracy", "margin", "min_reward", "mean_reward", "max_reward"):
        out[f"{name}.{key}"] = torch.tensor(metrics[key], dtype=torch.float64)


def loss_case(out, name, gen, margin, center):
    rewards = torch.randn(2 * N, 1, generator=gen, dtype=torch.float64) * 2
    rewards[N + 1] = rewards[1]  # a tie: TRL's accuracy counts it as wrong (strict >)
    margins = torch.rand(N, generator=gen, dtype=torch.float64) if margin else None
    leaf = rewards.clone().requires_grad_(True)
    model = lambda **inputs: types.SimpleNamespace(logits=leaf)  # noqa: E731
    loss, _, metrics = trl_loss(stand_in(center), model, padded_ids(gen), margins)
    loss.backward()
    out[f"{name}.chosen"], out[f"{name}.rejected"] = rewards.squeeze(-1).chunk(2)
    out[f"{name}.grad_chosen"], out[f"{name}.grad_rejected"] = leaf.grad.squeeze(-1).chunk(2)
    if margin:
        out[f"{name}.margin_in"] = margins
    out[f"{name}.loss"] = loss.detach()
    save_metrics(out, name, metrics)


def pooling_case(out, gen):
    torch.manual_seed(7)
    config = transformers.Qwen2Config(
        vocab_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
        num_key_value_heads=1, num_labels=1, pad_token_id=PAD, max_position_embeddings=64)
    model = transformers.Qwen2ForSequenceClassification(config).to(torch.float64).eval()
    per_token = {}
    model.score.register_forward_hook(lambda module, args, result: per_token.setdefault("v", result))
    ids = padded_ids(gen)
    loss, outputs, metrics = trl_loss(stand_in(0.01), model, ids, None)
    out["pooled.input_ids"] = ids
    out["pooled.values"] = per_token["v"].squeeze(-1).detach()  # [2N, L] score per token
    out["pooled.rewards"] = outputs.logits.squeeze(-1).detach()  # [2N] read by transformers
    out["pooled.loss"] = loss.detach()
    save_metrics(out, "pooled", metrics)


def main():
    out = {}
    gen = torch.Generator().manual_seed(31337)
    cases = [("plain", False, None), ("margin", True, None), ("center", False, 0.01),
             ("margin_center", True, 0.1)]
    for name, margin, center in cases:
        loss_case(out, name, gen, margin, center)
    pooling_case(out, gen)
    os.makedirs(sys.argv[1], exist_ok=True)
    path = os.path.join(sys.argv[1], "reward_trl.pt")
    torch.save(out, path, _use_new_zipfile_serialization=True)
    print(f"wrote {len(cases) + 1} TRL {trl.__version__} RewardTrainer.compute_loss cases to {path}")


if __name__ == "__main__":
    main()
