#!/usr/bin/env python3
"""Builds (gold, prediction) answer pairs and labels each with Math-Verify, for r1's accuracy parity.

Usage: make_math_pairs.py OUT.jsonl
Each line: {"category", "gold", "pred", "label"} with label = math_verify.verify(parse(gold), parse(pred)),
Math-Verify's default extraction (LaTeX and plain expressions). Golds are written as "$...$" (how MATH
golds are fed to Math-Verify); predictions in the forms completions use: \\boxed{}, $..$, \\(..\\), prose.
The pairs are built from templates with a fixed seed: equal forms, near misses and plain mistakes.
"""
import json
import random
import sys
from fractions import Fraction

from math_verify import parse, verify

rng = random.Random(1234)


def wrap(pred):
    """One of the shapes a completion's final answer takes."""
    forms = ["\\boxed{%s}", "$%s$", "The answer is $%s$.", "\\(%s\\)", "so $\\boxed{%s}$", "\\[%s\\]"]
    return rng.choice(forms) % pred


def integers():
    out = []
    for _ in range(14):
        n = rng.randint(-999, 99999)
        s = str(n)
        out += [(s, s), (s, str(n + rng.choice([1, -1, 10]))), (s, s + ".0"), (s, s + ".00")]
        if abs(n) >= 1000:
            out.append((s, f"{n:,}"))
        out.append((s, s + "\\text{ cm}"))
    out += [("-3", "- 3"), ("-3", "3"), ("0", "-0"), ("007", "7"), ("1000000", "1,000,000"),
            ("5", "5\\text{ dollars}"), ("5", "\\$5"), ("90^\\circ", "90"), ("90", "90^{\\circ}"),
            ("12", "12\\text{ inches}"), ("12", "twelve")]
    return [("int", g, p) for g, p in out]


def fractions():
    out = []
    for _ in range(16):
        a, b = rng.randint(1, 30), rng.randint(2, 30)
        f = Fraction(a, b)
        g = f"\\frac{{{a}}}{{{b}}}"
        out += [(g, f"\\frac{{{f.numerator}}}{{{f.denominator}}}"), (g, f"\\dfrac{{{a}}}{{{b}}}"),
                (g, f"{f.numerator}/{f.denominator}"), (g, f"\\frac{{{a + 1}}}{{{b}}}"),
                (g, f"{float(f):.6f}"), (g, f"{float(f):.2f}"), (g, f"\\tfrac{{{2 * a}}}{{{2 * b}}}")]
    out += [("\\frac12", "0.5"), ("\\frac{1}{3}", "0.3333333"), ("\\frac{1}{3}", "0.333"),
            ("-\\frac{2}{3}", "\\frac{-2}{3}"), ("-\\frac{2}{3}", "\\frac{2}{-3}"), ("-\\frac{2}{3}", "\\frac{2}{3}"),
            ("7\\frac{3}{4}", "7.75"), ("\\frac{3}{4}", "\\frac{6}{8}"), ("\\frac{1}{2}", "\\frac{1}{2}\\%")]
    return [("fraction", g, p) for g, p in out]


def decimals():
    out = []
    for _ in range(12):
        x = round(rng.uniform(-100, 100), rng.randint(1, 4))
        s = repr(x)
        out += [(s, s + "0"), (s, f"{x + 0.01:.4f}"), (s, s), (s, f"{x:.6f}")]
    out += [(".5", "0.5"), ("0.5", "\\frac{1}{2}"), ("3", "3.00001"), ("1000", "1000.0001"),
            ("2.50", "2.5"), ("1.5", "\\frac{3}{2}"), ("0.125", "\\frac18"), ("1e3", "1000")]
    return [("decimal", g, p) for g, p in out]


def radicals_and_pi():
    out = []
    for _ in range(10):
        k, m = rng.randint(2, 9), rng.choice([2, 3, 5, 6, 7])
        out += [(f"{k}\\sqrt{{{m}}}", f"\\sqrt{{{k * k * m}}}"), (f"{k}\\sqrt{{{m}}}", f"{k}\\sqrt{m}"),
                (f"{k}\\sqrt{{{m}}}", f"{k + 1}\\sqrt{{{m}}}"), (f"\\sqrt{{{k * k}}}", str(k))]
    for _ in range(8):
        k = rng.randint(2, 12)
        out += [(f"{k}\\pi", f"\\pi \\cdot {k}"), (f"{k}\\pi", f"{k * 3.141592653589793:.6f}"),
                (f"{k}\\pi", f"{k + 1}\\pi"), (f"\\frac{{{k}\\pi}}{{3}}", f"\\frac{{{k}}}{{3}}\\pi")]
    out += [("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"), ("\\frac{\\sqrt{2}}{2}", "0.7071"),
            ("2\\sqrt{2}", "\\sqrt{8}"), ("\\sqrt[3]{8}", "2"), ("\\pi", "3.14"), ("2\\pi", "6.283185"),
            ("\\sqrt{2}+1", "1+\\sqrt{2}"), ("3+2\\sqrt{2}", "(1+\\sqrt{2})^2"), ("e", "2.718282")]
    return [("radical_pi", g, p) for g, p in out]


def percents():
    out = []
    for _ in range(8):
        n = rng.randint(1, 99)
        out += [(f"{n}\\%", str(n)), (f"{n}\\%", f"{n}\\%"), (f"{n}\\%", f"{n / 100}"), (f"{n}\\%", str(n + 1)),
                (str(n), f"{n}\\%")]
    return [("percent", g, p) for g, p in out]


def expressions():
    out = [("x+1", "1+x"), ("2x", "x \\cdot 2"), ("x^2+2x+1", "(x+1)^2"), ("x^2-1", "(x-1)(x+1)"),
           ("x^2-1", "(x-1)^2"), ("\\frac{x}{2}", "0.5x"), ("3a+2b", "2b+3a"), ("3a+2b", "3a-2b"),
           ("2^{10}", "1024"), ("2^{-1}", "0.5"), ("(2+3)\\cdot 4", "20"), ("\\frac{x+1}{x}", "1+\\frac{1}{x}"),
           ("n(n+1)/2", "\\frac{n^2+n}{2}"), ("x^3", "x\\cdot x\\cdot x"), ("y=2x+3", "y=3+2x"),
           ("y=2x+3", "2x+3"), ("x=5", "5"), ("5", "x=5"), ("x=5", "x=6"), ("k=-2", "-2")]
    for _ in range(10):
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        out += [(f"{a}x+{b}", f"{b}+{a}x"), (f"{a}x+{b}", f"{a}x-{b}"), (f"{a}({b}+x)", f"{a * b}+{a}x")]
    return [("expression", g, p) for g, p in out]


def structures():
    out = []
    for _ in range(10):
        a, b, c = rng.sample(range(-9, 20), 3)
        lo, hi = sorted((a, b))
        out += [(f"({a}, {b})", f"({a},{b})"), (f"({a}, {b}, {c})", f"({a}, {c}, {b})"),
                (f"\\{{{a}, {b}, {c}\\}}", f"\\{{{c}, {a}, {b}\\}}"), (f"[{lo}, {hi})", f"[{lo},{hi})"),
                (f"[{lo}, {hi})", f"[{lo}, {hi}]"), (f"{a}, {b}", f"{b}, {a}"), (f"{a}, {b}", f"{a}, {c}")]
    out += [("(-\\infty, 3)", "(-\\infty,3)"), ("(-\\infty, 3)", "x<3"), ("x<3", "(-\\infty, 3)"),
            ("(0,1)\\cup(2,3)", "(2,3)\\cup(0,1)"), ("[2, \\infty)", "[2,\\infty)"), ("[2, \\infty)", "(2,\\infty)"),
            ("(1, \\frac{1}{2})", "(1, 0.5)"), ("\\{1,2\\}", "\\{1,2,3\\}")]
    return [("structure", g, p) for g, p in out]


def texts():
    out = [("\\text{Monday}", "monday"), ("\\text{Monday}", "\\text{Tuesday}"), ("\\text{(B)}", "B"),
           ("A", "a"), ("\\text{even}", "\\text{even}"), ("\\text{yes}", "\\text{no}"), ("B", "C")]
    return [("text", g, p) for g, p in out]


def beyond():
    """Forms r1 was not written against: functions, scientific notation, plus-minus, matrices, words."""
    out = [("\\sin(\\pi/6)", "0.5"), ("\\log_2 8", "3"), ("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}"),
           ("2 \\times 10^3", "2000"), ("1.5 \\times 10^{-3}", "0.0015"), ("\\frac{1}{2}x^2", "x^2/2"),
           ("\\pm 2", "2, -2"), ("\\emptyset", "\\{\\}"), ("\\text{no solution}", "\\text{No solution}"),
           ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"),
           ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}"),
           ("x \\in [0, 1]", "[0, 1]"), ("3 \\text{ and } 4", "3, 4"), ("\\infty", "\\infty"), ("-\\infty", "\\infty"),
           ("e^2", "7.389056"), ("\\ln(e^3)", "3"), ("|{-5}|", "5"), ("5!", "120"), ("\\binom{5}{2}", "10"),
           ("\\dfrac{3}{4}\\text{ inches}", "0.75"), ("a=2, b=3", "b=3, a=2"), ("2i", "i \\cdot 2"), ("i^2", "-1"),
           ("0.\\overline{3}", "\\frac{1}{3}"), ("10^{10}", "10000000000"), ("\\sqrt{2}\\sqrt{8}", "4"),
           ("\\frac{\\pi}{2}", "90^\\circ"), ("x > 2", "2 < x"), ("y = x + 1", "x = y - 1")]
    return [("beyond", g, p) for g, p in out]


def main():
    pairs = (integers() + fractions() + decimals() + radicals_and_pi() + percents() + expressions() + structures() +
             texts() + beyond())
    with open(sys.argv[1], "w") as f:
        for category, gold, pred in pairs:
            g, p = "$" + gold + "$", wrap(pred)
            label = bool(verify(parse(g), parse(p)))
            f.write(json.dumps({"category": category, "gold": g, "pred": p, "label": label}) + "\n")
    print(f"{len(pairs)} pairs written to {sys.argv[1]}")


if __name__ == "__main__":
    main()
