"""Random matcalc problems, each with an independent NumPy oracle.

``problem(rng)`` draws from ``rng`` (a ``random.Random``, or Hypothesis' ``st.randoms()``) a
random well-typed expression as matcalc TEXT — with explicit declarations of every symbol's
shape and domain, so that parsing is exercised but shape inference is not what is tested —
and, built alongside it node by node, a NumPy function computing its value directly (no
matcalc code is involved in the oracle).  Sizes are random and concrete: either the
declarations give the sizes (``X: 3×2``) or they name dimensions (``X: m×n``) whose sizes
are given at evaluation (``dims=``).

The expressions cover vectors, matrices, products (inner and outer), transposes, inverses of
SPD parts, traces, determinants, log-determinants, Hadamard products and quotients,
elementwise functions, Hadamard and matrix powers, norms, sums, diag, identities and ones,
and Kronecker products inside traces and vec forms, in the language's many spellings; and
(``oracle_words``, registered into the tables here) the newer words: the softmax family,
row statistics, max and min, more elementwise functions, ‖x‖_∞, ‖X‖₂, ‖X‖_*, λ_max, λ_min,
expm, logm, sqrtm, tril and triu.

``Problem.kind`` is "grad" or "hessian" (of a scalar f) or "jacobian" (of a matrix-valued F),
``Problem.wrt`` the variable; ``tests/finite_differences.py`` checks a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from oracle_terms import GENERAL, KINDS, ONE, SCALAR, SQUARE, VECTOR, Exhausted, Generator, Term, add, random_value
from oracle_words import WORDS

for _table, _name in ((GENERAL, "GENERAL"), (SQUARE, "SQUARE"), (VECTOR, "VECTOR"), (SCALAR, "SCALAR")):
    _table.extend(WORDS[_name])  # the newer words, one draw in each table

SEPARATION = 0.02  # a relative gap below which a spectral word or ‖·‖_∞ is not judged


@dataclass
class Problem:
    """A random problem: the text and its declarations, the oracle, a random point."""

    kind: str
    text: str
    shape: tuple  # the labels of the value's shape
    wrt: str
    symbols: dict  # name → Symbol
    sizes: dict  # dimension label → size
    symbolic: bool  # the declarations name the dimensions (m, n, …) rather than sizes
    oracle: Callable  # point → 2-D array
    seed: int  # of the random point
    functions: dict = field(default_factory=dict)  # user function name → formula in x
    norms: list = field(default_factory=list)  # point → the argument of a ‖·‖ of the text
    kinks: list = field(default_factory=list)  # point → the argument of an abs, relu, max, ‖·‖₁, …
    separations: list = field(default_factory=list)  # point → a relative gap, 0 at a non-differentiable point
    as_dict: bool = False  # declarations given as Python values rather than text
    _point: dict | None = field(default=None, repr=False)

    @property
    def dims(self) -> dict:
        """The sizes of the named dimensions, as ``evaluate(dims=…)`` takes them."""
        return {k: v for k, v in self.sizes.items() if k != ONE} if self.symbolic else {}

    def sized(self, shape) -> tuple:
        return tuple(self.sizes[d] for d in shape)

    def _dim(self, label):
        return label if self.symbolic and label != ONE else self.sizes[label]

    def declarations(self) -> dict:
        """The keyword arguments shapes= and domains= of matcalc's functions."""
        symbols = sorted(self.symbols.values(), key=lambda s: s.name)
        domains = {s.name: s.domain for s in symbols if s.domain}
        if self.as_dict:
            shapes = {}
            for s in symbols:
                r, c = (self._dim(d) for d in s.shape)
                shapes[s.name] = () if s.shape == (ONE, ONE) else (r,) if s.shape[1] == ONE else (r, c)
            return {"shapes": shapes, "domains": domains or None, "functions": dict(self.functions) or None}
        parts = []
        for s in symbols:
            r, c = (self._dim(d) for d in s.shape)
            parts.append(f"{s.name}: " + ("scalar" if s.shape == (ONE, ONE) else f"{r}" if s.shape[1] == ONE else f"{r}×{c}"))
        return {"shapes": ", ".join(parts), "domains": ", ".join(f"{k}: {v}" for k, v in domains.items()) or None,
                "functions": ", ".join(f"{k}: {v}" for k, v in sorted(self.functions.items())) or None}

    def point(self) -> dict:
        """Random values (2-D arrays) of every symbol, in its domain."""
        if self._point is None:
            rng = np.random.default_rng(self.seed)
            self._point = {s.name: random_value(rng, self.sized(s.shape), s.domain)
                           for s in sorted(self.symbols.values(), key=lambda s: s.name)}
        return self._point

    def at_a_kink(self, point: dict) -> bool:
        """Whether some ‖·‖ of the text has the argument 0 at ``point``: the norm is not
        differentiable there, and the chain rule gives 0/0 even where f happens to be smooth
        (‖relu(c)/(λ + κ)‖ with c < 0 is 0 for every κ)."""
        with np.errstate(all="ignore"):
            return any(not np.any(arg(point)) for arg in self.norms)

    def near_a_tie(self, point: dict) -> bool:
        """Whether some λ_max, λ_min, ‖X‖₂, ‖X‖_*, ‖x‖_∞ or std of the text is within
        ``SEPARATION`` of a point where it is not differentiable: a repeated extreme eigenvalue
        or largest singular value, a rank-deficient argument, a tie of the largest |xᵢ|, a
        constant row."""
        with np.errstate(all="ignore"):
            return any(not gap(point) >= SEPARATION for gap in self.separations)

    def signs(self, point: dict) -> list:
        """The signs of the arguments of abs, relu, max, ‖·‖₁, … at ``point``: where they differ
        from those at the point itself, a step of finite differences crossed a kink."""
        with np.errstate(all="ignore"):
            return [np.sign(arg(point)) for arg in self.kinks]

    def describe(self) -> str:
        decl = self.declarations()
        dims = f", dims={self.dims}" if self.dims else ""
        functions = f", functions={decl['functions']!r}" if decl["functions"] else ""
        return (f"{self.kind} of {self.text!r} wrt {self.wrt}; shapes={decl['shapes']!r}, "
                f"domains={decl['domains']!r}{functions}{dims}")


def user_value(a: np.ndarray, shape: tuple):
    """A value as users give it: a float for 1×1, a 1-D array for a column, else 2-D."""
    if shape == (1, 1):
        return float(a[0, 0])
    if shape[1] == 1:
        return a[:, 0].copy()
    return a


# --------------------------------------------------------------------------------------------
# Problems


def problem(rng, kind: str | None = None, max_depth: int = 6) -> Problem:
    """A random problem drawn from ``rng``: a derivative of ``kind`` (random if None)."""
    while True:
        try:
            return _draw(rng, kind or KINDS[rng.randrange(len(KINDS))], max_depth)
        except Exhausted:
            continue


def _draw(rng, kind: str, max_depth: int) -> Problem:
    g = Generator(rng, symbolic=rng.random() < 0.5)
    g.kind = kind
    if kind == "hessian":
        g.budget = min(g.budget, 12)
    depth = 2 + rng.randrange(max_depth - 1)
    if kind == "jacobian":
        shape = g.pick([(g.dim(), g.dim()), (g.dim(), ONE), (g.dim(), g.dim()), (ONE, g.dim())])
        while g.size(shape[0]) * g.size(shape[1]) > 12:
            shape = (g.dim(), ONE)
        top = g.gen(shape, depth)
    else:
        top = g.gen((ONE, ONE), depth)
    candidates = sorted(s.name for s in g.symbols.values() if s.name in _names_in(top, g))
    if not candidates:  # a constant: add a term in a fresh variable
        x = g.symbol(top.shape if top.shape != (ONE, ONE) else (ONE, ONE))
        top = add(top, x, +1)
        candidates = [x.text]
    wrt = g.pick(candidates)
    limit = 9 if kind == "hessian" else 16
    if g.size(g.symbols[wrt].shape[0]) * g.size(g.symbols[wrt].shape[1]) > limit:
        small = [n for n in candidates if g.size(g.symbols[n].shape[0]) * g.size(g.symbols[n].shape[1]) <= limit]
        if not small:
            raise Exhausted
        wrt = g.pick(small)
    return Problem(kind, top.text, top.shape, wrt, g.symbols, g.sizes, g.symbolic, top.fn,
                   seed=rng.randrange(2**32), functions=g.functions, norms=g.norms, kinks=g.kinks, separations=g.separations,
                   as_dict=rng.random() < 0.3)


def _names_in(term: Term, g: Generator) -> set:
    """The symbols the oracle reads (a name drawn but dropped never counts)."""
    seen = set()

    class Probe(dict):
        def __getitem__(self, name):
            seen.add(name)
            return random_value(np.random.default_rng(0), tuple(g.size(d) for d in g.symbols[name].shape), g.symbols[name].domain)

    with np.errstate(all="ignore"):
        term.fn(Probe())
    return seen
