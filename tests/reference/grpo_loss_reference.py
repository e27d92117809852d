#!/usr/bin/env python3
"""Runs TRL's own GRPOTrainer._compute_loss on seeded random inputs and saves inputs, loss and the
gradient with respect to the per-token log-probs, for r1's loss parity test, as OUT_DIR/grpo_trl.pt.

TRL's method is called unbound on a minimal stand-in for the trainer: only the attributes the loss
reads are set, the accelerator is single-process, and the model's per-token log-probs are a leaf
tensor we control. Usage: grpo_loss_reference.py OUT.pt
"""
import os
import sys
import types
from collections import defaultdict

import torch
import trl
from trl import GRPOTrainer


class SingleProcess:
    num_processes = 1
    sync_gradients = True

    def gather(self, x):
        return x

    gather_for_metrics = gather

    def reduce(self, x, reduction="sum"):
        return x


def trl_loss(case, logp, old_logp, ref_logp, entropy, adv, mask):
    me = types.SimpleNamespace(
        top_entropy_quantile=1.0, off_policy_mask_threshold=None, aux_loss_enabled=False,
        importance_sampling_level=case["level"], beta=case["beta"], loss_type=case["loss_type"],
        epsilon_low=case["eps_low"], epsilon_high=case["eps_high"], use_vllm=False,
        current_gradient_accumulation_steps=1, max_completion_length=case["max_len"],
        accelerator=SingleProcess(), model=types.SimpleNamespace(training=True),
        _entropy_bonus_enabled=case["entropy_coef"] > 0, use_adaptive_entropy=False,
        entropy_coef=case["entropy_coef"], _metrics=defaultdict(lambda: defaultdict(list)),
        args=types.SimpleNamespace(use_bias_correction_kl=False, delta=None, steps_per_generation=1),
    )
    me._get_per_token_logps_and_entropies = lambda *a, **k: (logp, entropy, None)
    n, length = mask.shape
    inputs = {
        "prompt_ids": torch.zeros(n, 1, dtype=torch.long), "prompt_mask": torch.ones(n, 1, dtype=torch.long),
        "completion_ids": torch.zeros(n, length, dtype=torch.long), "completion_mask": mask,
        "advantages": adv, "old_per_token_logps": old_logp, "num_items_in_batch": mask.sum(),
    }
    if case["beta"] != 0.0:
        inputs["ref_per_token_logps"] = ref_logp
    loss = GRPOTrainer._compute_loss(me, None, inputs)
    metrics = {k: v[0] for k, v in me._metrics["train"].items()}
    return loss, metrics


CASES = [
    # TRL loss_type -> r1 loss.agg: grpo = seq_mean_token_mean, bnpo/dapo = token_mean (one process,
    # one micro-batch), dr_grpo = dr_grpo.
    dict(name="grpo_token", loss_type="grpo", level="token", beta=0.0, eps_low=0.2, eps_high=0.2, entropy_coef=0.0),
    dict(name="bnpo_kl", loss_type="bnpo", level="token", beta=0.04, eps_low=0.2, eps_high=0.28, entropy_coef=0.0),
    dict(name="dapo_kl", loss_type="dapo", level="token", beta=0.001, eps_low=0.2, eps_high=0.28, entropy_coef=0.0),
    dict(name="dr_grpo", loss_type="dr_grpo", level="token", beta=0.0, eps_low=0.2, eps_high=0.2, entropy_coef=0.0),
    dict(name="gspo", loss_type="grpo", level="sequence", beta=0.0, eps_low=3e-4, eps_high=4e-4, entropy_coef=0.0),
    dict(name="dapo_entropy", loss_type="dapo", level="token", beta=0.0, eps_low=0.2, eps_high=0.28, entropy_coef=0.01),
]


def main():
    out = {"trl_version": trl.__version__}
    gen = torch.Generator().manual_seed(1234)
    n, length, max_len = 6, 7, 9
    for case in CASES:
        case["max_len"] = max_len
        logp0 = -torch.rand(n, length, generator=gen, dtype=torch.float64) * 3
        old = logp0 + 0.3 * torch.randn(n, length, generator=gen, dtype=torch.float64)
        ref = logp0 + 0.5 * torch.randn(n, length, generator=gen, dtype=torch.float64)
        entropy = torch.rand(n, length, generator=gen, dtype=torch.float64) * 2
        adv = torch.randn(n, generator=gen, dtype=torch.float64)
        lengths = torch.randint(1, length + 1, (n,), generator=gen)
        mask = (torch.arange(length).unsqueeze(0) < lengths.unsqueeze(1)).to(torch.float64)
        logp = logp0.clone().requires_grad_(True)
        loss, metrics = trl_loss(case, logp, old, ref, entropy, adv, mask)
        loss.backward()
        prefix = case["name"] + "."
        for key, value in dict(logp=logp0, old_logp=old, ref_logp=ref, entropy=entropy, advantages=adv,
                               mask=mask, loss=loss.detach(), grad=logp.grad).items():
            out[prefix + key] = value
        for key in ("clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean", "kl"):
            if key in metrics:
                out[prefix + key] = torch.tensor(metrics[key], dtype=torch.float64)
    os.makedirs(sys.argv[1], exist_ok=True)
    path = os.path.join(sys.argv[1], "grpo_trl.pt")
    torch.save(out, path, _use_new_zipfile_serialization=True)
    print(f"wrote {len(CASES)} TRL {trl.__version__} loss cases to {path}")


if __name__ == "__main__":
    main()
