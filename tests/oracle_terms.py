"""The pieces of the random problems of ``oracle``: terms, each a matcalc TEXT with the NumPy
function of its value built alongside it, and the generator that draws them.

``Generator(rng, symbolic).gen(shape, depth)`` draws a term of a shape given by two dimension
labels (``m``, ``n``, ``k``, ``p`` or ``1``); the operations are tables (``GENERAL``,
``SQUARE``, ``VECTOR``, ``SCALAR``) of functions (generator, shape, depth) → term.  A term's
text is parenthesised by precedence only where the language needs it, and spelled in the
language's many ways (ᵀ ' ^T .T, ⁻¹ ^-1 inv(·), ⊙ .* ∘, ⊘ ./, ‖·‖_F ‖·‖²_F, log det, …).
Arguments get their domains by construction: inverses, determinants and log-determinants
take SPD terms (a declared spd symbol, AAᵀ + I, AᵀA + λI, sums, inverses and Hadamard
products of those), logs, roots, divisions and negative powers positive ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

# Precedence of a text, loosest to tightest (docs/language.md); an operand whose level is
# below what its operator needs is parenthesised.
SUM, SIGN, PRODUCT, ELEM, POSTFIX, ATOM = range(6)

ONE = "1"  # the label of the dimension of size 1
DIM_NAMES = ("m", "n", "k", "p")
NAMES = {
    "matrix": list("ABCDEFGHJLMNPQRSTUVWXYZ") + ["W₁", "W_2", "Σ", "Ω"],
    "vector": list("abcuvwxyzqr") + ["x₁", "b_2", "μ"],  # μ declared as a vector
    "scalar": ["α", "β", "γ", "λ", "τ", "θ", "ρ", "κ"],
}
KINDS = ("grad",) * 4 + ("jacobian",) * 2 + ("hessian",)  # Hessians cost the most


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _relu(a):
    return np.maximum(a, 0.0)


def _softplus(a):
    return np.log1p(np.exp(-np.abs(a))) + np.maximum(a, 0.0)


# Elementwise functions of any argument: spellings and NumPy form.
UNARY = {
    "sin": (["sin"], np.sin),
    "cos": (["cos"], np.cos),
    "tanh": (["tanh"], np.tanh),
    "sigmoid": (["σ", "sigmoid"], _sigmoid),
    "softplus": (["softplus"], _softplus),
    "abs": (["abs"], np.abs),
    "relu": (["relu"], _relu),
    "exp": (["exp"], np.exp),
}
# Elementwise functions of a positive argument.
POSITIVE_UNARY = {"log": (["log"], np.log), "sqrt": (["sqrt", "√"], np.sqrt)}
# Functions with a kink at 0 (finite differences across it mean nothing).
KINKED = (np.abs, _relu)
# User functions declared by a formula in x (functions=…), and their NumPy forms.
FORMULAS = {
    "x^3 + sin(x)": lambda a: a**3 + np.sin(a),
    "exp(-x^2)": lambda a: np.exp(-(a**2)),
    "log(1 + x^2)": lambda a: np.log1p(a**2),
    "x/(1 + x^2)": lambda a: a / (1 + a**2),
    "tanh(2*x)": lambda a: np.tanh(2 * a),
    "sqrt(1 + x^2)": lambda a: np.sqrt(1 + a**2),
}
FUNCTION_NAMES = ["h", "φ"]


@dataclass(frozen=True)
class Term:
    """A piece of the expression: its text, its shape (two dimension labels), its value as a
    function of the point (name → 2-D array) and the precedence level of its text."""

    text: str
    shape: tuple
    fn: Callable
    level: int


@dataclass
class Symbol:
    name: str
    shape: tuple  # two dimension labels
    domain: str | None  # None, "positive", "symmetric" or "spd"


def random_value(rng, shape, domain) -> np.ndarray:
    r, _ = shape
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    m = rng.standard_normal(shape) * rng.uniform(0.5, 1.0)
    if domain == "spd":
        return m @ m.T / r + np.eye(r)
    if domain == "symmetric":
        return (m + m.T) / 2
    return m


# --------------------------------------------------------------------------------------------
# The generator


def wrap(term: Term, level: int) -> str:
    return term.text if term.level >= level else f"({term.text})"


class Generator:
    """Draws terms of given shapes; ``rng`` is anything with random.Random's random/randrange."""

    def __init__(self, rng, symbolic: bool):
        self.rng = rng
        self.symbolic = symbolic
        self.sizes = {ONE: 1}
        for name in DIM_NAMES:
            self.sizes[name] = self.pick([1, 2, 2, 3, 3, 3, 4])
        self.symbols: dict[str, Symbol] = {}
        self.free = {kind: list(names) for kind, names in NAMES.items()}
        self.budget = 4 + rng.randrange(24)  # operations at most
        self.functions: dict[str, str] = {}  # user function name → formula
        self.norms: list = []  # the arguments of ‖·‖ (not differentiable where they are 0)
        self.kinks: list = []  # the arguments of abs, relu, ‖·‖₁ (not differentiable at 0 entries)
        self.separations: list = []  # relative gaps, 0 where a spectral word is not differentiable
        self.kind = None  # the derivative drawn: "grad", "jacobian" or "hessian"

    # ---- helpers ---------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options):
        return options[self.rng.randrange(len(options))]

    def dim(self) -> str:
        return self.pick(DIM_NAMES)

    def size(self, label) -> int:
        return self.sizes[label]

    def join(self, a: Term, b: Term) -> str:
        """The text of the product ab: by juxtaposition, a space, · or *."""
        number = a.text.replace(".", "").isdigit() or a.text == "½"  # 2A, ½x, 0.5(A + B)
        tight = (a.level >= POSTFIX and b.level >= POSTFIX and not b.text[0].isdigit() and b.text[0] != "."
                 and (number or not (a.text[-1].isalnum() and b.text[0].isalnum()
                                     and not (a.text[-1].isupper() and b.text[0].isupper()))))
        # a bar right after an operand closes an open one (‖x ‖y‖‖ does not read): · or *
        bar = b.text[0] in "‖|"
        return wrap(a, PRODUCT) + self.pick(["·", "*"] if bar else [" ", "·", "*"] + [""] * (3 if tight else 0)) + wrap(b, ELEM)

    def product(self, a: Term, b: Term) -> Term:
        """ab: a matrix product, or a scalar multiple when one side is 1×1."""
        if a.shape == (ONE, ONE) or b.shape == (ONE, ONE):
            shape = b.shape if a.shape == (ONE, ONE) else a.shape
            return Term(self.join(a, b), shape, lambda p, f=a.fn, g=b.fn: f(p) * g(p), PRODUCT)
        return Term(self.join(a, b), (a.shape[0], b.shape[1]), lambda p, f=a.fn, g=b.fn: f(p) @ g(p), PRODUCT)

    def postfix(self, a: Term, marks: list, fn, shape=None) -> Term:
        return Term(wrap(a, ATOM) + self.pick(marks), shape or a.shape, lambda p, f=a.fn: fn(f(p)), POSTFIX)

    def transpose(self, a: Term) -> Term:
        return self.postfix(a, ["ᵀ", "ᵀ", "'", "^T", "^{T}", ".T"], lambda x: x.T, (a.shape[1], a.shape[0]))

    def inverse(self, a: Term) -> Term:
        choice = self.rng.randrange(10)
        if choice < 2:
            return Term(f"inv({a.text})", a.shape, lambda p, f=a.fn: np.linalg.inv(f(p)), ATOM)
        if choice < 4:  # (Aᵀ)⁻¹ = A⁻ᵀ
            return self.postfix(a, ["⁻ᵀ", "^-T", "^{-T}"], lambda x: np.linalg.inv(x).T)
        return self.postfix(a, ["⁻¹", "⁻¹", "^-1", "^{-1}"], np.linalg.inv)

    def bars(self, a: Term, fn) -> Term:
        """|a|: the absolute value of a scalar, the determinant of a matrix; |‖…‖| and ||…|| do
        not read, so an a with bars of its own is written abs(a) or det(a)."""
        if fn in KINKED:
            self.kinks.append(a.fn)
        if "|" in a.text or "‖" in a.text:
            word = "abs" if a.shape == (ONE, ONE) else "det"
            return Term(f"{word}({a.text})", (ONE, ONE), lambda p, f=a.fn: fn(f(p)), ATOM)
        return Term(f"|{a.text}|", (ONE, ONE), lambda p, f=a.fn: fn(f(p)), ATOM)

    def prefix(self, word: str, a: Term, fn) -> Term:
        """tr A, det A, log det A: the word applies to the rest of the product, so the term
        is parenthesised inside any product."""
        text = wrap(a, PRODUCT)
        if text.startswith("("):  # tr (A)B is tr(A)·B: a word before ( is a call
            return Term(f"{word}({a.text})", (ONE, ONE), lambda p, f=a.fn: fn(f(p)), ATOM)
        return Term(f"{word} {text}", (ONE, ONE), lambda p, f=a.fn: fn(f(p)), SIGN)

    def identity(self, n) -> Term:
        size = self.size(n)
        return Term(self._unit(n, "I"), (n, n), lambda p: np.eye(size), ATOM)

    def ones(self, n) -> Term:
        size = self.size(n)
        return Term(self._unit(n, "𝟙"), (n, ONE), lambda p: np.ones((size, 1)), ATOM)

    def _unit(self, n, text: str) -> str:
        """I or 𝟙; with sizes declared, one of size 1 is the number 1 (in 𝟙ᵀw with w 1×1
        nothing would tell the size of 𝟙)."""
        return "1" if not self.symbolic and self.size(n) == 1 else text

    def call(self, spellings, a: Term, fn) -> Term:
        if fn in KINKED:
            self.kinks.append(a.fn)
        name = self.pick(spellings)
        if name == "√":  # √ applies to the next factor: read as tight as ⊙ at most
            return Term("√" + wrap(a, ATOM), a.shape, lambda p, f=a.fn: fn(f(p)), ELEM)
        return Term(f"{name}({a.text})", a.shape, lambda p, f=a.fn: fn(f(p)), ATOM)

    # ---- leaves ----------------------------------------------------------------------------

    def symbol(self, shape, domain=None) -> Term:
        r, c = shape
        if r == ONE and c != ONE:  # a row: the transpose of a column
            return self.transpose(self.symbol((c, ONE), domain))
        kind = "scalar" if shape == (ONE, ONE) else "vector" if c == ONE else "matrix"
        reuse = [s for s in self.symbols.values() if s.shape == shape and s.domain == domain]
        if reuse and (self.chance(0.5) or not self.free[kind]):
            s = self.pick(reuse)
        elif self.free[kind]:
            name = self.free[kind].pop(self.rng.randrange(len(self.free[kind])))
            s = self.symbols[name] = Symbol(name, shape, domain)
        elif kind == "scalar":
            return self.number()
        else:
            raise Exhausted
        return Term(s.name, shape, lambda p, n=s.name: p[n], ATOM)

    def number(self) -> Term:
        text, value = self.pick([("2", 2.0), ("3", 3.0), ("½", 0.5), ("0.5", 0.5), ("1.5", 1.5), ("(1/3)", 1 / 3)])
        return Term(text, (ONE, ONE), lambda p: np.array([[value]]), ATOM)

    def leaf(self, shape) -> Term:
        if shape == (ONE, ONE) and self.chance(0.25):
            return self.number()
        domain = None
        if self.chance(0.15):
            domain = "positive"
        elif shape[0] == shape[1] != ONE and self.chance(0.15):
            domain = self.pick(["symmetric", "spd"])
        return self.symbol(shape, domain)

    # ---- the recursion ---------------------------------------------------------------------

    def gen(self, shape, depth: int) -> Term:
        """A random term of the given shape (a leaf once the depth or the budget is spent)."""
        if depth <= 0 or self.budget <= 0 or self.chance(0.1):
            return self.leaf(shape)
        self.budget -= 1
        ops = list(GENERAL)
        if ONE not in shape:
            ops += MATRIX
        if shape[0] == shape[1] != ONE:
            ops += SQUARE
        if shape[1] == ONE != shape[0]:
            ops += VECTOR
        if shape == (ONE, ONE):
            ops += SCALAR * 2
        return self.pick(ops)(self, shape, depth - 1)

    def positive(self, shape, depth: int) -> Term:
        """A term whose entries are all positive."""
        choice = self.rng.randrange(6) if depth > 0 else 0
        if choice == 0:
            return self.symbol(shape, "positive")
        if choice == 1:
            return self.call(["exp"], self.bounded(shape, depth - 1), np.exp)
        if choice == 2:
            spellings, fn = UNARY[self.pick(["sigmoid", "softplus"])]
            return self.call(spellings, self.gen(shape, depth - 1), fn)
        if choice == 3:  # A^{∘2} + P (s² + p for scalars)
            a = self.gen(shape, depth - 1)
            marks = ["²", "^2"] if shape == (ONE, ONE) else [".^2", "^{∘2}"]
            return add(self.postfix(a, marks, np.square), self.symbol(shape, "positive"), +1)
        if choice == 4:
            a, b = self.positive(shape, depth - 1), self.positive(shape, depth - 1)
            return self.product(a, b) if shape == (ONE, ONE) else elem(a, b, self.pick(["⊙", ".*", "∘"]), np.multiply)
        return add(self.positive(shape, depth - 1), self.positive(shape, depth - 1), +1)

    def bounded(self, shape, depth: int) -> Term:
        """A term of modest size (an argument of exp): sin, tanh or σ of anything, or a leaf."""
        if depth <= 0 or self.chance(0.3):
            return self.leaf(shape)
        spellings, fn = UNARY[self.pick(["sin", "tanh", "sigmoid", "cos"])]
        return self.call(spellings, self.gen(shape, depth - 1), fn)

    def spd(self, n, depth: int) -> Term:
        """A symmetric positive definite n×n term."""
        choice = self.rng.randrange(6) if depth > 0 else 0
        if choice == 0:
            return self.symbol((n, n), "spd")
        if choice == 1:  # AAᵀ + I
            a = self.gen((n, self.dim()), depth - 1)
            return add(self.product(a, self.transpose(a)), self.identity(n), +1)
        if choice == 2:  # AᵀA + λI with λ > 0
            a = self.gen((self.dim(), n), depth - 1)
            lam = self.product(self.positive((ONE, ONE), 0), self.identity(n))
            return add(self.product(self.transpose(a), a), lam, +1)
        if choice == 3:
            return add(self.spd(n, depth - 1), self.spd(n, depth - 1), +1)
        if choice == 4:
            return self.inverse(self.spd(n, depth - 1))
        # the Schur product theorem: S ⊙ T is SPD
        return elem(self.spd(n, depth - 1), self.spd(n, depth - 1), "⊙", np.multiply)


class Exhausted(Exception):
    """Every name of a kind is taken: the draw starts again with fewer symbols."""


# ---- operations (each: generator, shape, depth → term) ---------------------------------------


def add(a: Term, b: Term, sign: int, shape=None) -> Term:
    """a ± b, of a's shape unless ``shape`` says otherwise (b broadcast onto a, or a onto b)."""
    text = f"{wrap(a, SIGN)} {'+' if sign > 0 else '−'} {wrap(b, PRODUCT if sign < 0 else SIGN)}"
    return Term(text, shape or a.shape, lambda p, f=a.fn, g=b.fn: f(p) + sign * g(p), SUM)


def elem(a: Term, b: Term, op: str, fn) -> Term:
    return Term(f"{wrap(a, ELEM)} {op} {wrap(b, POSTFIX)}", a.shape, lambda p, f=a.fn, g=b.fn: fn(f(p), g(p)), ELEM)


def _add(g, shape, d):
    return add(g.gen(shape, d), g.gen(shape, d), g.pick([1, -1]))


def _neg(g, shape, d):
    a = g.gen(shape, d)
    return Term(g.pick(["−", "-"]) + wrap(a, PRODUCT), shape, lambda p, f=a.fn: -f(p), SIGN)


def _scale(g, shape, d):
    s = g.gen((ONE, ONE), d)
    a = g.gen(shape, d)
    return g.product(s, a) if g.chance(0.8) else g.product(a, s)


def _matmul(g, shape, d):
    k = g.pick(DIM_NAMES + (ONE,))
    return g.product(g.gen((shape[0], k), d), g.gen((k, shape[1]), d))


def _transpose(g, shape, d):
    return g.transpose(g.gen((shape[1], shape[0]), d))


def _hadamard(g, shape, d):
    a, b = g.gen(shape, d), g.gen(shape, d)
    if shape == (ONE, ONE):
        return g.product(a, b)
    return elem(a, b, g.pick(["⊙", "⊙", ".*", "∘"]), np.multiply)


def _quotient(g, shape, d):
    a, b = g.gen(shape, d), g.positive(shape, d)
    if shape == (ONE, ONE):
        return Term(f"{wrap(a, PRODUCT)}/{wrap(b, ELEM)}", shape, lambda p, f=a.fn, h=b.fn: f(p) / h(p), PRODUCT)
    return elem(a, b, g.pick(["⊘", "./"]), np.divide)


def _function(g, shape, d):
    if g.chance(0.15):  # a user function given by its formula
        formula = g.pick(list(FORMULAS))
        named = [n for n, f in g.functions.items() if f == formula]
        free = [n for n in FUNCTION_NAMES if n not in g.functions]
        if named or free:
            name = named[0] if named else free[0]
            g.functions[name] = formula
            return g.call([name], g.gen(shape, d), FORMULAS[formula])
    name = g.pick(list(UNARY))
    spellings, fn = UNARY[name]
    a = g.bounded(shape, d) if name == "exp" else g.gen(shape, d)
    return g.call(spellings, a, fn)


def _positive_function(g, shape, d):
    spellings, fn = POSITIVE_UNARY[g.pick(list(POSITIVE_UNARY))]
    return g.call(spellings, g.positive(shape, d), fn)


def _hadamard_power(g, shape, d):
    if g.chance(0.5):
        a = g.gen(shape, d)
        k = g.pick([2, 3])
        marks = ([f".^{k}", f"^{{∘{k}}}"] if shape != (ONE, ONE) else ["²" if k == 2 else "³", f"^{k}"])
        return g.postfix(a, marks, lambda x: x**k)
    a = g.positive(shape, d)
    text, k = g.pick([("(1/2)", 0.5), ("-1", -1.0), ("(-1/2)", -0.5), ("1.5", 1.5)])
    marks = [f".^{text}"] if shape != (ONE, ONE) else [f"^{text}"]
    return g.postfix(a, marks, lambda x: x**k)


def _inverse(g, shape, d):
    return g.inverse(g.spd(shape[0], d))


def _broadcast(g, shape, d):
    """A + bᵀ (a row added to every row), A + c (a column to every column), A + s."""
    small = g.pick([(ONE, shape[1]), (shape[0], ONE), (ONE, ONE)])
    a, b = g.gen(shape, d), g.gen(small, d)
    return add(a, b, g.pick([1, -1])) if g.chance(0.7) else add(b, a, g.pick([1, -1]), shape)


def _divide(g, shape, d):
    """A/s for a positive scalar s (or a number)."""
    a = g.gen(shape, d)
    s = g.number() if g.chance(0.3) else g.positive((ONE, ONE), d)
    return Term(f"{wrap(a, PRODUCT)}/{wrap(s, ELEM)}", shape, lambda p, f=a.fn, h=s.fn: f(p) / h(p), PRODUCT)


def _negative_power(g, shape, d):
    s = g.spd(shape[0], min(d, 2))
    k = g.pick([2, 3])
    return g.postfix(s, ["⁻²" if k == 2 else "⁻³", f"^-{k}", f"^{{-{k}}}"],
                     lambda x: np.linalg.matrix_power(np.linalg.inv(x), k))


def _adjugate(g, shape, d):
    s = g.spd(shape[0], min(d, 2))
    return Term(f"adj({s.text})", shape, lambda p, f=s.fn: np.linalg.det(f(p)) * np.linalg.inv(f(p)), ATOM)


def _matrix_power(g, shape, d):
    a = g.gen(shape, min(d, 2))
    k = g.pick([2, 3])
    return g.postfix(a, ["²" if k == 2 else "³", f"^{k}"], lambda x: np.linalg.matrix_power(x, k))


def _plus_identity(g, shape, d):
    a = g.gen(shape, d)
    i = g.identity(shape[0])
    if g.chance(0.4):
        i = g.product(g.gen((ONE, ONE), 0), i)
    return add(a, i, g.pick([1, -1])) if g.chance(0.7) else add(i, a, g.pick([1, -1]))


def _diag_matrix(g, shape, d):
    v = g.gen((shape[0], ONE), d)
    return Term(f"diag({v.text})", shape, lambda p, f=v.fn: np.diag(f(p)[:, 0]), ATOM)


def _diag_vector(g, shape, d):
    m = g.gen((shape[0], shape[0]), d)
    return Term(f"diag({m.text})", shape, lambda p, f=m.fn: np.diag(f(p)).reshape(-1, 1).copy(), ATOM)


def _times_ones(g, shape, d):
    k = g.dim()
    m = g.gen((shape[0], k), d)
    return g.product(m, g.ones(k))


def _trace(g, shape, d):
    k = g.dim()
    m = g.gen((k, k), d)
    word = g.pick(["tr", "tr", "trace"])

    def fn(x):
        return np.array([[np.trace(x)]])

    if g.chance(0.2):
        return g.prefix(word, m, fn)
    return Term(f"{word}({m.text})", shape, lambda p, f=m.fn: fn(f(p)), ATOM)


def _det(g, shape, d):
    s = g.spd(g.dim(), min(d, 2))

    def fn(x):
        return np.array([[np.linalg.det(x)]])

    choice = g.rng.randrange(5)
    if choice == 0:
        return g.bars(s, fn)
    if choice == 1:
        return g.prefix("det", s, fn)
    return Term(f"det({s.text})", shape, lambda p, f=s.fn: fn(f(p)), ATOM)


def _logdet(g, shape, d):
    s = g.spd(g.dim(), d)

    def fn(x):
        return np.array([[np.linalg.slogdet(x)[1]]])

    word = g.pick(["log det", "logdet", "log det"])
    choice = g.rng.randrange(6)
    if choice == 0:
        return g.prefix(word, s, fn)
    if choice == 1:
        return Term(f"log(det({s.text}))", shape, lambda p, f=s.fn: fn(f(p)), ATOM)
    return Term(f"{word}({s.text})", shape, lambda p, f=s.fn: fn(f(p)), ATOM)


def _absolute(g, shape, d):
    return g.bars(g.gen(shape, d), np.abs)


def _norm(g, shape, d):
    vector = g.chance(0.5)
    a = g.gen((g.dim(), ONE) if vector else (g.dim(), g.dim()), d)
    form = g.rng.randrange(4)
    if form == 0:  # ‖a‖, ‖A‖_F
        g.norms.append(a.fn)
        text = f"‖{a.text}‖" + ("" if vector else g.pick(["", "_F"]))
        return Term(text, shape, lambda p, f=a.fn: np.array([[np.linalg.norm(f(p))]]), ATOM)
    if form == 1:  # ‖a‖², ‖A‖²_F
        text = g.pick([f"‖{a.text}‖²", f"‖{a.text}‖^2"] if vector else [f"‖{a.text}‖²_F", f"‖{a.text}‖_F^2", f"‖{a.text}‖²"])
        return Term(text, shape, lambda p, f=a.fn: np.array([[np.sum(f(p) ** 2)]]), POSTFIX)
    if form == 2 and vector:  # ‖a‖₁
        g.kinks.append(a.fn)
        text = g.pick([f"‖{a.text}‖₁", f"‖{a.text}‖_1", f"norm1({a.text})"])
        return Term(text, shape, lambda p, f=a.fn: np.array([[np.sum(np.abs(f(p)))]]), ATOM)
    g.norms.append(a.fn)
    return Term(f"norm2({a.text})", shape, lambda p, f=a.fn: np.array([[np.linalg.norm(f(p))]]), ATOM)


def _sum(g, shape, d):
    r, c = g.dim(), g.pick(DIM_NAMES + (ONE,))
    a = g.gen((r, c), d)
    if g.chance(0.7):
        return Term(f"sum({a.text})", shape, lambda p, f=a.fn: np.array([[np.sum(f(p))]]), ATOM)
    left = g.transpose(g.ones(r))
    total = g.product(left, a)
    if c != ONE:
        total = g.product(total, g.ones(c))
    return total


def _kron(g, shape, d):
    """tr(A ⊗ B), tr((A ⊗ B)(C ⊗ D)) or vec(X)ᵀ(B ⊗ A)vec(Y)."""
    d = min(d, 2)
    m, n = g.dim(), g.dim()
    form = g.rng.randrange(3)
    if form == 0:
        a, b = g.gen((m, m), d), g.gen((n, n), d)
        inner = g.pick([f"{wrap(a, ELEM)} ⊗ {wrap(b, POSTFIX)}", f"kron({a.text}, {b.text})"])
        return Term(f"tr({inner})", shape, lambda p, f=a.fn, h=b.fn: np.array([[np.trace(np.kron(f(p), h(p)))]]), ATOM)
    if form == 1:
        p_, q = g.dim(), g.dim()
        a, b, c, e = g.gen((m, p_), d), g.gen((n, q), d), g.gen((p_, m), d), g.gen((q, n), d)
        ab = elem(a, b, "⊗", np.kron)
        ce = elem(c, e, "⊗", np.kron)
        text = f"tr({wrap(ab, PRODUCT)}{g.pick([' ', '·'])}{wrap(ce, ELEM)})"
        return Term(text, shape, lambda p, f=ab.fn, h=ce.fn: np.array([[np.trace(f(p) @ h(p))]]), ATOM)
    p_, q = g.dim(), g.dim()
    x, y = g.gen((m, n), d), g.gen((p_, q), d)
    a, b = g.gen((m, p_), d), g.gen((n, q), d)

    def vec(t):
        return Term(f"vec({t.text})", (ONE, ONE), lambda p, f=t.fn: f(p).reshape(-1, 1, order="F"), ATOM)

    vx, vy = vec(x), vec(y)
    text = f"{wrap(vx, ATOM)}ᵀ({wrap(b, ELEM)} ⊗ {wrap(a, POSTFIX)}){vy.text}"
    return Term(text, shape, lambda p, f=vx.fn, h=vy.fn, bf=b.fn, af=a.fn: f(p).T @ np.kron(bf(p), af(p)) @ h(p), PRODUCT)


def _scalar_power(g, shape, d):
    if g.chance(0.5):
        a = g.gen(shape, d)
        k = g.pick([2, 3])
        return g.postfix(a, ["²" if k == 2 else "³", f"^{k}"], lambda x: x**k)
    a = g.positive(shape, d)
    text, k = g.pick([("(1/2)", 0.5), ("-1", -1.0), ("⁻¹", -1.0), ("(-3/2)", -1.5)])
    return Term(wrap(a, ATOM) + ("" if text == "⁻¹" else "^") + text, shape, lambda p, f=a.fn: f(p) ** k, POSTFIX)


def _quadratic_form(g, shape, d):
    k = g.dim()
    return g.product(g.product(g.gen((ONE, k), d), g.gen((k, k), d)), g.gen((k, ONE), d))


def _number(g, shape, d):
    return g.number()


GENERAL = [_add, _add, _neg, _scale, _matmul, _matmul, _transpose, _hadamard, _quotient, _function,
           _positive_function, _hadamard_power, _divide]
MATRIX = [_broadcast]  # neither dimension 1
SQUARE = [_inverse, _inverse, _matrix_power, _plus_identity, _diag_matrix, _negative_power, _adjugate]
VECTOR = [_diag_vector, _times_ones]
SCALAR = [_trace, _trace, _det, _logdet, _logdet, _norm, _norm, _sum, _kron, _scalar_power, _quadratic_form, _number,
          _absolute]


