#!/usr/bin/env python3
"""Runs `r1 info` on corrupted safetensors, tokenizer.json and JSONL files: every run must end by
itself (no signal), with exit 0 (the file still parses) or with exit 1/2 and an `r1: error:` line.
Usage: info_corruption_sweep.py R1 TOKENIZER_JSON WORKDIR [COUNT_PER_KIND]"""
import concurrent.futures
import json
import os
import random
import struct
import subprocess
import sys


def safetensors_bytes():
    data = struct.pack("<6f", *[0.5 * i for i in range(6)]) + struct.pack("<4q", 1, 2, 3, 4)
    header = {"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "b": {"dtype": "I64", "shape": [4], "data_offsets": [24, 56]},
              "__metadata__": {"format": "pt"}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def jsonl_bytes():
    rows = [{"prompt": f"What is {i} + {i}?", "answer": str(2 * i), "numbers": [i, i + 1]} for i in range(20)]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def mutate(raw, rng):
    data = bytearray(raw)
    kind = rng.randrange(5)
    if kind == 0:  # truncate
        return bytes(data[: rng.randrange(len(data))])
    if kind == 1:  # flip bytes
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return bytes(data)
    if kind == 2:  # invalid UTF-8 / NUL / 0xFF run
        at = rng.randrange(len(data))
        return bytes(data[:at] + rng.choice([b"\xff\xfe", b"\xc3", b"\x00", b"\xed\xa0\x80"]) + data[at:])
    if kind == 3:  # duplicate a slice
        a = rng.randrange(len(data))
        b = min(len(data), a + rng.randint(1, 64))
        return bytes(data[:b] + data[a:b] + data[b:])
    # overwrite the first 8 bytes (a huge or tiny safetensors header length, garbage elsewhere)
    data[:8] = struct.pack("<Q", rng.choice([0, 1, 7, 2**40, 2**63 - 1, rng.randrange(2**32)]))
    return bytes(data)


def run(r1, path):
    proc = subprocess.run([r1, "info", path], capture_output=True, text=True, errors="replace", timeout=60)
    return path, proc.returncode, proc.stderr


def main():
    r1, tokenizer_json, workdir = sys.argv[1], sys.argv[2], sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    os.makedirs(workdir, exist_ok=True)
    rng = random.Random(1234)
    with open(tokenizer_json, "rb") as f:
        originals = {".safetensors": safetensors_bytes(), ".json": f.read(), ".jsonl": jsonl_bytes()}
    paths = []
    for ext, raw in originals.items():
        for i in range(count):
            path = os.path.join(workdir, f"corrupt{i:04d}{ext}")
            with open(path, "wb") as f:
                f.write(mutate(raw, rng))
            paths.append(path)
    bad, errors, ok = [], 0, 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for path, code, stderr in pool.map(lambda p: run(r1, p), paths):
            if code == 0:
                ok += 1
            elif code in (1, 2) and "r1: error: " in stderr and "internal error" not in stderr:
                errors += 1
            else:
                bad.append(f"{path}: exit {code}: {stderr.strip()[:300]}")
    print(f"{len(paths)} corrupted files: {errors} clear errors, {ok} still valid, {len(bad)} bad endings")
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
