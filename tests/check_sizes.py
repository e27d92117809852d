#!/usr/bin/env python3
"""Keeps r1's C++ files and functions short, against an explicit list of exceptions.

Usage: check_sizes.py ROOT [--list]   (exit 0 when clean, 1 on any problem; --list prints every
file and function over its limit, listed or not)

Limits: 600 lines a file, 60 lines a function, in *.h, *.hpp, *.cpp, *.cc under ROOT/src, include,
apps, bench and tests. A function's lines run from the line of its body's opening `{` to the line
of the matching `}`, both included (`void f() {}` is 1 line; the signature is not counted);
lambdas, local classes and nested blocks count towards the function that holds them.

Finding functions is a heuristic: comments, literals (raw strings included) and preprocessor lines
are blanked, then braces are tracked. A `{` at namespace or class scope opens a function when the
text before it (since the previous `;`, `{` or `}` at that scope) ends with a parameter list `)`,
possibly followed by qualifiers (const, noexcept, override, `-> type`, ...) or a constructor's
initializer list. Class, struct, union and namespace bodies are scopes; other braces (enums,
`= {...}`, `x{1}`) are initializers. A function is named by the identifier before its parameter
list, with its qualification (`MoeImpl::routed`); gtest's `TEST(A, B)` (TEST_F, TEST_P, ...) is
named `A.B`, a lambda after the variable it initialises.

Exceptions: ROOT/tests/size_exceptions.txt, one a line (lines starting with `#` are comments):
    path -- why this file is long
    path:function -- why this function is long     (every overload of that name in the file)
The justification is required. An exception no longer over its limit, or naming a file or function
that no longer exists, is stale and fails too, so that the list stays honest.
"""
import pathlib
import re
import sys

FILE_LIMIT = 600
FUNCTION_LIMIT = 60
FOLDERS = ("src", "include", "apps", "bench", "tests")
SUFFIXES = {".h", ".hpp", ".cpp", ".cc"}
EXCEPTIONS = "tests/size_exceptions.txt"

# Comments, raw strings, string and character literals, preprocessor lines; a number first, so
# that a digit separator (1'000) opens no character literal.
BLANKED = re.compile(r"""
    \b\d[\w']* | //[^\n]* | /\*.*?(?:\*/|\Z)
  | \b(?:u8|u|U|L)?R"([^()\\\s]{0,16})\(.*?(?:\)\1"|\Z)
  | "(?:\\.|[^"\\\n])*"? | '(?:\\.|[^'\\\n])*'?
  | ^[ \t]*\#(?:[^\n]*\\\n)*[^\n]*
""", re.S | re.M | re.X)


def strip_code(text: str) -> str:
    """text with comments, literals and preprocessor lines blanked, its newlines kept."""
    def blank(match):
        token = match.group(0)
        return token if token[0].isdigit() else re.sub(r"[^\n]", " ", token)
    return BLANKED.sub(blank, text)


# --- finding functions ---------------------------------------------------------------------------

NOT_NAMES = {"if", "for", "while", "switch", "catch", "return", "sizeof", "alignof", "decltype",
             "alignas", "static_assert", "noexcept", "requires", "throw"}
TEST_MACRO = re.compile(r"^(?:TYPED_)?TEST(?:_F|_P)?$")
QUALIFIER = re.compile(r"(?:\b(?:const|volatile|override|final|mutable|noexcept|try|constexpr)"
                       r"|&&?|\[\[[^\]]*\]\])\s*$")
SCOPE = re.compile(r"^(?:template\s*)?(?:(?:typedef|export|inline)\s+)*"
                   r"(class|struct|union|enum|namespace)\b")
ACCESS = re.compile(r"^\s*(?:(?:public|private|protected)\s*:(?!:)\s*)+")
NAME = re.compile(r"((?:[A-Za-z_]\w*\s*(?:<[^<>;{}]*>)?\s*::\s*)*~?[A-Za-z_]\w*)$")


def depth(text: str) -> int:
    """How many ( and [ of text are left open."""
    return sum((c in "([") - (c in ")]") for c in text)


def matching_open(text: str, close: int, pair: str = "()") -> int:
    """The index of the bracket opening the one at text[close], or -1."""
    level = 0
    for i in range(close, -1, -1):
        level += (text[i] == pair[1]) - (text[i] == pair[0])
        if level == 0:
            return i
    return -1


def without_angles(text: str) -> str:
    """text without its <...> groups, nested ones included."""
    while re.search(r"<[^<>]*>", text):
        text = re.sub(r"<[^<>]*>", "", text)
    return text


def split_init_list(seg: str) -> tuple:
    """Splits a constructor `sig(...) : a(x), b{y}` at its colon: (signature, list or None)."""
    for colon in re.finditer(r"(?<!:):(?!:)", seg):
        before = seg[:colon.start()].rstrip()
        while QUALIFIER.search(before):
            before = before[:QUALIFIER.search(before).start()].rstrip()
        if before.endswith(")") and depth(seg[:colon.start()]) == 0:
            return before, seg[colon.end():]
    return seg, None


def strip_tail(sig: str) -> str:
    """sig without its trailing return type and qualifiers, so ending with its parameter list."""
    arrows = [m.start() for m in re.finditer(r"(?<!operator)->", sig)
              if depth(sig[:m.start()]) == 0]
    sig = (sig[:arrows[-1]] if arrows else sig).rstrip()
    while True:
        opening = matching_open(sig, len(sig) - 1) if sig.endswith(")") else -1
        if opening > 0 and re.search(r"\bnoexcept\s*$", sig[:opening]):
            sig = sig[:opening].rstrip()
        elif QUALIFIER.search(sig):
            sig = sig[:QUALIFIER.search(sig).start()].rstrip()
        else:
            return sig


def function_name(before: str, params: str, seg: str):
    """Names the function whose parameter list `params` follows `before`; None if none."""
    before = before.rstrip()
    operator = re.search(r"((?:\w+\s*::\s*)*operator\b.*)$", before, re.S)
    if operator:
        return re.sub(r"\s+", "", operator.group(1))
    if before.endswith(">"):  # an explicit specialisation, f<int>(...)
        before = before[:max(0, matching_open(before, len(before) - 1, "<>"))].rstrip()
    if before.endswith("]"):  # a lambda
        var = re.search(r"(\w+)\s*=\s*\[", seg)
        return var.group(1) if var else "<lambda>"
    match = NAME.search(before)
    name = re.sub(r"<[^<>]*>|\s+", "", match.group(1)) if match else None
    if TEST_MACRO.match(name or ""):
        return ".".join(arg.strip() for arg in params[1:-1].split(",")[:2])
    return None if name in NOT_NAMES else name


def classify(seg: str):
    """What a `{` after seg at namespace or class scope opens: ("function", name), ("scope",
    None) for a namespace or class body, or ("init", None) for anything else."""
    seg = ACCESS.sub("", seg)
    scope = SCOPE.match(without_angles(seg).lstrip())
    if scope or re.search(r"\bextern\s*$", seg):  # extern "C" {, its string blanked
        return ("init" if scope and scope.group(1) == "enum" else "scope"), None
    if depth(seg) > 0:
        return "init", None  # an argument, f(1, {2}) or f([] {...})
    sig, init_list = split_init_list(seg)
    if init_list is not None and not init_list.rstrip().endswith((")", "}")):
        return "init", None  # a member's brace initializer, b_{y}
    sig = strip_tail(sig)
    opening = matching_open(sig, len(sig) - 1) if sig.endswith(")") else -1
    name = function_name(sig[:opening], sig[opening:], seg) if opening > 0 else None
    return ("function", name) if name else ("init", None)


def functions(code: str):
    """Yields (name, line of its `{`, line count) for each function of blanked code."""
    stack = []  # per open brace: "scope", "function" or "init" (all braces inside the last two)
    opened = []  # per open brace: (function name, line)
    seg_start, line = 0, 1  # where the text before the next `{` at scope starts
    for i, c in enumerate(code):
        at_scope = not stack or stack[-1] == "scope"
        if c == "\n":
            line += 1
        elif c == "{":
            kind, name = classify(code[seg_start:i]) if at_scope else ("init", None)
            stack.append(kind)
            opened.append((name, line))
            seg_start = seg_start if kind == "init" else i + 1
        elif c == "}" and stack:
            kind, (name, first) = stack.pop(), opened.pop()
            if kind == "function":
                yield name, first, line - first + 1
            if kind != "init" and (not stack or stack[-1] == "scope"):
                seg_start = i + 1
        elif c == ";" and at_scope:
            seg_start = i + 1


# --- sizes against the exceptions -----------------------------------------------------------------

def measure(root: pathlib.Path):
    """({path: lines}, {(path, function): [(line, count)]}) of every file, paths from root."""
    files, funcs = {}, {}
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                rel = path.relative_to(root).as_posix()
                text = path.read_text(encoding="utf-8", errors="replace")
                files[rel] = len(text.splitlines())
                for name, first, count in functions(strip_code(text)):
                    funcs.setdefault((rel, name), []).append((first, count))
    return files, funcs


def read_exceptions(path: pathlib.Path):
    """({key: line in the file}, [errors]) of the exceptions; a key is path or (path, function)."""
    exceptions, errors = {}, []
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for number, line in enumerate(lines, 1):
        entry, _, why = line.strip().partition(" -- ")
        file, _, func = entry.strip().partition(":")
        key = (file, func) if func else file
        if not entry or entry.startswith("#"):
            continue
        if not why.strip() or key in exceptions:
            problem = "is listed twice" if why.strip() else "has no justification ('entry -- why')"
            errors.append(f"{EXCEPTIONS}:{number}: '{entry.strip()}' {problem}")
        else:
            exceptions[key] = number
    return exceptions, errors


def over_limits(files: dict, funcs: dict):
    """Yields (key, message) for each file and function over its limit."""
    for rel, lines in files.items():
        if lines > FILE_LIMIT:
            yield rel, f"{rel}: {lines} lines (file limit {FILE_LIMIT})"
    for (rel, name), found in funcs.items():
        for first, count in (f for f in found if f[1] > FUNCTION_LIMIT):
            yield (rel, name), (f"{rel}:{first}: {name} is {count} lines "
                                f"(function limit {FUNCTION_LIMIT})")


def stale(exceptions: dict, files: dict, funcs: dict, over: set):
    """Yields a message for each exception no longer needed."""
    for key, number in exceptions.items():
        if key not in over:
            is_file = isinstance(key, str)
            counts = [files[key]] if key in files else [c for _, c in funcs.get(key, [])]
            state = f"is {max(counts)} lines" if counts else "does not exist"
            limit = f"file limit {FILE_LIMIT}" if is_file else f"function limit {FUNCTION_LIMIT}"
            name = key if is_file else ":".join(key)
            yield f"{EXCEPTIONS}:{number}: stale exception: {name} {state} ({limit})"


def main(argv) -> int:
    args = [a for a in argv[1:] if a != "--list"]
    if len(args) != 1:
        print("usage: check_sizes.py ROOT [--list]", file=sys.stderr)
        return 2
    root = pathlib.Path(args[0])
    files, funcs = measure(root)
    over = list(over_limits(files, funcs))
    if "--list" in argv:
        print("\n".join(message for _, message in over))
        return 0
    exceptions, problems = read_exceptions(root / EXCEPTIONS)
    problems += [f"{message}, not in {EXCEPTIONS}" for key, message in over
                 if key not in exceptions]
    problems += stale(exceptions, files, funcs, {key for key, _ in over})
    for problem in problems:
        print(problem)
    print(f"checked {len(files)} files, {sum(len(f) for f in funcs.values())} functions, "
          f"{len(exceptions)} exceptions: {len(problems)} size problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
