#!/usr/bin/env python3
"""Runs TRL's own GKDTrainer.generalized_jsd_loss (trl.experimental.gkd) on seeded random float64
logits and saves, per case, the inputs, the loss and its gradient with respect to the student logits,
for r1's distillation loss parity test (tests/train/distill_loss_test.cpp), as OUT_DIR/distill_trl.pt.

The loss is a static method: it is called as is, with TRL's arguments spelled out (the trainer's
defaults are not relied upon). Usage: distill_loss_reference.py OUT_DIR
"""
import os
import sys

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

import torch  # noqa: E402
import trl  # noqa: E402
from trl.experimental.gkd import GKDTrainer  # noqa: E402

BETAS = (0.0, 0.5, 0.9, 1.0)  # 0 and 1 are TRL's KL special cases; 0.5 and 0.9 its mixture
TEMPERATURES = (1.0, 2.0)
REDUCTIONS = ("batchmean", "sum", "mean", "none")
B, T, V = 2, 5, 7


def labels_with_ignored(gen):
    """Labels [B, T] with -100 on a prompt-like prefix and on right padding, as GKD's collator makes."""
    labels = torch.randint(0, V, (B, T), generator=gen)
    labels[0, :2] = -100  # prompt
    labels[1, :1] = -100
    labels[1, 3:] = -100  # padding
    return labels


def run_case(out, name, gen, beta, temperature, reduction, masked, num_items=None):
    student = torch.randn(B, T, V, generator=gen, dtype=torch.float64) * 2
    teacher = torch.randn(B, T, V, generator=gen, dtype=torch.float64) * 2
    labels = labels_with_ignored(gen) if masked else None
    leaf = student.clone().requires_grad_(True)
    loss = GKDTrainer.generalized_jsd_loss(
        student_logits=leaf, teacher_logits=teacher, labels=labels, beta=beta,
        temperature=temperature, reduction=reduction, num_items_in_batch=num_items)
    # reduction "none" keeps TRL's per-element terms: differentiate a fixed random weighting of them.
    weight = torch.rand(loss.shape, generator=gen, dtype=torch.float64)
    (loss * weight).sum().backward()
    entries = dict(student=student, teacher=teacher, loss=loss.detach(), weight=weight, grad=leaf.grad)
    if masked:
        entries["labels"] = labels
    for key, value in entries.items():
        out[f"{name}.{key}"] = value


def main():
    out = {}
    gen = torch.Generator().manual_seed(20240611)
    count = 0
    for beta in BETAS:
        for temperature in TEMPERATURES:
            for reduction in REDUCTIONS:
                for masked in (False, True):
                    name = f"beta{beta}_t{temperature}_{reduction}_{'masked' if masked else 'full'}"
                    run_case(out, name, gen, beta, temperature, reduction, masked)
                    count += 1
    # TRL's gradient-accumulation normaliser overrides the reduction: sum / num_items_in_batch.
    run_case(out, "num_items", gen, 0.5, 2.0, "batchmean", True, num_items=11)
    count += 1
    os.makedirs(sys.argv[1], exist_ok=True)
    path = os.path.join(sys.argv[1], "distill_trl.pt")
    torch.save(out, path, _use_new_zipfile_serialization=True)
    print(f"wrote {count} TRL {trl.__version__} generalized_jsd_loss cases to {path}")


if __name__ == "__main__":
    main()
