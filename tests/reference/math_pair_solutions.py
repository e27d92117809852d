"""Long worked solutions for the math parity pairs (make_math_pairs.py, category long_solution):
problems of nine kinds, solved over several paragraphs with intermediate maths and sometimes a wrong step,
then a final answer that is right or wrong, sometimes restated in another form or contradicted."""
from fractions import Fraction
from math import comb, factorial

from math_pair_forms import frac, latex_gold, rng, thousands

def int_answer(n):
    """(plain gold forms, LaTeX forms, wrong LaTeX answers) of an integer answer."""
    plain, latex = [str(n)], [str(n)]
    if abs(n) >= 1000:
        plain += [thousands(n, ","), thousands(n, " ")]
        latex += [thousands(n, "{,}"), thousands(n, ",")]
    wrong = [str(n + 1), str(n - 1), str(2 * n), thousands(n + 10, "{,}")]
    return plain, latex, wrong


def frac_answer(f):
    """(plain gold forms, LaTeX forms, wrong LaTeX answers) of a rational answer."""
    p, q = f.numerator, f.denominator
    if q == 1:
        return int_answer(p)
    plain, latex = [f"{p}/{q}"], [frac(p, q), frac(p, q, "dfrac"), frac(2 * p, 2 * q)]
    if 10 ** 6 % q == 0:
        plain.append(f"{float(f):g}")
        latex.append(f"{float(f):g}")
    wrong = [frac(q, p), frac(p + 1, q), f"{float(f):.2f}", frac(p, q + 1)]
    return plain, latex, wrong


def rectangle():
    """Area of a rectangle from its perimeter and the difference of its sides."""
    w, d = rng.randint(3, 40), rng.randint(2, 15)
    length, per = w + d, 4 * w + 2 * d
    area = w * length
    core = [f"Let the width of the rectangle be $w$ centimeters. Then the length is $w + {d}$, and the perimeter "
            f"condition reads\n\\[2w + 2(w + {d}) = {per}.\\]",
            f"Expanding gives $4w + {2 * d} = {per}$, so $4w = {per - 2 * d}$ and $w = {w}$. The length is "
            f"$w + {d} = {length}$.",
            f"The area is the product of the two sides: $A = {w} \\cdot {length} = {area}$."]
    extra = [f"Check: $2 \\cdot {w} + 2 \\cdot {length} = {2 * w} + {2 * length} = {per}$, as required.",
             f"At first I wrote ${w} \\cdot {length} = {area + 10}$, but ${w} \\cdot {length} = {w} \\cdot {length - 1}"
             f" + {w} = {area - w} + {w} = {area}$.",
             f"Note the width cannot be ${w + 1}$: that would give a perimeter of ${per + 4}$."]
    return core, extra, int_answer(area)


def right_triangle():
    """Hypotenuse of a right triangle (a scaled Pythagorean triple)."""
    a, b, c = rng.choice([(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41)])
    k = rng.randint(1, 6)
    a, b, c = k * a, k * b, k * c
    core = [f"The legs of the right triangle are ${a}$ and ${b}$. By the Pythagorean theorem the hypotenuse $c$ "
            f"satisfies\n\\[c^2 = {a}^2 + {b}^2.\\]",
            f"Squaring, ${a}^2 = {a * a}$ and ${b}^2 = {b * b}$, so $c^2 = {a * a + b * b}$.",
            f"Taking the positive square root, $c = \\sqrt{{{c * c}}} = {c}$."]
    extra = [f"Sanity check: the hypotenuse must exceed both legs, and ${c} > {max(a, b)}$.",
             f"I briefly added the legs instead, getting ${a + b}$, which is not how the theorem works.",
             f"The area, not asked for, would be $\\frac{{1}}{{2}} \\cdot {a} \\cdot {b} = {a * b // 2}$."]
    return core, extra, int_answer(c)


def circle():
    """Area of a circle from its diameter, a multiple of pi."""
    r = rng.randint(2, 15)
    core = [f"The circle has diameter ${2 * r}$, so its radius is $r = {r}$.",
            f"The area of a circle is $A = \\pi r^2$, hence $A = \\pi \\cdot {r}^2$.",
            f"Since ${r}^2 = {r * r}$, the area is ${r * r}\\pi$."]
    extra = [f"Numerically this is about ${r * r * 3.14159:.2f}$.",
             f"Using the diameter by mistake would give ${4 * r * r}\\pi$, four times too large.",
             f"The circumference, for comparison, is $2\\pi r = {2 * r}\\pi$."]
    plain = []  # a bare "49\\pi" is not how a plain-text gold reads; circle golds stay LaTeX
    latex = [f"{r * r}\\pi", f"\\pi \\cdot {r * r}", f"\\pi {r}^2"]
    wrong = [f"{2 * r}\\pi", f"{r * r}", f"{4 * r * r}\\pi", f"{r * r * 3.14:.2f}"]
    return core, extra, (plain, latex, wrong)


def linear_equation():
    """Solution of ax + b = c, an integer or a fraction."""
    a, b = rng.randint(2, 12), rng.randint(-30, 30)
    x = Fraction(rng.randint(-40, 40), rng.choice([1, 1, 1, a]))
    c = a * x + b
    c_str = f"{c.numerator}" if c.denominator == 1 else frac(c.numerator, c.denominator)
    rhs = c - b
    rhs_str = f"{rhs.numerator}" if rhs.denominator == 1 else frac(rhs.numerator, rhs.denominator)
    core = [f"We need to solve ${a}x {'+' if b >= 0 else '-'} {abs(b)} = {c_str}$ for $x$.",
            f"Moving the constant to the right-hand side, ${a}x = {c_str} {'-' if b >= 0 else '+'} {abs(b)}"
            f" = {rhs_str}$.",
            f"Dividing both sides by ${a}$ gives $x = \\frac{{{rhs_str}}}{{{a}}}$."]
    extra = [f"Substituting back: ${a} \\cdot x {'+' if b >= 0 else '-'} {abs(b)}$ indeed equals ${c_str}$.",
             f"A sign slip would give ${a}x = {c_str} {'+' if b >= 0 else '-'} {abs(b)}$, which is wrong.",
             "The equation is linear with a nonzero leading coefficient, so the solution is unique."]
    return core, extra, frac_answer(x)


def linear_system():
    """The ordered pair solving x + y = s, x - y = d."""
    x, y = rng.sample(range(-15, 30), 2)
    s, d = x + y, x - y
    core = [f"We have the system $x + y = {s}$ and $x - y = {d}$.",
            f"Adding the two equations, $2x = {s + d}$, so $x = {x}$.",
            f"Subtracting them instead, $2y = {s - d}$, so $y = {y}$.",
            f"So the ordered pair is $(x, y) = ({x}, {y})$."]
    extra = [f"Check: ${x} + {y} = {s}$ and ${x} - ({y}) = {d}$.",
             f"I first got $y = {y + 2}$ from an arithmetic slip, but ${x} + {y + 2} \\ne {s}$.",
             "Elimination works here because the coefficients of $y$ are opposite."]
    plain, latex = [], [f"({x}, {y})", f"\\left( {x}, {y} \\right)", f"({x},{y})"]
    wrong = [f"({y}, {x})", f"({x}, {y + 1})", f"({x + 1}, {y})"]
    return core, extra, (plain, latex, wrong)


def committee():
    """Number of k-person committees from n people."""
    n, k = rng.randint(6, 20), rng.randint(2, 5)
    value = comb(n, k)
    falling = " \\cdot ".join(str(n - i) for i in range(k))
    core = [f"We choose a committee of ${k}$ people from ${n}$, and the order does not matter.",
            f"The number of ways is $\\binom{{{n}}}{{{k}}} = \\frac{{{falling}}}{{{k}!}}$.",
            f"Evaluating, $\\binom{{{n}}}{{{k}}} = {value}$."]
    extra = [f"If order mattered we would count $\\binom{{{n}}}{{{k}}} \\cdot {k}! = {value * factorial(k)}$ "
             "ordered selections instead.",
             f"Careful: ${k}! = {factorial(k)}$, so we divide by it exactly once.",
             f"As a check, $\\binom{{{n}}}{{{k}}} = \\binom{{{n}}}{{{n - k}}}$ by symmetry."]
    plain, latex, wrong = int_answer(value)
    latex.append(f"\\binom{{{n}}}{{{k}}}")
    return core, extra, (plain, latex, wrong)


def shopping():
    """Total cost of tickets plus a fee, often in the thousands."""
    price, count, fee = rng.randint(12, 480), rng.randint(11, 99), rng.randint(10, 900)
    total = price * count + fee
    core = [f"Each ticket costs $\\${price}$ and the school buys ${count}$ tickets, plus a booking fee of "
            f"$\\${fee}$.",
            f"The tickets alone cost ${price} \\times {count} = {price * count}$ dollars.",
            f"Adding the fee, the total is ${price * count} + {fee} = {total}$ dollars."]
    extra = [f"Rounding the price to $\\${round(price, -1)}$ gives an estimate of about "
             f"${round(price, -1) * count + fee}$, close to the exact total.",
             f"I initially forgot the fee and got ${price * count}$, which is too small.",
             f"Per ticket the fee adds about ${fee / count:.2f}$ dollars."]
    return core, extra, int_answer(total)


def travel():
    """Distance from speed and a possibly fractional time."""
    speed, hours = rng.randint(40, 120), Fraction(rng.choice([3, 4, 5, 6, 7, 8, 10]), rng.choice([1, 2, 4]))
    dist = speed * hours
    core = [f"The train travels at ${speed}$ km/h for ${float(hours):g}$ hours.",
            "Distance equals speed times time, $d = vt$.",
            f"Therefore $d = {speed} \\cdot {float(hours):g} = {float(dist):g}$ km."]
    extra = ["The units check out: km/h times hours gives km.",
             f"Dividing instead of multiplying would give ${float(speed / hours):.3f}$, which is not a distance.",
             f"At ${speed + 10}$ km/h it would have covered ${float((speed + 10) * hours):g}$ km."]
    return core, extra, frac_answer(dist)


def arithmetic_series():
    """Sum of the first n terms of an arithmetic sequence."""
    a, d, n = rng.randint(1, 50), rng.randint(2, 25), rng.randint(20, 200)
    last = a + (n - 1) * d
    total = n * (a + last) // 2
    core = [f"The sequence starts at ${a}$ and increases by ${d}$ each time; we want the sum of the first ${n}$ terms.",
            f"The last term is $a_{{{n}}} = {a} + ({n} - 1) \\cdot {d} = {last}$.",
            "The sum of an arithmetic series is\n"
            f"\\[S = \\frac{{n(a_1 + a_n)}}{{2}} = \\frac{{{n}({a} + {last})}}{{2}}.\\]",
            f"This gives $S = \\frac{{{n} \\cdot {a + last}}}{{2}} = {total}$."]
    extra = [f"Using $n$ instead of $n - 1$ in the last term gives ${a + n * d}$, an off-by-one error.",
             f"A quick estimate: the average term is about ${(a + last) / 2:g}$, times ${n}$ terms.",
             f"Partial check: the first three terms sum to ${3 * a + 3 * d}$."]
    return core, extra, int_answer(total)


# Generic paragraphs: the first two open a solution, the others close its reasoning.
OPENERS = ["Let me restate the problem to make sure I am answering the right question.",
           "First, let me organize the given information before computing anything."]
CLOSERS = ["Let me double-check the arithmetic once more before concluding.",
           "There is no other case to consider, since all the quantities involved are positive.",
           "An alternative approach would lead to the same value, so I am fairly confident."]

ENDINGS = ["Therefore, the answer is $\\boxed{%s}$.", "The final answer is $%s$. I hope it is correct.",
           "**Answer:** %s", "Answer: $%s$", "So the answer is\n\\[\\boxed{%s}\\]", "Hence the result is $%s$.",
           "\\boxed{%s}"]


def long_solution():
    """Multi-paragraph solutions (4-10 paragraphs) whose last lines give a right or wrong final answer.

    Templates cover algebra, geometry, counting and word problems; their extra paragraphs carry checks and wrong
    intermediate values. The ending is one of ENDINGS, a boxed answer restated in another form, or two
    conflicting answers (which one Math-Verify takes depends on its extraction priorities)."""
    templates = [rectangle, right_triangle, circle, linear_equation, linear_system, committee, shopping, travel,
                 arithmetic_series]
    out = []
    for i in range(333):
        core, extra, (plain, latex, wrong) = templates[i % len(templates)]()
        opener = rng.sample(OPENERS, rng.randint(0, 1))
        body = core[:1] + opener + core[1:]
        body += rng.sample(extra + CLOSERS, rng.randint(0, 8 - len(body)))
        correct = rng.random() < 0.5
        answer = rng.choice(latex) if correct else rng.choice(wrong)
        style = rng.randrange(10)
        if style < 7:
            body.append(ENDINGS[style] % answer)
        elif style == 7:  # boxed answer, then restated (in another form when right) on the last line
            restated = rng.choice(latex) if correct else answer
            body += [f"Thus $\\boxed{{{answer}}}$.", f"In other words, the answer is ${restated}$."]
        elif style == 8:  # conflicting answers: a boxed one, then a different "**Answer:**" line
            other = rng.choice(wrong if correct else latex)
            body += [f"So the answer is $\\boxed{{{answer}}}$.", f"**Answer:** {other}"]
        else:  # conflicting answers: a wrong boxed one, then a "final answer is" line
            body += [f"This gives $\\boxed{{{rng.choice(wrong)}}}$.",
                     f"The final answer is ${answer}$. I hope it is correct."]
        gold = rng.choice(plain) if plain and rng.random() < 0.5 else latex_gold(latex[0])
        out.append((gold, "\n\n".join(body)))
    return out
