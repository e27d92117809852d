"""Safetensors parity fixture: files written by Python's safetensors for r1 to read.

Usage: make_safetensors_fixture.py OUT_DIR

Writes into OUT_DIR:
  all_dtypes.safetensors      every dtype r1 supports (F64 F32 F16 BF16 F8_E4M3 F8_E5M2 I64 I32 I16 I8
                              U8 BOOL), odd shapes, 0-d scalars, empty tensors, NaN/inf/-0 payloads and
                              all 256 codes of both FP8 formats; metadata {"format": "pt"}
  multi_meta.safetensors      a few tensors with several metadata entries
  empty.safetensors           no tensors at all
  expected.json               per file: name -> dtype, shape, raw little-endian bytes as hex (taken
                              from the tensors, not from the files) and the metadata
  sharded/                    a checkpoint split like transformers' save_pretrained does
                              (huggingface_hub.split_torch_state_dict_into_shards, one save_file per
                              shard with {"format": "pt"}, model.safetensors.index.json with
                              total_parameters and total_size, indent=2, sorted keys)
"""
import json
import os
import sys

import torch
from huggingface_hub import split_torch_state_dict_into_shards
from safetensors.torch import save_file

SHARD_BYTES = 4096  # max_shard_size of the sharded checkpoint (bytes)


def raw_hex(t: torch.Tensor) -> str:
    t = t.contiguous()
    if t.numel() == 0:
        return ""
    return t.reshape(-1).view(torch.uint8).numpy().tobytes().hex()


def float_payload(dtype, shape, g):
    x = torch.randn(shape, generator=g, dtype=torch.float64) * 3
    flat = x.view(-1)
    specials = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1e-40, 65504.0, -1e30]
    for i, v in enumerate(specials[: flat.numel()]):
        flat[i] = v
    return x.to(dtype)


def int_payload(dtype, shape, g):
    info = torch.iinfo(dtype)
    x = torch.randint(info.min, info.max, shape, generator=g, dtype=torch.int64).to(dtype)
    flat = x.view(-1)
    for i, v in enumerate([info.min, info.max, 0, -1 if info.min < 0 else 1][: flat.numel()]):
        flat[i] = v
    return x


def all_dtypes(g):
    shapes = {"odd": [3, 5, 7], "row": [1, 13], "scalar": [], "empty": [0, 4], "empty3": [2, 0, 3]}
    floats = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
    ints = {"I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8}
    out = {}
    for dname, dtype in floats.items():
        for sname, shape in shapes.items():
            out[f"{dname.lower()}.{sname}"] = float_payload(dtype, shape, g)
    for dname, dtype in ints.items():
        for sname, shape in shapes.items():
            out[f"{dname.lower()}.{sname}"] = int_payload(dtype, shape, g)
    for sname, shape in shapes.items():
        out[f"bool.{sname}"] = torch.rand(shape, generator=g) < 0.5
    codes = torch.arange(256, dtype=torch.int64).to(torch.uint8)  # every FP8 bit pattern, NaNs included
    for dname, dtype in {"f8_e4m3": torch.float8_e4m3fn, "f8_e5m2": torch.float8_e5m2}.items():
        out[f"{dname}.codes"] = codes.view(dtype).reshape(16, 16).clone()
        out[f"{dname}.odd"] = codes[:35].view(dtype).reshape(5, 7).clone()
        out[f"{dname}.scalar"] = codes[0x7F].view(dtype).reshape([]).clone()
        out[f"{dname}.empty"] = torch.empty([0, 4], dtype=dtype)
    # Names that exercise JSON escaping and UTF-8 in the header.
    out['weird "name"\\with\tescapes'] = torch.tensor([1.5], dtype=torch.float32)
    out["ünïcødé.名前"] = torch.tensor([7], dtype=torch.int16)
    return out


def describe(tensors, metadata):
    return {
        "metadata": metadata or {},
        "tensors": {
            k: {"dtype": str(v.dtype).split(".")[-1], "shape": list(v.shape), "hex": raw_hex(v)}
            for k, v in tensors.items()
        },
    }


def write_sharded(out_dir, g):
    state = {}
    for layer in range(4):
        p = f"model.layers.{layer}"
        state[f"{p}.self_attn.q_proj.weight"] = torch.randn(16, 16, generator=g).to(torch.bfloat16)
        state[f"{p}.mlp.down_proj.weight"] = torch.randn(16, 24, generator=g)
        state[f"{p}.input_layernorm.weight"] = torch.ones(16)
    state["model.embed_tokens.weight"] = torch.randn(40, 16, generator=g)  # 2560 B
    state["lm_head.weight"] = torch.randn(80, 16, generator=g)  # 5120 B > SHARD_BYTES: own shard
    split = split_torch_state_dict_into_shards(state, max_shard_size=SHARD_BYTES)
    os.makedirs(out_dir, exist_ok=True)
    for filename, names in split.filename_to_tensors.items():
        save_file({n: state[n] for n in names}, os.path.join(out_dir, filename), metadata={"format": "pt"})
    index = {
        "metadata": {"total_parameters": sum(t.numel() for t in state.values()), **split.metadata},
        "weight_map": split.tensor_to_filename,
    }
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")  # as transformers' save_pretrained
    return {
        "order": list(state.keys()),
        "max_shard_size": SHARD_BYTES,
        "shards": split.filename_to_tensors,
        **describe(state, None),
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    expected = {}
    files = {
        "all_dtypes": (all_dtypes(g), {"format": "pt"}),
        "multi_meta": (
            {"b": torch.arange(6, dtype=torch.int32).reshape(2, 3), "a": torch.tensor(2.5)},
            {"format": "pt", "step": "12", "note": "ünïcødé \"quoted\""},
        ),
        "empty": ({}, None),
    }
    for stem, (tensors, metadata) in files.items():
        save_file(tensors, os.path.join(out, stem + ".safetensors"), metadata=metadata)
        expected[stem] = describe(tensors, metadata)
    expected["sharded"] = write_sharded(os.path.join(out, "sharded"), g)
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
