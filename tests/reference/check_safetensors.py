"""Loads safetensors files written by r1 with Python's safetensors and checks them bit-exactly.

Usage: check_safetensors.py EXPECTED_JSON R1_DIR PYTHON_DIR

EXPECTED_JSON and PYTHON_DIR come from make_safetensors_fixture.py; R1_DIR holds r1's files of the
same names (all_dtypes, multi_meta, empty .safetensors and sharded/). Every tensor's dtype, shape
and raw bytes, and every file's metadata, must equal the expected ones (exit 1 otherwise). Prints one
JSON line reporting, per file, whether r1's bytes are identical to Python's (not fatal: Python writes
`__metadata__` in hash order, so files with several metadata keys differ in key order only).
"""
import json
import os
import sys

import torch
from safetensors import safe_open


def raw_hex(t: torch.Tensor) -> str:
    return "" if t.numel() == 0 else t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes().hex()


def check_tensors(path, names, want, problems):
    with safe_open(path, framework="pt") as f:
        for name in names:
            t = f.get_tensor(name)
            w = want["tensors"][name]
            got = (str(t.dtype).split(".")[-1], list(t.shape), raw_hex(t))
            if got != (w["dtype"], w["shape"], w["hex"]):
                problems.append(f"{path}: tensor {name!r}: {got[:2]} differs from {w['dtype'], w['shape']}"
                                " or its bytes differ")
        return f.metadata() or {}, set(f.keys())


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def check_file(stem, want, r1_dir, py_dir, problems):
    path = os.path.join(r1_dir, stem + ".safetensors")
    metadata, keys = check_tensors(path, want["tensors"].keys(), want, problems)
    if keys != set(want["tensors"]):
        problems.append(f"{path}: names {sorted(keys)} != {sorted(want['tensors'])}")
    if metadata != want["metadata"]:
        problems.append(f"{path}: metadata {metadata} != {want['metadata']}")
    return same_bytes(path, os.path.join(py_dir, stem + ".safetensors"))


def check_sharded(want, r1_dir, py_dir, problems):
    r1_dir, py_dir = os.path.join(r1_dir, "sharded"), os.path.join(py_dir, "sharded")
    with open(os.path.join(r1_dir, "model.safetensors.index.json"), encoding="utf-8") as f:
        index = json.load(f)
    with open(os.path.join(py_dir, "model.safetensors.index.json"), encoding="utf-8") as f:
        py_index = json.load(f)
    if index != py_index:
        problems.append(f"{r1_dir}: index {index} != Python's {py_index}")
    identical = same_bytes(*(os.path.join(d, "model.safetensors.index.json") for d in (r1_dir, py_dir)))
    for filename, names in want["shards"].items():
        check_tensors(os.path.join(r1_dir, filename), names, want, problems)
        identical = identical and same_bytes(os.path.join(r1_dir, filename), os.path.join(py_dir, filename))
    if sorted(os.listdir(r1_dir)) != sorted(os.listdir(py_dir)):
        problems.append(f"{r1_dir}: files {sorted(os.listdir(r1_dir))} != {sorted(os.listdir(py_dir))}")
    return identical


def main():
    expected_path, r1_dir, py_dir = sys.argv[1:4]
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    problems = []
    report = {}
    for stem, want in expected.items():
        if stem == "sharded":
            report[stem] = check_sharded(want, r1_dir, py_dir, problems)
        else:
            report[stem] = check_file(stem, want, r1_dir, py_dir, problems)
    for p in problems:
        print("MISMATCH:", p)
    print(json.dumps({"loaded_bit_exact": not problems, "byte_identical": report}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
