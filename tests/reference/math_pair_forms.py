"""The shared pieces of the math parity pairs (make_math_pairs.py): the one fixed-seed generator every
category draws from, in order, and the shapes golds and predictions are written in."""
import re
from fractions import Fraction
import random

rng = random.Random(1234)

# Shapes of a completion's final answer written in LaTeX.
LATEX_FORMS = ["\\boxed{%s}", "$%s$", "The answer is $%s$.", "\\(%s\\)", "so $\\boxed{%s}$", "\\[%s\\]",
               "The final answer is $%s$. I hope it is correct.", "Therefore, the answer is \\(\\boxed{%s}\\)."]
# Shapes of a completion's final answer written as plain text (numbers, "3/4", "28 percent").
PLAIN_FORMS = ["%s", "Answer: %s", "**Answer:** %s", "The answer is %s.", "So we get %s in total.",
               "The final answer is %s. I hope it is correct."]


def wrap(pred):
    """A LaTeX answer as a completion writes it."""
    return rng.choice(LATEX_FORMS) % pred


def wrap_plain(pred):
    """A plain-text answer as a completion writes it."""
    return rng.choice(PLAIN_FORMS) % pred


def latex_gold(gold):
    """A LaTeX gold as a dataset stores it: inline math or boxed."""
    return rng.choice(["$%s$", "\\boxed{%s}"]) % gold


def any_gold(gold):
    """A gold that is also valid plain text (a bare number): plain, inline math or boxed."""
    return rng.choice(["%s", "$%s$", "\\boxed{%s}"]) % gold


def frac(p, q, cmd="frac"):
    """\\frac{p}{q}, or \\dfrac / \\tfrac / \\cfrac with cmd."""
    return "\\%s{%s}{%s}" % (cmd, p, q)


def coprime_fraction(lo=1, hi=30):
    """A reduced proper-or-improper fraction p/q with q > 1."""
    while True:
        f = Fraction(rng.randint(lo, hi), rng.randint(2, hi))
        if f.denominator > 1:
            return f.numerator, f.denominator


def thousands(n, sep):
    """n with its thousands separated by sep ("," / " " / "{,}" / "\\,")."""
    return f"{n:,}".replace(",", sep)


def with_plain_gold(raw):
    """Pairs from the original set: LaTeX golds wrapped, bare-number golds sometimes left plain."""
    number = re.compile(r"-?\d+(\.\d+)?")
    return [(any_gold(g) if number.fullmatch(g) else latex_gold(g), wrap(p)) for g, p in raw]
