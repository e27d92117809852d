#!/usr/bin/env python3
"""Checks r1's layering against the layer table of docs/architecture.md.

Usage: check_layers.py ROOT     (exit 0 when clean, 1 on any problem)

The table is the one whose header row is `| folder | owns | builds on |`. Each body row names one
layer (`` `model` ``) and the layers it builds on directly (`` `io`, `fp8` ``); plain text such as
"std, LibTorch" names none. A layer may include itself and everything it builds on, directly or
through other layers. The table must name only its own layers and have no cycle.

Checked:
- the table and the tree agree: every folder directly under include/r1/ and src/ is a layer, and
  every layer has a folder in one of them (sub-folders such as src/data/tasks belong to their top
  folder's layer);
- public includes: a file of layer L (include/r1/L/... or src/L/...) includes "r1/M/..." only if
  L may include M;
- private includes: "<folder>/<file>.h" names a header under src/ (src/ is the private include
  path) and is included only from src/<folder>/ itself; a public header never includes one. An
  include without a folder ("bounds.h") must name a file next to the including file.

Scanned: include/r1/**/*.h and src/**/*.{h,hpp,cpp,cc}. Files directly in include/r1/ or src/
(r1.h, pch.h) belong to no layer and are not checked.
"""
import pathlib
import re
import sys

TABLE_DOC = "docs/architecture.md"
HEADER = re.compile(r"^\|\s*folder\s*\|\s*owns\s*\|\s*builds on\s*\|\s*$", re.IGNORECASE)
SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
NAME = re.compile(r"`([a-z0-9_]+)`")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
PUBLIC = re.compile(r"^r1/([^/]+)/")
NOT_FOLDERS = {"CMakeLists.txt", "pch.h"}  # files, listed for the reader: only folders count
SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc"}


class TableError(Exception):
    pass


def read_table(doc: pathlib.Path) -> dict:
    """Returns {layer: set of layers it builds on directly} from the doc's layer table."""
    if not doc.is_file():
        raise TableError(f"{doc}: not found (the layer table lives there)")
    lines = doc.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if HEADER.match(line.strip())), None)
    if start is None:
        raise TableError(f"{doc}: no table with the header row '| folder | owns | builds on |'")
    if start + 1 >= len(lines) or not SEPARATOR.match(lines[start + 1].strip()):
        raise TableError(f"{doc}:{start + 2}: expected the table's |---| separator row")
    table = {}
    for number in range(start + 3, len(lines) + 1):
        line = lines[number - 1].strip()
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        folder = re.fullmatch(r"`([a-z0-9_]+)`", cells[0])
        if len(cells) != 3 or not folder:
            raise TableError(f"{doc}:{number}: expected | `folder` | owns | builds on |, "
                             f"got {line}")
        if folder.group(1) in table:
            raise TableError(f"{doc}:{number}: layer '{folder.group(1)}' appears twice")
        table[folder.group(1)] = (set(NAME.findall(cells[2])), number)
    if not table:
        raise TableError(f"{doc}:{start + 1}: the layer table has no rows")
    for layer, (below, number) in table.items():
        unknown = sorted(below - table.keys())
        if unknown:
            raise TableError(f"{doc}:{number}: '{layer}' builds on '{unknown[0]}', which is not a "
                             f"layer of the table")
    return {layer: below for layer, (below, _) in table.items()}


def allowed_layers(table: dict, doc: pathlib.Path) -> dict:
    """Returns {layer: itself and all it builds on, directly or not}; raises on a cycle."""
    closed = {}

    def close(layer, path):
        if layer in path:
            cycle = " -> ".join(path[path.index(layer):] + [layer])
            raise TableError(f"{doc}: the layer table has a cycle: {cycle}")
        if layer not in closed:
            result = {layer}
            for below in table[layer]:
                result |= close(below, path + [layer])
            closed[layer] = result
        return closed[layer]

    for layer in table:
        close(layer, [])
    return closed


def check_tree(root: pathlib.Path, table: dict) -> list:
    """The folders under include/r1/ and src/ and the table's layers must be the same set."""
    problems = []
    folders = set()
    for base in (root / "include" / "r1", root / "src"):
        for entry in sorted(base.iterdir()) if base.is_dir() else []:
            if entry.is_dir() and entry.name not in NOT_FOLDERS:
                folders.add(entry.name)
                if entry.name not in table:
                    problems.append(f"{entry}: folder '{entry.name}' is not a layer of the table "
                                    f"in {TABLE_DOC}")
    for layer in table:
        if layer not in folders:
            problems.append(f"{root / TABLE_DOC}: layer '{layer}' has no folder under include/r1/ "
                            f"or src/")
    return problems


def layer_of(rel: tuple):
    """The layer of a path relative to ROOT, and whether it is a public header; None outside one."""
    if rel[:2] == ("include", "r1") and len(rel) > 3:
        return rel[2], True
    if rel[0] == "src" and len(rel) > 2:
        return rel[1], False
    return None, False


def check_include(root, path, layer, public, target, allowed) -> str:
    """Returns the problem with one quoted include of a file of `layer`, or None."""
    match = PUBLIC.match(target)
    if match:
        other = match.group(1)
        if other not in allowed:
            return f"r1/{other}/ is not a layer of the table in {TABLE_DOC}"
        if other not in allowed[layer]:
            return f"{layer} may not include r1/{other}/"
        return None
    if target.startswith("r1/"):
        return None  # r1/r1.h, r1/version.h: the umbrella headers, no layer
    if "/" not in target:
        if (path.parent / target).is_file():
            return None
        return (f'"{target}" is not a file next to {path.name} (private headers are '
                f'"<folder>/<file>.h")')
    folder = target.split("/", 1)[0]
    if not (root / "src" / target).is_file():
        return f"private header {target} does not exist under src/"
    if public:
        return (f"private header {target} included from a public header of layer {layer} (public "
                f"headers include only r1/...; make it public in include/r1/{folder}/)")
    if folder != layer:
        return (f"private header {target} included from layer {layer} (private headers stay in "
                f"their folder; make it public in include/r1/{folder}/ or move it)")
    return None


def source_files(root: pathlib.Path):
    found = [p for p in (root / "include" / "r1").rglob("*.h")]
    found += [p for p in (root / "src").rglob("*") if p.suffix in SOURCE_SUFFIXES]
    return sorted(p for p in found if p.is_file())


def check_includes(root: pathlib.Path, allowed: dict):
    """Returns (problems, number of files checked) for every source file of a layer."""
    problems = []
    checked = 0
    for path in source_files(root):
        layer, public = layer_of(path.relative_to(root).parts)
        if layer is None or layer not in allowed:
            continue  # outside any layer, or a folder check_tree already reported
        checked += 1
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            problem = match and check_include(root, path, layer, public, match.group(1), allowed)
            if problem:
                problems.append(f"{path}:{number}: {problem}")
    return problems, checked


def main(argv) -> int:
    if len(argv) != 2:
        print("usage: check_layers.py ROOT", file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    try:
        table = read_table(root / TABLE_DOC)
        allowed = allowed_layers(table, root / TABLE_DOC)
    except TableError as error:
        print(f"check_layers: {error}")
        return 1
    problems = check_tree(root, table)
    include_problems, checked = check_includes(root, allowed)
    problems += include_problems
    for problem in problems:
        print(problem)
    print(f"checked {checked} files against {len(table)} layers of {TABLE_DOC}: "
          f"{len(problems)} layering problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
