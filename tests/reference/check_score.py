#!/usr/bin/env python3
"""`r1 score` log-probs equal transformers' (score_expected.jsonl of make_hf_checkpoints.py).

Runs `r1 score --model FIXTURE/qwen2 --input score_input.jsonl --output OUT --batch-size 3` (lines of
tokens, text and prompt+completion; two batches, padded) and compares every line: the scored token
ids exactly, log-probs and their sum within 1e-4 relative (1e-5 absolute); the stderr summary names
the token count and the perplexity exp(-Σ/n). Usage: R1_BINARY FIXTURE_DIR OUT_FILE
"""
import json
import math
import os
import re
import subprocess
import sys


def main():
    r1, fixtures, out = sys.argv[1:4]
    model = os.path.join(fixtures, "qwen2")
    run = subprocess.run([r1, "score", "--model", model, "--input", os.path.join(model, "score_input.jsonl"),
                          "--output", out, "--batch-size", "3"], capture_output=True, text=True)
    print(run.stderr, end="")
    assert run.returncode == 0, run.returncode
    with open(out) as f:
        actual = [json.loads(line) for line in f]
    with open(os.path.join(model, "score_expected.jsonl")) as f:
        expected = [json.loads(line) for line in f]
    assert len(actual) == len(expected), (len(actual), len(expected))
    worst = 0.0
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert a["tokens"] == e["tokens"], (i, a["tokens"], e["tokens"])
        assert len(a["logprobs"]) == len(e["logprobs"]), i
        for x, y in zip(a["logprobs"] + [a["sum"]], e["logprobs"] + [e["sum"]]):
            worst = max(worst, abs(x - y))
            assert abs(x - y) <= 1e-4 * abs(y) + 1e-5, (i, x, y)
    n = sum(len(e["tokens"]) for e in expected)
    ppl = math.exp(-sum(e["sum"] for e in expected) / n)
    match = re.search(r"(\d+) tokens, mean log-prob \S+, perplexity ([0-9.]+)", run.stderr)
    assert match and int(match.group(1)) == n, run.stderr
    assert abs(float(match.group(2)) - ppl) <= 1e-3 * ppl, (match.group(2), ppl)
    print(f"r1 score: {len(actual)} lines, {n} tokens, max |r1 - transformers| {worst:.3g}, perplexity {ppl:.4f}")


if __name__ == "__main__":
    main()
