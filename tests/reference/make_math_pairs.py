#!/usr/bin/env python3
"""Builds (gold, prediction) answer pairs and labels each with Math-Verify, for r1's accuracy parity.

Usage: make_math_pairs.py OUT.jsonl
Each line: {"category", "gold", "pred", "label"} with label = bool(math_verify.verify(parse(gold), parse(pred))),
Math-Verify 0.9.0 with its default configuration for both sides (LaTeX and plain-expression extraction).

Golds come in the two forms datasets store them: plain text ("10/9", "1 000", "28\\%", "x \\neq 3", with no
math delimiters) and LaTeX wrapped in "$...$" or "\\boxed{...}". Predictions come in the forms completions
use: \\boxed{}, $..$, \\(..\\), \\[..\\], prose ("The final answer is $X$. I hope it is correct.",
"Answer: X", "**Answer:** X", plain numbers in a sentence), and whole multi-paragraph solutions.

One plain function per category returns its (gold, pred) pairs, already in their final text form; the
shared generator and answer shapes are in math_pair_forms.py, the long worked solutions in
math_pair_solutions.py. Each category mixes equal forms with near misses that must stay wrong; the label
is whatever Math-Verify says, including where Math-Verify is wrong by the maths. Everything is drawn from
one fixed-seed generator, so the output is identical from run to run.
"""
import json
import sys
from fractions import Fraction
from math import comb, factorial

from math_verify import parse, verify

from math_pair_forms import (any_gold, coprime_fraction, frac, latex_gold, rng, thousands, with_plain_gold, wrap,
                             wrap_plain)
from math_pair_solutions import long_solution

def integers():
    """Integers against decimal, thousands-separated, unit-suffixed forms and off-by-one values."""
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
    return with_plain_gold(out)


def fractions():
    """Fractions against reduced, \\dfrac/\\tfrac, slash and decimal forms, and wrong numerators."""
    out = []
    for _ in range(16):
        a, b = rng.randint(1, 30), rng.randint(2, 30)
        f = Fraction(a, b)
        g = frac(a, b)
        out += [(g, frac(f.numerator, f.denominator)), (g, frac(a, b, "dfrac")),
                (g, f"{f.numerator}/{f.denominator}"), (g, frac(a + 1, b)),
                (g, f"{float(f):.6f}"), (g, f"{float(f):.2f}"), (g, frac(2 * a, 2 * b, "tfrac"))]
    out += [("\\frac12", "0.5"), ("\\frac{1}{3}", "0.3333333"), ("\\frac{1}{3}", "0.333"),
            ("-\\frac{2}{3}", "\\frac{-2}{3}"), ("-\\frac{2}{3}", "\\frac{2}{-3}"), ("-\\frac{2}{3}", "\\frac{2}{3}"),
            ("7\\frac{3}{4}", "7.75"), ("\\frac{3}{4}", "\\frac{6}{8}"), ("\\frac{1}{2}", "\\frac{1}{2}\\%")]
    return with_plain_gold(out)


def decimals():
    """Decimals against trailing zeros, more digits, fractions, and values off in the last places."""
    out = []
    for _ in range(12):
        x = round(rng.uniform(-100, 100), rng.randint(1, 4))
        s = repr(x)
        out += [(s, s + "0"), (s, f"{x + 0.01:.4f}"), (s, s), (s, f"{x:.6f}")]
    out += [(".5", "0.5"), ("0.5", "\\frac{1}{2}"), ("3", "3.00001"), ("1000", "1000.0001"),
            ("2.50", "2.5"), ("1.5", "\\frac{3}{2}"), ("0.125", "\\frac18"), ("1e3", "1000")]
    return with_plain_gold(out)


def radicals_and_pi():
    """Radicals and multiples of pi, simplified or not, and their decimal values."""
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
    return with_plain_gold(out)


def percents():
    """n\\% against n, n/100 and n+1."""
    out = []
    for _ in range(8):
        n = rng.randint(1, 99)
        out += [(f"{n}\\%", str(n)), (f"{n}\\%", f"{n}\\%"), (f"{n}\\%", f"{n / 100}"), (f"{n}\\%", str(n + 1)),
                (str(n), f"{n}\\%")]
    return with_plain_gold(out)


def expressions():
    """Polynomials and equations, reordered, expanded or factored, and with a sign or term changed."""
    out = [("x+1", "1+x"), ("2x", "x \\cdot 2"), ("x^2+2x+1", "(x+1)^2"), ("x^2-1", "(x-1)(x+1)"),
           ("x^2-1", "(x-1)^2"), ("\\frac{x}{2}", "0.5x"), ("3a+2b", "2b+3a"), ("3a+2b", "3a-2b"),
           ("2^{10}", "1024"), ("2^{-1}", "0.5"), ("(2+3)\\cdot 4", "20"), ("\\frac{x+1}{x}", "1+\\frac{1}{x}"),
           ("n(n+1)/2", "\\frac{n^2+n}{2}"), ("x^3", "x\\cdot x\\cdot x"), ("y=2x+3", "y=3+2x"),
           ("y=2x+3", "2x+3"), ("x=5", "5"), ("5", "x=5"), ("x=5", "x=6"), ("k=-2", "-2")]
    for _ in range(10):
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        out += [(f"{a}x+{b}", f"{b}+{a}x"), (f"{a}x+{b}", f"{a}x-{b}"), (f"{a}({b}+x)", f"{a * b}+{a}x")]
    return with_plain_gold(out)


def structures():
    """Tuples, sets, intervals and comma lists, reordered or with an element changed."""
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
    return with_plain_gold(out)


def texts():
    """Text answers: words, multiple-choice letters."""
    out = [("\\text{Monday}", "monday"), ("\\text{Monday}", "\\text{Tuesday}"), ("\\text{(B)}", "B"),
           ("A", "a"), ("\\text{even}", "\\text{even}"), ("\\text{yes}", "\\text{no}"), ("B", "C")]
    return with_plain_gold(out)


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
    return with_plain_gold(out)


def plain_gold_latex_pred():
    """Plain-text golds ("10/9", "2^10", "sqrt(2)", bare "\\frac{10}{9}") against LaTeX predictions."""
    out = []
    for _ in range(10):
        p, q = coprime_fraction()
        g = f"{p}/{q}"
        short = f"\\dfrac{p}{q}" if p < 10 and q < 10 else frac(p, q, "dfrac")
        out += [(g, wrap(frac(p, q))), (g, wrap(short)), (g, wrap(frac(2 * p, 2 * q))),
                (g, wrap(frac(q, p))), (g, wrap(frac(p + 1, q)))]
    for k in rng.sample(range(3, 16), 6):
        g = f"2^{k}"
        out += [(g, wrap(str(2 ** k))), (g, wrap(f"2^{{{k}}}")), (g, wrap(str(2 ** (k - 1)))), (g, wrap(str(2 * k)))]
    for m in [2, 3, 5]:
        out += [(f"sqrt({m})", wrap(f"\\sqrt{{{m}}}")), (f"2sqrt({m})", wrap(f"2\\sqrt{{{m}}}")),
                (f"sqrt({m})", wrap(f"\\sqrt{{{m + 1}}}"))]
    for _ in range(6):
        n = rng.randint(-500, 500)
        out += [(str(n), wrap(str(n))), (str(n), wrap(str(-n if n else 1))), (str(n), wrap_plain(str(n + 1)))]
    for _ in range(5):
        p, q = rng.randint(1, 40), rng.choice([2, 4, 5, 8])
        d = p / q
        out += [(f"{d:g}", wrap(frac(p, q))), (f"{d:g}", wrap(frac(p, q + 1)))]
    # Golds stored as bare LaTeX (MATH's answer field), no math delimiters.
    out += [("\\frac{10}{9}", wrap("\\frac{20}{18}")), ("\\frac{10}{9}", wrap("\\frac{9}{10}")),
            ("\\dfrac{10}{9}", wrap("\\frac{10}{9}")), ("\\sqrt{2}", wrap("\\sqrt{2}")), ("\\pi", wrap("\\pi")),
            ("2\\sqrt{3}", wrap("\\sqrt{12}")), ("2\\sqrt{3}", wrap("3\\sqrt{2}")), ("(1, 2)", wrap("(1, 2)")),
            ("28\\%", wrap("28\\%")), ("28\\%", wrap("0.28")), ("x \\neq 3", wrap("x \\neq 3")),
            ("\\frac{\\pi}{2}", wrap("\\frac{\\pi}{2}")), ("1 1/2", wrap("\\frac{3}{2}")), ("1 1/2", wrap("1.5")),
            ("-\\frac{1}{4}", wrap("-0.25")), ("-\\frac{1}{4}", wrap("\\frac{1}{4}"))]
    return out


def leading_decimal():
    """Decimals without a leading zero (".4", "-.25") against zero-led, fraction and trailing-zero forms."""
    out = []
    for _ in range(10):
        digits = rng.choice(["4", "25", "75", "125", "05", "6", "375", "9"])
        x = Fraction(int(digits), 10 ** len(digits))
        neg = rng.random() < 0.4
        sign = "-" if neg else ""
        g = any_gold(f"{sign}.{digits}")
        out += [(g, wrap(f"{sign}0.{digits}")), (g, wrap_plain(f"{sign}0.{digits}")),
                (g, wrap(f"{sign}{frac(x.numerator, x.denominator)}")), (g, wrap(f"{sign}.{digits}0")),
                (g, wrap(f"{'' if neg else '-'}0.{digits}")), (g, wrap(f"{sign}0.0{digits}")),
                (g, wrap(f"{sign}{digits}"))]
        out.append((any_gold(f"{sign}0.{digits}"), rng.choice([wrap, wrap_plain])(f"{sign}.{digits}")))
    return out


def national_numbers():
    """Spaced thousands, thin spaces, {,} separators and decimal commas against plain numbers."""
    out = []
    for _ in range(10):
        n = rng.choice([rng.randint(1000, 9999), rng.randint(10000, 999999), rng.randint(10 ** 6, 10 ** 8)])
        spaced, braced, thin = thousands(n, " "), thousands(n, "{,}"), thousands(n, "\\,")
        out += [(spaced, wrap(str(n))), (str(n), wrap_plain(spaced)), (latex_gold(braced), wrap(str(n))),
                (str(n), wrap(braced)), (latex_gold(thin), wrap(str(n))), (str(n), wrap(thin)),
                (spaced, wrap(str(n + 1000))), (latex_gold(braced), wrap(thousands(n + 1, "{,}"))),
                (str(n), wrap_plain(thousands(n * 10, " ")))]
    for _ in range(8):
        whole, cents = rng.randint(1, 9999), rng.randint(1, 99)
        comma, dot = f"{whole},{cents:02d}", f"{whole}.{cents:02d}"
        out += [(comma, wrap(dot)), (dot, wrap_plain(comma)), (comma, wrap(f"{whole}{cents:02d}")),
                (comma, wrap(f"{whole}.{(cents + 1) % 100:02d}"))]
    out += [("3,5", wrap("3.5")), ("3,5", wrap("35")), ("$3{,}5$", wrap("3.5")), ("1 000", wrap("1000")),
            ("1 000", wrap("1001")), ("12 345 678", wrap("12345678")), ("12 345 678", wrap("1234567.8")),
            ("1000,99", wrap("1000.99")), ("1 000,5", wrap("1000.5")),
            ("$14{,}916$", wrap("14916")), ("14 916", wrap("14{,}916")), ("$1\\,000$", wrap("1000")),
            ("$1{,}000{,}000$", wrap("1000000")), ("$1{,}000{,}000$", wrap("100000")), ("1.000", wrap("1000"))]
    return out


def cfrac():
    """\\cfrac, \\dfrac and \\tfrac in golds and predictions, including continued fractions."""
    out = []
    for _ in range(10):
        p, q = coprime_fraction(1, 20)
        cmds = ["cfrac", "dfrac", "tfrac", "frac"]
        gcmd, pcmd = rng.choice(cmds), rng.choice(cmds)
        g = latex_gold(frac(p, q, gcmd))
        out += [(g, wrap(frac(p, q, pcmd))), (g, wrap(frac(3 * p, 3 * q, "cfrac"))), (g, wrap(f"{p}/{q}")),
                (g, wrap(frac(q, p, pcmd))), (g, wrap(frac(p, q + 1, "cfrac")))]
    for _ in range(4):
        a, b, c = rng.randint(1, 5), rng.randint(1, 5), rng.randint(2, 6)
        value = a + 1 / (b + Fraction(1, c))
        nested = f"{a}+\\cfrac{{1}}{{{b}+\\cfrac{{1}}{{{c}}}}}"
        out += [(latex_gold(frac(value.numerator, value.denominator)), wrap(nested)),
                (latex_gold(nested), wrap(frac(value.numerator, value.denominator))),
                (latex_gold(nested), wrap(frac(value.numerator + 1, value.denominator)))]
    out += [("$\\cfrac34$", wrap("0.75")), ("3/4", wrap("\\cfrac34")), ("3/4", wrap("\\cfrac43")),
            ("\\cfrac{3}{4}", wrap("\\frac34")), ("$\\cfrac{x}{2}$", wrap("\\dfrac{x}{2}")),
            ("$\\cfrac{x}{2}$", wrap("\\tfrac{2}{x}"))]
    return out


def percent_words():
    """"28 percent", "28 pct", "28 percentage", "28\\%", "28%", "0.28" against each other."""
    out = []
    for _ in range(8):
        n = rng.randint(1, 99)
        golds = [f"{n} percent", f"{n} pct", f"{n} percentage", f"{n}\\%", f"{n}%", f"${n}\\%$", f"0.{n:02d}"]
        preds = [wrap(f"{n}\\%"), wrap_plain(f"{n}%"), wrap_plain(f"{n} percent"), f"The rate is {n} pct.",
                 wrap(f"0.{n:02d}"), wrap(f"{n}\\%")]
        misses = [wrap(f"{n + 1}\\%"), wrap_plain(f"{n + 1} percent"), wrap(f"0.{n + 1:02d}"), wrap(f"{n / 1000}")]
        out += [(rng.choice(golds), p) for p in preds] + [(rng.choice(golds), p) for p in misses]
    return out


def units():
    """Values with units in \\text, \\textnormal, \\mathrm, \\mbox, currency and degree signs."""
    unit_forms = ["\\text{ cm}", "\\textnormal{ cm}", "\\mathrm{cm}", "\\mbox{ cm}", "\\text{ cm}^2", "\\text{ km}",
                  "\\text{ dollars}", "\\,\\textnormal{m}^2", "\\ \\mathrm{km}", "\\text{ square units}"]
    out = []
    for _ in range(12):
        x = rng.choice([rng.randint(2, 999), rng.randint(10, 990) / 10])
        v, u = f"{x:g}", rng.choice(unit_forms)
        out += [(any_gold(v), wrap(f"{v}{u}")), (latex_gold(f"{v}{u}"), wrap(v)),
                (latex_gold(f"{v}{u}"), wrap(f"{v}{rng.choice(unit_forms)}")), (v, f"It is {v} km long."),
                (any_gold(v), wrap(f"{x + 1:g}{u}")), (latex_gold(f"{v}{u}"), wrap(f"{x * 10:g}{u}"))]
    for _ in range(5):
        d = rng.choice([30, 45, 60, 90, 120, 135, 150])
        out += [(latex_gold(f"{d}^\\circ"), wrap(str(d))), (str(d), wrap(f"{d}^{{\\circ}}")), (str(d), f"{d}°"),
                (latex_gold(f"{d}^\\circ"), wrap(f"{d}°")), (str(d), wrap(f"{d + 1}^\\circ")),
                (latex_gold(f"{d}^\\circ"), wrap(f"{d}\\text{{ degrees}}"))]
    for _ in range(4):
        dollars = rng.randint(2, 5000)
        out += [(str(dollars), wrap(f"\\${dollars}")), (f"\\${dollars}", wrap(str(dollars))),
                (str(dollars), f"She pays ${dollars}."), (str(dollars), wrap(f"\\${dollars + 1}"))]
    out += [("$12\\text{ cm}$", wrap("12\\text{ km}")), ("$90^\\circ$", wrap("\\frac{\\pi}{2}")),
            ("$7.5$", wrap("\\$7.50")), ("$1{,}200$", wrap("\\$1{,}200")), ("5 cm", wrap("5\\text{ cm}"))]
    return out


def relations():
    """\\neq / \\leq / \\geq against != / <= / >=, flipped inequalities, and wrong relations or variables."""
    same = [("\\neq", ["!=", "\\ne", "\\neq"]), ("\\leq", ["<=", "\\le", "\\leqslant"]),
            ("\\geq", [">=", "\\ge", "\\geqslant"]), ("<", ["<"]), (">", [">"]), ("=", ["="])]
    flipped = {"\\leq": "\\geq", "\\geq": "\\leq", "<": ">", ">": "<", "=": "=", "\\neq": "\\neq"}
    wrong = {"\\leq": "<", "\\geq": ">", "<": "\\leq", ">": "\\geq", "=": "\\neq", "\\neq": "="}
    out = []
    for _ in range(12):
        rel, spellings = rng.choice(same)
        c, v = rng.randint(-20, 20), rng.choice("xyatn")
        other = rng.choice([w for w in "xyz" if w != v])
        g = f"{v} {rel} {c}"
        gold = g if rng.random() < 0.3 else latex_gold(g)
        out += [(gold, wrap(f"{v} {rng.choice(spellings)} {c}")), (gold, wrap(f"{c} {flipped[rel]} {v}")),
                (gold, wrap(f"-{v} {flipped[rel]} {-c}")), (gold, wrap(f"{v} {wrong[rel]} {c}")),
                (gold, wrap(f"{other} {rel} {c}")), (gold, wrap(f"{v} {rel} {c + 1}"))]
    out += [("x \\neq 3", wrap("x != 3")), ("$x \\neq 3$", wrap("x != 3")), ("$x < 1$", wrap("-x > -1")),
            ("$x < 3$", wrap("3 > x")), ("$x \\le 3$", wrap("x < 3")), ("$y = 3$", wrap("x = 3")),
            ("$x \\leq 5$", "$x <= 5$"), ("x >= 2", wrap("x \\geq 2")), ("$2x < 6$", wrap("x < 3")),
            ("$x > -2$", wrap("x \\geq -2"))]
    return out


def approx():
    """"x \\approx 11" / "\\approx 11" against exact golds, and approximations of irrationals."""
    out = []
    for _ in range(8):
        n = rng.randint(2, 500)
        g = any_gold(str(n))
        out += [(g, wrap(f"x \\approx {n}")), (g, wrap(f"\\approx {n}")), (g, f"The answer is approximately ${n}$."),
                (g, wrap(f"\\approx {n}.0")), (g, wrap(f"x \\approx {n + 1}")), (g, wrap(f"\\approx {n}.4"))]
    for gold, close, far in [("\\pi", "3.14159265", "3.14"), ("\\sqrt{2}", "1.41421356", "1.414"),
                             ("e", "2.7182818", "2.72"), ("\\frac{1}{3}", "0.3333333", "0.33"),
                             ("\\frac{2}{7}", "0.285714", "0.29"), ("\\sqrt{3}", "1.7320508", "1.73")]:
        out += [(latex_gold(gold), wrap(f"\\approx {close}")), (latex_gold(gold), wrap(f"\\approx {far}")),
                (latex_gold(gold), wrap(f"x \\approx {far}"))]
    return out


# --- long solutions -----------------------------------------------------------------------------------------
# Each template returns (core paragraphs, extra paragraphs, (plain golds, LaTeX answers, wrong answers)).

def left_right():
    """Coordinates, intervals and sets written with \\left( \\right), \\left[ \\right), \\left\\{ \\right\\}."""
    out = []
    for _ in range(8):
        a, b, p = rng.sample(range(-20, 20), 3)
        lo, hi = sorted((a, b))
        q = rng.randint(2, 9)
        pt = latex_gold(f"({a}, {b})")
        out += [(pt, wrap(f"\\left( {a}, {b} \\right)")), (pt, wrap(f"\\left({a},{b}\\right)")),
                (pt, wrap(f"\\left( {b}, {a} \\right)")), (pt, wrap(f"\\left[ {a}, {b} \\right]")),
                (latex_gold(f"[{lo}, {hi})"), wrap(f"\\left[ {lo}, {hi} \\right)")),
                (latex_gold(f"[{lo}, {hi})"), wrap(f"\\left( {lo}, {hi} \\right]")),
                (latex_gold(f"\\{{{a}, {b}, {p}\\}}"), wrap(f"\\left\\{{ {p}, {b}, {a} \\right\\}}")),
                (latex_gold(f"\\{{{a}, {b}, {p}\\}}"), wrap(f"\\left\\{{ {p}, {b}, {a + 1} \\right\\}}")),
                (latex_gold(f"\\left( {frac(p, q)}, {a} \\right)"), wrap(f"({p}/{q}, {a})")),
                (latex_gold(f"\\left( {frac(p, q)}, {a} \\right)"), wrap(f"\\left( {frac(q, p)}, {a} \\right)"))]
    return out


def lists():
    """Assignments, unordered tuples, "or"/"and" lists and sets, in other orders or with other values."""
    out = []
    for _ in range(6):
        i, j = rng.sample(range(1, 60), 2)
        u, v = rng.sample(range(-10, 40), 2)
        g = latex_gold(f"a_{{{i}}} = {u}, a_{{{j}}} = {v}")
        out += [(g, wrap(f"a_{{{j}}} = {v}, a_{{{i}}} = {u}")), (g, wrap(f"a_{{{i}}} = {u}, a_{{{j}}} = {v}")),
                (g, wrap(f"a_{{{i}}} = {v}, a_{{{j}}} = {u}")), (g, wrap(f"{u}, {v}")),
                (g, wrap(f"a_{{{i}}} = {u}, a_{{{j}}} = {v + 1}"))]
    for _ in range(6):
        a, b = rng.sample(range(1, 30), 2)
        c = rng.randint(31, 40)
        out += [(latex_gold(f"{a}, {b}"), wrap(f"{b}, {a}")), (latex_gold(f"{a}, {b}"), f"${a}$ and ${b}$"),
                (latex_gold(f"{a}, {b}"), wrap(f"{b} \\text{{ and }} {a}")), (f"{a}, {b}", f"{a} and {b}"),
                (latex_gold(f"{a}, {b}"), wrap(f"{a}, {c}")), (latex_gold(f"{a}, {b}"), wrap(f"{a}, {b}, {c}")),
                (latex_gold(f"x = {a} or x = {b}"), wrap(f"x = {b} \\text{{ or }} x = {a}")),
                (latex_gold(f"{a}, {b}"), f"$x = {a}$ or $x = {b}$"),
                (latex_gold(f"{a}, {b}"), wrap(f"x = {a}, x = {c}")),
                (latex_gold(f"\\{{{c}, {a}, {b}\\}}"), wrap(f"\\{{{a}, {b}, {c}\\}}")),
                (latex_gold(f"\\{{{c}, {a}, {b}\\}}"), wrap(f"{b}, {c}, {a}")),
                (latex_gold(f"\\{{{c}, {a}, {b}\\}}"), wrap(f"\\{{{a}, {b}\\}}"))]
    for _ in range(4):
        a, b = rng.sample(range(1, 20), 2)
        out += [(latex_gold(f"({a},{b}) \\text{{ or }} ({b},{a})"), wrap(f"({b}, {a})")),
                (latex_gold(f"({a},{b}), ({b},{a})"), wrap(f"({b},{a}), ({a},{b})")),
                (latex_gold(f"({a},{b})"), f"$({a},{b})$ or $({b},{a})$"),
                (latex_gold(f"({a},{b})"), wrap(f"({b},{a})"))]
    out += [("$(11,7) or (7,11)$", wrap("(7, 11)")), ("$(11,7)$", wrap("(11,7) or (7,11)"))]
    return out


def intervals():
    """Intervals against inequalities in both directions, unions, and open/closed near misses."""
    out = []
    for _ in range(8):
        lo, hi = sorted(rng.sample(range(-900, 100), 2))
        v = rng.choice("axt")
        ineq, interval = f"{lo} < {v} < {hi}", f"({lo}, {hi})"
        out += [(latex_gold(ineq), wrap(interval)), (latex_gold(interval), wrap(ineq)), (ineq, wrap(interval)),
                (latex_gold(interval), wrap(f"({lo},{hi})")), (latex_gold(interval), wrap(f"{v} \\in ({lo}, {hi})")),
                (latex_gold(ineq), wrap(f"[{lo}, {hi})")), (latex_gold(ineq), wrap(f"({lo}, {hi + 1})")),
                (latex_gold(f"{lo} \\le {v} < {hi}"), wrap(f"[{lo}, {hi})")),
                (latex_gold(f"{lo} \\le {v} < {hi}"), wrap(f"({lo}, {hi}]"))]
    for _ in range(6):
        c = rng.randint(-20, 20)
        rel, closed, opn = rng.choice([("\\ge", f"[{c}, \\infty)", f"({c}, \\infty)"),
                                       ("\\le", f"(-\\infty, {c}]", f"(-\\infty, {c})"),
                                       (">", f"({c}, \\infty)", f"[{c}, \\infty)"),
                                       ("<", f"(-\\infty, {c})", f"(-\\infty, {c}]")])
        out += [(latex_gold(f"x {rel} {c}"), wrap(closed)), (latex_gold(closed), wrap(f"x {rel} {c}")),
                (latex_gold(f"x {rel} {c}"), wrap(opn)), (latex_gold(closed), wrap(opn))]
    for _ in range(5):
        a, b = sorted(rng.sample(range(-10, 10), 2))
        union = f"(-\\infty,{a})\\cup({b},\\infty)"
        out += [(latex_gold(union), wrap(f"({b},\\infty)\\cup(-\\infty,{a})")),
                (latex_gold(union), wrap(f"(-\\infty,{a}]\\cup({b},\\infty)")),
                (latex_gold(union), wrap(f"x<{a} \\text{{ or }} x>{b}")),
                (latex_gold(f"x < {a} \\text{{ or }} x > {b}"), wrap(union)),
                (latex_gold(union), wrap(f"\\mathbb{{R}} \\setminus [{a},{b}]"))]
    return out


def matrix(rows, env="pmatrix"):
    """rows as a LaTeX matrix environment."""
    return f"\\begin{{{env}}} " + " \\\\ ".join(" & ".join(map(str, r)) for r in rows) + f" \\end{{{env}}}"


def matrices():
    """pmatrix/bmatrix matrices and vectors: equal, unequal entries, other shapes, fractions vs decimals."""
    out = []
    for _ in range(8):
        r, c = rng.choice([(2, 2), (2, 1), (3, 1), (2, 3)])
        rows = [[rng.randint(-9, 9) for _ in range(c)] for _ in range(r)]
        g = latex_gold(matrix(rows))
        changed = [row[:] for row in rows]
        changed[-1][-1] += 1
        out += [(g, wrap(matrix(rows, "bmatrix"))), (g, wrap(matrix(rows))), (g, wrap(matrix(changed))),
                (g, wrap(matrix([list(col) for col in zip(*rows)]))), (g, wrap(matrix(rows[::-1])))]
    for _ in range(4):
        p, q = coprime_fraction(1, 9)
        n = rng.randint(-5, 5)
        exact = latex_gold(matrix([[frac(p, q)], [n]]))
        out += [(exact, wrap(matrix([[f"{p / q:.6f}"], [n]]))), (exact, wrap(matrix([[f"{p / q:.2f}"], [n]]))),
                (exact, wrap(matrix([[f"{p}/{q}"], [n]], "bmatrix"))), (exact, wrap(f"({frac(p, q)}, {n})"))]
    out += [(matrix([[1], [2]]), wrap(matrix([[1], [2]])))]
    return out


def strict_variables():
    """Expressions and equations that differ only in a variable's name are not equal."""
    out = []
    for _ in range(10):
        a, b = rng.randint(2, 9), rng.randint(1, 9)
        v, w = rng.sample("xytabnmk", 2)
        out += [(latex_gold(f"{a}{v}+{b}"), wrap(f"{b}+{a}{v}")), (latex_gold(f"{a}{v}+{b}"), wrap(f"{a}{w}+{b}")),
                (latex_gold(f"{v}={b}"), wrap(f"{v} = {b}")), (latex_gold(f"{v}={b}"), wrap(f"{w}={b}")),
                (latex_gold(f"{v}^2-{a * a}"), wrap(f"({v}-{a})({v}+{a})")),
                (latex_gold(f"{v}^2-{a * a}"), wrap(f"({w}-{a})({w}+{a})"))]
    out += [("$f(x) = x^2$", wrap("f(t) = t^2")), ("$x+1$", wrap("y+1")), ("$a=2$", wrap("b=2"))]
    return out


def hedging():
    """Predictions that hedge between several values, the shapes a reward hacker would try."""
    out = []
    for _ in range(8):
        a, b = rng.sample(range(1, 60), 2)
        g = any_gold(str(a))
        out += [(g, f"$\\boxed{{{a}}}$ or $\\boxed{{{b}}}$"), (g, f"\\boxed{{{b}}} or \\boxed{{{a}}}"),
                (g, wrap(f"{a}, {b}")), (g, f"The answer is {a} or {b}."), (g, f"The answer is {b} or {a}."),
                (g, f"It is either {b} or {a}."), (g, f"It is either {a} or {b}."),
                (g, f"${a}$ or ${b}$"), (g, wrap(f"{a} \\text{{ or }} {b}")),
                (g, f"I think it is $\\boxed{{{b}}}$. Actually, it is $\\boxed{{{a}}}$."),
                (g, wrap(", ".join(str(a + k) for k in range(-2, 3))))]
    out += [("$3$", "\\boxed{3 \\pm 1}"), ("$3$", "\\boxed{\\{3, 4\\}}"), ("$3, 4$", "$\\boxed{3}$ or $\\boxed{4}$"),
            ("$3$", "either 3 or 4"), ("$4$", "either 3 or 4")]
    return out


def symbolic():
    """Values equal by algebra, trig, logs, radicals, \\pm, factorials, binomials, complex numbers."""
    out = []
    for _ in range(6):
        a = rng.randint(1, 9)
        sq = f"(x+{a})^2"
        out += [(latex_gold(sq), wrap(f"x^2+{2 * a}x+{a * a}")), (latex_gold(sq), wrap(f"x^2+{a}x+{a * a}")),
                (latex_gold(f"x^2-{a * a}"), wrap(f"(x-{a})(x+{a})")), (latex_gold(f"x^2-{a * a}"), wrap(f"(x-{a})^2"))]
    trig = [("\\frac12", "\\sin\\frac{\\pi}{6}", "\\cos\\frac{\\pi}{6}"),
            ("\\frac{\\sqrt{3}}{2}", "\\cos\\frac{\\pi}{6}", "\\sin\\frac{\\pi}{6}"),
            ("1", "\\tan\\frac{\\pi}{4}", "\\tan\\frac{\\pi}{3}"),
            ("\\frac{\\sqrt{2}}{2}", "\\sin\\frac{\\pi}{4}", "\\sin\\frac{\\pi}{3}"),
            ("-1", "\\cos\\pi", "\\sin\\pi"), ("\\frac{\\sqrt{3}}{2}", "\\cos 30^\\circ", "\\cos 60^\\circ"),
            ("-1", "e^{i\\pi}", "e^{\\pi}"), ("1", "\\sin^2 x + \\cos^2 x", "\\sin^2 x - \\cos^2 x")]
    for g, eq, ne in trig:
        out += [(latex_gold(g), wrap(eq)), (latex_gold(g), wrap(ne))]
    for _ in range(5):
        b, k = rng.randint(2, 5), rng.randint(2, 5)
        out += [(any_gold(str(k)), wrap(f"\\log_{{{b}}} {b ** k}")),
                (any_gold(str(k)), wrap(f"\\log_{{{b}}} {b ** k + 1}")),
                (any_gold(str(k)), wrap(f"\\ln e^{{{k}}}")), (any_gold(str(k)), wrap(f"\\ln {k}"))]
    for _ in range(5):
        k, m = rng.randint(2, 7), rng.choice([2, 3, 5, 6, 7])
        out += [(latex_gold(f"\\sqrt{{{k * k * m}}}"), wrap(f"{k}\\sqrt{{{m}}}")),
                (latex_gold(f"\\sqrt{{{k * k * m}}}"), wrap(f"{k * m}\\sqrt{{{k}}}"))]
    for _ in range(4):
        n, k = rng.randint(4, 9), rng.randint(2, 3)
        fact, binom = factorial(n), comb(n, k)
        out += [(any_gold(str(fact)), wrap(f"{n}!")), (any_gold(str(fact)), wrap(f"{n - 1}!")),
                (any_gold(str(binom)), wrap(f"\\binom{{{n}}}{{{k}}}")),
                (any_gold(str(binom)), wrap(f"\\binom{{{n}}}{{{k + 1}}}")),
                (latex_gold(f"\\pm {n}"), wrap(f"{n}, -{n}")), (latex_gold(f"\\pm {n}"), wrap(str(n)))]
    for _ in range(4):
        a, b = rng.randint(1, 9), rng.randint(2, 9)
        z = f"{a}+{b}i"
        out += [(latex_gold(z), wrap(f"{b}i+{a}")), (latex_gold(z), wrap(f"{a}-{b}i")),
                (latex_gold(f"{b}i"), wrap(f"{b}i")), (latex_gold(f"{b}i"), wrap(f"{b}"))]
    out += [("$5$", wrap("|3+4i|")), ("$i$", wrap("\\sqrt{-1}")), ("$1-i$", wrap("\\frac{2}{1+i}")),
            ("$\\frac{1}{x}$", wrap("x^{-1}")), ("$\\sqrt{2}$", wrap("2^{1/2}")), ("$e^2$", wrap("\\exp(2)")),
            ("$2t+9$", wrap("9+2t")), ("$11$", wrap("9+2t")), ("$3$", wrap("3m")), ("$5+2s$", wrap("2s+5"))]
    return out


def near_miss():
    """Plausible wrong answers across shapes: off by one, sign, swapped coordinates, denominators, rounding."""
    out = []
    for _ in range(6):
        n = rng.randint(-300, 3000)
        p, q = coprime_fraction(1, 12)
        a, b = rng.sample(range(-15, 15), 2)
        g_frac = latex_gold(frac(p, q))
        out += [(any_gold(str(n)), wrap(str(n + 1))), (any_gold(str(n)), wrap(str(-n if n else 1))),
                (any_gold(str(n)), wrap(str(10 * n if n else 10))),
                (latex_gold(f"({a}, {b})"), wrap(f"({b}, {a})")), (g_frac, wrap(frac(p, q + 1))),
                (g_frac, wrap(frac(q, p))), (g_frac, wrap(f"{p / q:.2f}")), (g_frac, wrap(f"-{frac(p, q)}")),
                (latex_gold(f"{abs(n)}\\%"), wrap(f"{abs(n) / 1000}")),
                (latex_gold(f"x = {a}"), wrap(f"x = {b}"))]
    out += [(latex_gold("\\frac{1}{3}"), wrap("0.33")), (latex_gold("\\frac{1}{3}"), wrap("0.3333")),
            (latex_gold("\\frac{2}{3}"), wrap("0.667")), (latex_gold("\\frac{2}{3}"), wrap("0.67")),
            (latex_gold("\\pi"), wrap("3.1416")), (latex_gold("\\sqrt{2}"), wrap("1.41")),
            (latex_gold("\\sqrt{3}"), wrap("\\sqrt{2}")), (latex_gold("2\\pi"), wrap("\\pi")),
            (latex_gold("2^{10}"), wrap("2^9")), (latex_gold("\\frac{1}{7}"), wrap("0.142857")),
            (latex_gold("\\frac{1}{7}"), wrap("0.14286")), ("0.5", wrap("0.5\\%")),
            (latex_gold("x^2"), wrap("2x")), (latex_gold("(1, 2, 3)"), wrap("(1, 3, 2)")),
            (latex_gold("\\frac{\\sqrt{3}}{2}"), wrap("\\frac{\\sqrt{2}}{2}")), (latex_gold("e"), wrap("2.71"))]
    return out


CATEGORIES = [("int", integers), ("fraction", fractions), ("decimal", decimals), ("radical_pi", radicals_and_pi),
              ("percent", percents), ("expression", expressions), ("structure", structures), ("text", texts),
              ("beyond", beyond), ("plain_gold_latex_pred", plain_gold_latex_pred),
              ("leading_decimal", leading_decimal), ("national_numbers", national_numbers), ("cfrac", cfrac),
              ("percent_words", percent_words), ("units", units), ("relations", relations), ("approx", approx),
              ("long_solution", long_solution), ("left_right", left_right), ("lists", lists),
              ("intervals", intervals), ("matrices", matrices), ("strict_variables", strict_variables),
              ("hedging", hedging), ("symbolic", symbolic), ("near_miss", near_miss)]


def main():
    """Writes every category's pairs, labelled by Math-Verify, to argv[1] as JSON lines."""
    count = 0
    with open(sys.argv[1], "w") as f:
        for category, make in CATEGORIES:
            for gold, pred in make():
                label = bool(verify(parse(gold), parse(pred)))
                f.write(json.dumps({"category": category, "gold": gold, "pred": pred, "label": label}) + "\n")
                count += 1
    print(f"{count} pairs written to {sys.argv[1]}")


if __name__ == "__main__":
    main()
