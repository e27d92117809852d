#!/usr/bin/env python3
"""Math answer verification of r1's accuracy reward against Math-Verify 0.9.0: throughput on the same
10,000 (gold, completion) pairs in the same run on the same machine, and how often the two verdicts
agree.

Usage: python3 bench/accuracy_bench.py [--r1 build/r1] [--pairs 10000] [--seed 7]
                                       [--baseline-pairs 0] [--json PATH] [--disagreements PATH]

The pairs are built here from one fixed-seed generator (identical from run to run): completions of a
few sentences to a few paragraphs of worked reasoning with inline maths, ending with the answer
boxed, in "$..$" or after "The final answer is"; golds as datasets store them, plain text ("3/4",
"1,250", "25%") or LaTeX ("$\\frac{3}{4}$", "$2\\sqrt{3}$", "\\boxed{[2, 7)}"); integers, fractions,
decimals, radicals and pi, sets, tuples, intervals, relations, percents, units and a few
expressions. About half are correct by construction (an equal value, often written differently);
the rest are near misses.

- r1: one `r1 --threads 1 reward --fn accuracy --set mode=latex --input F.jsonl --output O.jsonl`
  over all pairs ({"answer": gold, "completion": ...} a line), timed as the subprocess's wall clock:
  process start, JSONL reading and writing included.
- Math-Verify: `verify(parse(gold), parse(completion))` with its default configuration (LaTeX and
  plain-expression extraction, its own 5 s timeouts), one process, one pair after another, timed
  from the first parse to the last verify; one warm-up pair outside the set goes first (its regexes
  are compiled lazily). Math-Verify takes minutes over all pairs, so --baseline-pairs N times it
  on the first N pairs only (a fixed random sample: the pairs come in random order), and agreement
  is then counted on those. Throughput is compared
  as pairs per second.

Agreement is counted on the pairs both scored (r1 gives None when a gold has no answer or a
comparison ran out of time), split into "r1 accepts, math-verify rejects" and the reverse;
disagreements are figures, never a failure. --disagreements PATH writes those pairs as JSONL.
Last output line: {"pairs":..., "r1_seconds":..., "r1_pairs_per_s":..., "mv_pairs_per_s":...,
"ratio":..., "agreement":..., ...}.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------------------------------
# The pairs. Every category returns (gold, answer, intended): the gold as a dataset stores it, the
# answer as the completion's final line writes it (LaTeX unless `plain`), and whether it is meant to
# be right. All randomness comes from the one generator passed in.


class Answer:
    def __init__(self, text, plain=False):
        self.text, self.plain = text, plain


def gold_form(rng, latex, plain=None):
    """A gold as datasets store it: plain text when it has a plain form (numbers, "3/4"), else LaTeX in
    $..$ or boxed (Math-Verify reads LaTeX only inside a math environment, so no bare LaTeX)."""
    if plain is not None and rng.random() < 0.5:
        return plain
    return rng.choice(["$%s$", "\\boxed{%s}"]) % latex


def thousands(n, sep):
    return f"{n:,}".replace(",", sep)


def near_int(rng, v):
    return rng.choice([v + 1, v - 1, v + rng.randint(2, 9), v * 10, -v if v else 1, v + 10])


def integers(rng, ok):
    v = rng.choice([rng.randint(0, 20), rng.randint(21, 999), rng.randint(1000, 99999), -rng.randint(1, 60)])
    gold = gold_form(rng, str(v), thousands(v, ",") if abs(v) >= 1000 else str(v))
    w = v if ok else near_int(rng, v)
    if abs(w) >= 1000 and rng.random() < 0.5:
        return gold, Answer(thousands(w, rng.choice(["{,}", ",", "\\,"])))
    forms = [Answer(str(w)), Answer(str(w), plain=True), Answer(f"{w}.0" if rng.random() < 0.2 else str(w))]
    return gold, rng.choice(forms)


def fraction(rng):
    while True:
        f = Fraction(rng.randint(1, 40) * rng.choice([1, 1, 1, -1]), rng.randint(2, 24))
        if f.denominator > 1:
            return f


def frac_tex(f, cmd="frac"):
    sign = "-" if f < 0 else ""
    return "%s\\%s{%d}{%d}" % (sign, cmd, abs(f.numerator), f.denominator)


def terminating(f):
    d = f.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def fractions(rng, ok):
    f = fraction(rng)
    gold = gold_form(rng, frac_tex(f, rng.choice(["frac", "frac", "dfrac"])), f"{f.numerator}/{f.denominator}")
    if ok:
        k = rng.randint(2, 5)
        forms = [Answer(frac_tex(f)), Answer(frac_tex(f, "dfrac")),
                 Answer("%s\\frac{%d}{%d}" % ("-" if f < 0 else "", abs(f.numerator) * k, f.denominator * k)),
                 Answer(f"{f.numerator}/{f.denominator}", plain=True)]
        if terminating(f):
            forms.append(Answer(str(float(f))))
        return gold, rng.choice(forms)
    wrong = [Fraction(f.denominator, f.numerator), f + 1, Fraction(f.numerator + 1, f.denominator), -f]
    w = rng.choice(wrong)
    forms = [Answer(frac_tex(w)), Answer(f"{w.numerator}/{w.denominator}", plain=True)]
    if not terminating(f):
        forms.append(Answer(f"{float(f):.2f}"))  # a rounded decimal: a near miss
    return gold, rng.choice(forms)


def decimals(rng, ok):
    places = rng.choice([1, 1, 2, 2, 3])
    v = round(rng.uniform(0.01, 500), places)
    text = f"{v:.{places}f}"
    gold = gold_form(rng, text, text)
    if ok:
        f = Fraction(text)
        forms = [Answer(text), Answer(text + "0"), Answer(text, plain=True)]
        if f.denominator > 1:
            forms.append(Answer(frac_tex(f)))
        return gold, rng.choice(forms)
    step = 10 ** -places
    w = rng.choice([v + step, v - step, v * 10, v / 10, v + 1])
    return gold, Answer(f"{w:.{places + (1 if w == v / 10 else 0)}f}")


SQUAREFREE = [2, 3, 5, 6, 7, 10, 11, 13, 14, 15, 17, 19, 21]


def radicals(rng, ok):
    a, b = rng.randint(2, 9), rng.choice(SQUAREFREE)
    kind = rng.random()
    if kind < 0.6:
        gold = gold_form(rng, f"{a}\\sqrt{{{b}}}")
        if ok:
            return gold, rng.choice([Answer(f"{a}\\sqrt{{{b}}}"), Answer(f"\\sqrt{{{a * a * b}}}"),
                                     Answer(f"{a} \\sqrt {b}" if b < 10 else f"{a}\\sqrt{{{b}}}"),
                                     Answer(f"\\sqrt{{{b}}} \\cdot {a}")])
        return gold, rng.choice([Answer(f"{a + 1}\\sqrt{{{b}}}"), Answer(f"\\sqrt{{{a * b}}}"),
                                 Answer(f"{a}\\sqrt{{{b + 1}}}"), Answer(f"{a * b}")])
    if kind < 0.8:
        c = rng.randint(2, 9)
        gold = gold_form(rng, f"\\frac{{\\sqrt{{{b}}}}}{{{c}}}")
        if ok:
            return gold, rng.choice([Answer(f"\\frac{{\\sqrt{{{b}}}}}{{{c}}}"),
                                     Answer(f"\\frac{{1}}{{{c}}}\\sqrt{{{b}}}"),
                                     Answer(f"\\dfrac{{{a}\\sqrt{{{b}}}}}{{{a * c}}}")])
        return gold, Answer(f"\\frac{{\\sqrt{{{b}}}}}{{{c + 1}}}")
    gold = gold_form(rng, f"{a}\\pi")
    if ok:
        return gold, rng.choice([Answer(f"{a}\\pi"), Answer(f"{a} \\pi"), Answer(f"\\pi \\cdot {a}")])
    return gold, rng.choice([Answer(f"{a + 1}\\pi"), Answer(f"{a}"), Answer(f"{a}\\pi^2")])


def sets(rng, ok):
    items = sorted(rng.sample(range(-9, 20), rng.randint(2, 4)))
    latex = "\\{" + ", ".join(map(str, items)) + "\\}"
    gold = gold_form(rng, latex)
    if ok:
        shuffled = items[:]
        rng.shuffle(shuffled)
        return gold, rng.choice([Answer("\\{" + ", ".join(map(str, shuffled)) + "\\}"),
                                 Answer(", ".join(map(str, shuffled))),
                                 Answer("\\left\\{" + ",".join(map(str, items)) + "\\right\\}")])
    wrong = items[:-1] if rng.random() < 0.5 else items[:-1] + [items[-1] + 1]
    return gold, Answer("\\{" + ", ".join(map(str, wrong)) + "\\}")


def tuples(rng, ok):
    x, y = rng.randint(-9, 15), rng.randint(-9, 15)
    while y == x:
        y = rng.randint(-9, 15)
    gold = gold_form(rng, f"({x}, {y})")
    if ok:
        return gold, rng.choice([Answer(f"({x}, {y})"), Answer(f"({x},{y})"),
                                 Answer(f"\\left( {x}, {y} \\right)")])
    return gold, rng.choice([Answer(f"({y}, {x})"), Answer(f"({x}, {y + 1})")])


def intervals(rng, ok):
    lo = rng.randint(-10, 5)
    hi = lo + rng.randint(1, 12)
    left, right = rng.choice("[("), rng.choice("])")
    if rng.random() < 0.3:
        left, lo_t = "(", "-\\infty"
    else:
        lo_t = str(lo)
    latex = f"{left}{lo_t}, {hi}{right}"
    gold = gold_form(rng, latex)
    if ok:
        return gold, rng.choice([Answer(latex), Answer(f"\\left{left}{lo_t},{hi}\\right{right}"),
                                 Answer(f"x \\in {latex}")])
    flip = {"[": "(", "(": "[", "]": ")", ")": "]"}
    if lo_t == "-\\infty":
        return gold, Answer(f"({lo_t}, {hi}{flip[right]}")
    return gold, rng.choice([Answer(f"{flip[left]}{lo_t}, {hi}{right}"),
                             Answer(f"{left}{lo_t}, {hi + 1}{right}")])


def relations(rng, ok):
    c, var = rng.randint(-10, 20), rng.choice("xyt")
    kind = rng.random()
    if kind < 0.5:
        op, mirror, wrong = rng.choice([(">", "<", "\\geq"), ("<", ">", "\\leq"),
                                        ("\\geq", "\\leq", ">"), ("\\leq", "\\geq", "<")])
        gold = gold_form(rng, f"{var} {op} {c}")
        if ok:
            return gold, rng.choice([Answer(f"{var} {op} {c}"), Answer(f"{c} {mirror} {var}"),
                                     Answer(f"{var}{op}{c}")])
        return gold, rng.choice([Answer(f"{var} {wrong} {c}"), Answer(f"{var} {op} {c + 1}")])
    if kind < 0.8:
        gold = gold_form(rng, f"{var} = {c}")
        if ok:
            return gold, rng.choice([Answer(f"{var} = {c}"), Answer(str(c)), Answer(f"{var}={c}")])
        return gold, rng.choice([Answer(f"{var} = {c + 1}"), Answer(str(-c if c else 2))])
    m, b = rng.randint(2, 6), rng.randint(1, 9)
    gold = gold_form(rng, f"y = {m}x + {b}")
    if ok:
        return gold, rng.choice([Answer(f"y = {m}x + {b}"), Answer(f"y = {b} + {m}x"), Answer(f"{m}x + {b}")])
    return gold, rng.choice([Answer(f"y = {m}x - {b}"), Answer(f"y = {b}x + {m}")])


def percents(rng, ok):
    v = rng.choice([rng.randint(1, 99), rng.randint(100, 300), round(rng.uniform(0.5, 99.5), 1)])
    gold = rng.choice([f"{v}%", f"${v}\\%$", f"\\boxed{{{v}\\%}}", str(v)])
    w = v if ok else rng.choice([v + 5, v - 1 if v > 1 else v + 2, round(v * 2, 1)])
    return gold, rng.choice([Answer(f"{w}\\%"), Answer(f"{w}\\%"), Answer(f"{w}"),
                             Answer(f"{w}%", plain=True), Answer(f"{w} \\text{{ percent}}")])


UNITS = [("cm", "centimeters"), ("m", "meters"), ("km", "kilometers"), ("kg", "kilograms"),
         ("g", "grams"), ("hours", "hours"), ("minutes", "minutes"), ("mph", "miles per hour"),
         ("cm^2", "square centimeters"), ("degrees", "degrees")]


def units(rng, ok):
    v = rng.randint(2, 900)
    if rng.random() < 0.25:  # money
        cents = rng.choice(["", ".50", ".25", ".00"])
        gold = rng.choice([f"$\\${v}{cents}$", f"\\boxed{{\\${v}{cents}}}", f"{v}{cents}"])
        w = v if ok else v + rng.choice([1, 10, -1])
        return gold, rng.choice([Answer(f"\\${w}{cents}"), Answer(f"{w}{cents}"),
                                 Answer(f"{w}{cents} \\text{{ dollars}}")])
    short, long = rng.choice(UNITS)
    gold = rng.choice([str(v), f"{v} {long}", f"${v}\\text{{ {short}}}$", f"\\boxed{{{v}}}"])
    w = v if ok else near_int(rng, v)
    return gold, rng.choice([Answer(f"{w}\\text{{ {short}}}"), Answer(f"{w} \\mbox{{{short}}}"),
                             Answer(f"{w}\\ \\text{{{long}}}"), Answer(str(w)),
                             Answer(f"{w} {long}", plain=True)])


def expressions(rng, ok):
    a, b = rng.randint(1, 6), rng.randint(1, 9)
    kind = rng.random()
    if kind < 0.5:  # (x + b)^2
        gold = gold_form(rng, f"(x+{b})^2")
        if ok:
            return gold, rng.choice([Answer(f"x^2 + {2 * b}x + {b * b}"), Answer(f"(x + {b})^2"),
                                     Answer(f"(x+{b})(x+{b})")])
        return gold, rng.choice([Answer(f"x^2 + {b}x + {b * b}"), Answer(f"(x - {b})^2")])
    gold = gold_form(rng, f"{a}x^2 + {b}")
    if ok:
        return gold, rng.choice([Answer(f"{b} + {a}x^2"), Answer(f"{a}x^{{2}}+{b}")])
    return gold, Answer(f"{a}x^2 - {b}")


CATEGORIES = [(integers, 22), (fractions, 14), (decimals, 9), (radicals, 9), (sets, 6), (tuples, 6),
              (intervals, 6), (relations, 9), (percents, 7), (units, 7), (expressions, 5)]

# ---------------------------------------------------------------------------------------------------
# The completions: worked reasoning whose sentences carry their own (true) small computations, then
# the final answer.

OPENINGS = [
    "Let's work through this step by step.",
    "We need to find the requested quantity, so let me set up the problem first.",
    "To solve this, I'll start by writing down what we know.",
    "Okay, let me think about this carefully.",
    "First, let me restate the problem in my own words.",
    "Let me denote the unknown by $x$ and translate the conditions into equations.",
]


def step_sentence(rng):
    a, b, k = rng.randint(2, 60), rng.randint(2, 60), rng.randint(2, 9)
    s = rng.randrange(14)
    if s == 0:
        return f"Adding ${a}$ and ${b}$ gives ${a + b}$."
    if s == 1:
        return f"We have ${a} \\times {b} = {a * b}$."
    if s == 2:
        return f"Subtracting, we get ${a} - {b} = {a - b}$."
    if s == 3:
        return f"Dividing both sides by ${k}$ yields $x = {a}$, since ${k} \\cdot {a} = {k * a}$."
    if s == 4:
        return f"So there are {a} cases to check in total."
    if s == 5:
        return f"Note that $\\frac{{{a * k}}}{{{b * k}}}$ simplifies to $\\frac{{{a}}}{{{b}}}$ after cancelling ${k}$."
    if s == 6:
        return "Recall that $(a+b)^2 = a^2 + 2ab + b^2$, which we will use below."
    if s == 7:
        return f"Substituting into the second equation gives ${k}x + {b} = {k * a + b}$."
    if s == 8:
        return f"Checking: ${k}^2 = {k * k}$, which matches the condition."
    if s == 9:
        return "This is consistent with the constraint given in the problem statement."
    if s == 10:
        return f"Since the discriminant $b^2 - 4ac = {a * a}$ is positive, there are two real roots."
    if s == 11:
        return rng.choice(["Wait, let me double-check that step.", "Hmm, that doesn't look right. Let me reconsider.",
                           "Actually, that is fine: the units work out."])
    if s == 12:
        return f"The total is {a} + {b} = {a + b}, and half of that is {(a + b) / 2:g}."
    return f"Multiplying the {a} items by {k} gives {a * k} altogether."


def paragraph(rng):
    return " ".join(step_sentence(rng) for _ in range(rng.randint(2, 5)))


def ending(rng, ans):
    if ans.plain:
        return rng.choice(["The final answer is %s.", "The final answer is %s. I hope it is correct.",
                           "Therefore, the final answer is %s."]) % ans.text
    return rng.choice([
        "Therefore, the answer is $\\boxed{%s}$.",
        "The final answer is $%s$. I hope it is correct.",
        "So the answer is $%s$.",
        "**Final Answer**\n\\[\n\\boxed{%s}\n\\]",
        "Putting it all together, we get \\(\\boxed{%s}\\).",
        "The final answer is $\\boxed{%s}$.",
        "Thus the result is $%s$.",
    ]) % ans.text


def completion(rng, ans):
    n = rng.choice([0, 1, 1, 2, 2, 3, 4])
    parts = [rng.choice(OPENINGS) + (" " + step_sentence(rng) if n == 0 else "")]
    parts += [paragraph(rng) for _ in range(n)]
    parts.append(ending(rng, ans))
    return "\n\n".join(parts)


def make_pairs(n, seed):
    rng = random.Random(seed)
    fns, weights = zip(*CATEGORIES)
    pairs = []
    for _ in range(n):
        fn = rng.choices(fns, weights)[0]
        ok = rng.random() < 0.5
        gold, ans = fn(rng, ok)
        pairs.append({"category": fn.__name__, "intended": ok, "answer": gold,
                      "completion": completion(rng, ans)})
    return pairs


# ---------------------------------------------------------------------------------------------------


def r1_verdicts(r1, pairs, tmp):
    """r1's rewards (1.0 / 0.0 / None) for every pair, and the wall clock of the one subprocess."""
    src, dst = os.path.join(tmp, "pairs.jsonl"), os.path.join(tmp, "scores.jsonl")
    with open(src, "w") as f:
        f.writelines(json.dumps({"answer": p["answer"], "completion": p["completion"]}) + "\n" for p in pairs)
    cmd = [r1, "--threads", "1", "reward", "--fn", "accuracy", "--set", "mode=latex",
           "--input", src, "--output", dst]
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    with open(dst) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if len(rows) != len(pairs):
        sys.exit(f"r1 wrote {len(rows)} scores for {len(pairs)} pairs")
    return [r["reward"] for r in rows], rows, seconds, done.stderr.strip()


def mv_verdicts(pairs):
    """Math-Verify's verdicts for `pairs`, one after another, and the seconds they took."""
    from math_verify import parse, verify
    verify(parse("$\\frac{1}{2}$"), parse("So the answer is $\\boxed{0.5}$."))  # warm-up, outside the set
    out = []
    start = time.perf_counter()
    for p in pairs:
        out.append(bool(verify(parse(p["answer"]), parse(p["completion"]))))
    return out, time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--r1", default=os.path.join(SOURCE_DIR, "build", "r1"))
    p.add_argument("--pairs", type=int, default=10000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--baseline-pairs", type=int, default=0,
                   help="pairs Math-Verify is timed on (the first N; 0: all)")
    p.add_argument("--json", help="also write the summary here as JSON")
    p.add_argument("--disagreements", help="write the pairs the two verdicts differ on here (JSONL)")
    a = p.parse_args()
    if a.pairs < 1 or a.baseline_pairs < 0:
        sys.exit("--pairs must be positive and --baseline-pairs non-negative")

    pairs = make_pairs(a.pairs, a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        r1_rewards, r1_rows, r1_s, r1_summary = r1_verdicts(a.r1, pairs, tmp)
    base = pairs if a.baseline_pairs == 0 else pairs[:a.baseline_pairs]
    mv, mv_s = mv_verdicts(base)

    both = [i for i in range(len(base)) if r1_rewards[i] is not None]
    r1_only = [i for i in both if r1_rewards[i] > 0.5 and not mv[i]]
    mv_only = [i for i in both if r1_rewards[i] <= 0.5 and mv[i]]
    agree = len(both) - len(r1_only) - len(mv_only)
    by_category = {}
    for side, indices in enumerate([r1_only, mv_only]):
        for i in indices:
            by_category.setdefault(pairs[i]["category"], [0, 0])[side] += 1
    if a.disagreements:
        with open(a.disagreements, "w") as f:
            for i in sorted(r1_only + mv_only):
                f.write(json.dumps({**pairs[i], "r1": r1_rewards[i], "r1_extracted": r1_rows[i]["extracted"],
                                    "r1_reason": r1_rows[i]["reason"], "math_verify": mv[i]}) + "\n")

    r1_rate, mv_rate = len(pairs) / r1_s, len(base) / mv_s
    out = {"pairs": len(pairs), "r1_seconds": round(r1_s, 3), "r1_pairs_per_s": round(r1_rate, 1),
           "mv_pairs": len(base), "mv_seconds": round(mv_s, 2), "mv_pairs_per_s": round(mv_rate, 2),
           "ratio": round(r1_rate / mv_rate, 1), "compared": len(both),
           "agreement": round(agree / len(both), 4) if both else None,
           "r1_accepts_mv_rejects": len(r1_only), "mv_accepts_r1_rejects": len(mv_only),
           "r1_unscored": len(base) - len(both),
           "r1_accepted": sum(1 for r in r1_rewards if r is not None and r > 0.5),
           "mv_accepted": sum(mv), "intended_correct": sum(p["intended"] for p in pairs),
           "disagreements_by_category": {k: {"r1_accepts": v[0], "mv_accepts": v[1]}
                                         for k, v in sorted(by_category.items())},
           "seed": a.seed, "r1_summary": r1_summary}

    subset = "" if len(base) == len(pairs) else f" (timed on the first {len(base):,} pairs only)"
    print(f"pairs                         {len(pairs):,} ({out['intended_correct']:,} correct by construction)")
    print(f"r1 seconds                    {r1_s:.3f} (one `r1 reward` process, start-up and I/O included)")
    print(f"r1 pairs/s                    {r1_rate:,.1f}")
    print(f"math-verify pairs/s           {mv_rate:,.2f}{subset}, {mv_s:.1f} s")
    print(f"ratio (r1 / math-verify)      {r1_rate / mv_rate:,.1f}x")
    print(f"agreement                     {agree:,} / {len(both):,} = {100 * agree / max(len(both), 1):.2f}%"
          f" of the pairs both scored ({out['r1_unscored']} r1 left unscored)")
    print(f"r1 accepts, math-verify rejects  {len(r1_only)}")
    print(f"math-verify accepts, r1 rejects  {len(mv_only)}")
    if by_category:
        print("disagreements by category     " +
              ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_category.items())) + " (r1-only/mv-only)")
    line = json.dumps(out)
    print(line)
    if a.json:
        with open(a.json, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
