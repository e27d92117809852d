#!/usr/bin/env python3
"""Checks that includes point only down style.md's layer table: a file in include/r1/<sub>/ or
src/<sub>/ may include "r1/<other>/..." only if <other> is <sub> itself or a layer below it."""
import pathlib
import re
import sys

ALLOWED = {
    "util": set(),
    "config": {"util"},
    "dist": {"util", "config"},
    "io": {"util", "config"},
    "fp8": {"util", "config"},
    "tokenizer": {"util", "config", "io"},
    "data": {"util", "config", "io", "tokenizer"},
    "model": {"util", "config", "io", "fp8"},
    "generation": {"util", "config", "io", "fp8", "model", "tokenizer", "data"},
    "rewards": {"util", "config", "io", "tokenizer", "data"},
    "eval": {"util", "config", "io", "fp8", "model", "tokenizer", "data", "generation", "rewards"},
    "train": {"util", "config", "io", "fp8", "model", "tokenizer", "data", "generation", "rewards", "eval", "dist"},
    "pipeline": {"util", "config", "io", "fp8", "model", "tokenizer", "data", "generation", "rewards", "eval",
                 "dist", "train"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"r1/([a-z0-9_]+)/')


def layer_of(path: pathlib.Path, root: pathlib.Path):
    rel = path.relative_to(root).parts
    if rel[0] == "include" and len(rel) > 3:
        return rel[2]
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    return None


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    problems = []
    checked = 0
    for path in sorted(list(root.glob("include/r1/**/*.h")) + list(root.glob("src/**/*.[ch]*"))):
        layer = layer_of(path, root)
        if layer is None:
            continue
        if layer not in ALLOWED:
            problems.append(f"{path}: folder '{layer}' is not in the layer table (tests/check_layers.py)")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if match and match.group(1) != layer and match.group(1) not in ALLOWED[layer]:
                problems.append(f"{path}:{number}: {layer} may not include r1/{match.group(1)}/")
        checked += 1
    for p in problems:
        print(p)
    print(f"checked {checked} files, {len(problems)} layering problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
