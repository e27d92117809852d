#!/usr/bin/env python3
"""`r1 convert` output loads in the pinned transformers with the original's logits.

For each fixture of make_hf_checkpoints.py: `r1 convert --to hf` (resharded: --max-shard-size 40KB)
-> transformers from_pretrained (eager, float32) -> logits equal io.safetensors' within 1e-4 of the
logit scale; DeepSeek's MTP tensors come through unchanged (per-expert names, with the embed/head
copies). Also: --to r1 drops the copies and converts back; FP8 -> --dtype bfloat16 gives
transformers-loadable bf16 weights equal to Python's dequantisation rounded to bf16.
Usage: R1_BINARY FIXTURE_DIR OUT_DIR
"""
import json
import os
import shutil
import subprocess
import sys

import torch
import transformers
from safetensors import safe_open
from safetensors.torch import load_file


def convert(r1, src, dst, *flags):
    subprocess.run([r1, "convert", "--input", src, "--output", dst, *flags], check=True)


def tensors(directory):
    out = {}
    for name in os.listdir(directory):
        if name.endswith(".safetensors"):
            with safe_open(os.path.join(directory, name), "pt") as f:
                out.update({k: f.get_tensor(k) for k in f.keys()})
    return out


def check_logits(directory, io_path, dtype=torch.float32):
    io = load_file(io_path)
    model = transformers.AutoModelForCausalLM.from_pretrained(directory, attn_implementation="eager", dtype=dtype)
    with torch.no_grad():
        logits = model(input_ids=io["input_ids"], attention_mask=io["attention_mask"]).logits.float()
    valid = io["attention_mask"].bool()
    err = (logits[valid] - io["logits"][valid]).abs().max().item()
    scale = io["logits"][valid].abs().max().item()
    print(f"{directory}: max |transformers(r1 save) - original| {err:.3g} (scale {scale:.3g})")
    assert err <= 1e-4 * scale, directory


def check_mtp(original, saved, layer):
    prefix = f"model.layers.{layer}."
    a = {k: v for k, v in tensors(original).items() if k.startswith(prefix)}
    b = {k: v for k, v in tensors(saved).items() if k.startswith(prefix)}
    assert a.keys() == b.keys(), sorted(set(a) ^ set(b))
    assert all(torch.equal(a[k], b[k]) for k in a), "MTP tensors changed"
    return b


def main():
    r1, fixtures, out = sys.argv[1:4]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    for name, io_name in [("deepseek_q_none", "deepseek_q_none"), ("deepseek_groups", "deepseek_groups"),
                          ("deepseek_stacked", "deepseek_groups"), ("qwen2", "qwen2")]:
        src, dst = os.path.join(fixtures, name), os.path.join(out, name)
        convert(r1, src, dst, "--to", "hf", "--max-shard-size", "40KB")
        assert os.path.exists(os.path.join(dst, "model.safetensors.index.json")), "not resharded"
        check_logits(dst, os.path.join(fixtures, io_name + ".io", "io.safetensors"))
        if name.startswith("deepseek"):
            check_mtp(os.path.join(fixtures, "deepseek_groups" if name == "deepseek_stacked" else name), dst, 2)
    # r1 layout: no MTP copies; back to hf: copies restored, transformers still agrees
    convert(r1, os.path.join(fixtures, "deepseek_groups"), os.path.join(out, "r1_layout"), "--to", "r1")
    assert "model.layers.2.embed_tokens.weight" not in tensors(os.path.join(out, "r1_layout"))
    convert(r1, os.path.join(out, "r1_layout"), os.path.join(out, "back"), "--to", "hf")
    check_mtp(os.path.join(fixtures, "deepseek_groups"), os.path.join(out, "back"), 2)
    check_logits(os.path.join(out, "back"), os.path.join(fixtures, "deepseek_groups.io", "io.safetensors"))
    # FP8 -> bf16: dequantised, no scales, no quantization_config; transformers loads it
    dst = os.path.join(out, "fp8_bf16")
    convert(r1, os.path.join(fixtures, "deepseek_fp8"), dst, "--dtype", "bfloat16")
    with open(os.path.join(dst, "config.json")) as f:
        config = json.load(f)
    assert "quantization_config" not in config and config["dtype"] == "bfloat16", config
    saved = tensors(dst)
    expected = load_file(os.path.join(fixtures, "deepseek_fp8.io", "dequant.safetensors"))
    assert saved.keys() == expected.keys(), sorted(set(saved) ^ set(expected))
    for k, v in expected.items():
        want = v if k.endswith("e_score_correction_bias") else v.to(torch.bfloat16)
        assert torch.equal(saved[k], want), k
    model = transformers.AutoModelForCausalLM.from_pretrained(dst)
    state = model.state_dict()
    assert torch.equal(state["model.layers.0.self_attn.o_proj.weight"].to(torch.bfloat16),
                       expected["model.layers.0.self_attn.o_proj.weight"].to(torch.bfloat16))
    print(f"fp8 -> bf16: {len(saved)} tensors equal Python's dequantisation")


if __name__ == "__main__":
    main()
