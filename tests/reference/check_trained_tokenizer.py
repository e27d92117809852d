#!/usr/bin/env python3
"""A tokenizer.json written by `r1 tokenizer train` must load in Hugging Face tokenizers and give
the same ids as `r1 tokenizer encode` on the parity fixture's test corpus; `r1 tokenizer decode`
must give the texts back.

usage: check_trained_tokenizer.py R1_BINARY FIXTURE_DIR WORK_DIR
"""
import json
import subprocess
import sys
from pathlib import Path

from tokenizers import Tokenizer

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]


def main():
    r1, fixture, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    tok_path = work / "r1_tokenizer.json"
    specials = [arg for s in SPECIALS for arg in ("--special", s)]
    subprocess.run([r1, "tokenizer", "train", "--input", str(fixture / "train.txt"), "--vocab-size", "6000",
                    "--out", str(tok_path)] + specials, check=True)
    texts = [json.loads(line)["text"] for line in open(fixture / "corpus.jsonl", encoding="utf-8")]
    texts = [t for t in texts if t.strip()]  # r1 tokenizer encode skips blank lines
    (work / "texts.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    subprocess.run([r1, "tokenizer", "encode", "--tokenizer", str(tok_path), "--input", str(work / "texts.jsonl"),
                    "--output", str(work / "ids.jsonl")], check=True)
    subprocess.run([r1, "tokenizer", "decode", "--tokenizer", str(tok_path), "--input", str(work / "ids.jsonl"),
                    "--output", str(work / "decoded.jsonl")], check=True)
    r1_ids = [json.loads(line)["ids"] for line in open(work / "ids.jsonl")]
    decoded = [json.loads(line)["text"] for line in open(work / "decoded.jsonl", encoding="utf-8")]

    hf = Tokenizer.from_file(str(tok_path))
    hf_ids = [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]
    merges = len(json.loads(tok_path.read_text(encoding="utf-8"))["model"]["merges"])
    assert len(r1_ids) == len(hf_ids) == len(decoded), (len(r1_ids), len(hf_ids), len(decoded))
    same = sum(a == b for a, b in zip(r1_ids, hf_ids))
    back = sum(a == b for a, b in zip(decoded, texts))
    print(f"r1-trained tokenizer ({hf.get_vocab_size()} tokens, {merges} merges): {same}/{len(texts)} lines "
          f"with HF's ids, {back}/{len(texts)} decoded back")
    for i, (a, b) in enumerate(zip(r1_ids, hf_ids)):
        if a != b:
            print(f"first mismatch, line {i + 1}: {texts[i]!r}\n r1: {a}\n hf: {b}")
            return 1
    return 0 if back == len(texts) else 1


if __name__ == "__main__":
    sys.exit(main())
