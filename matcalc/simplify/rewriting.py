"""The rewriting machinery of the simplifier: rule registry, strategy, measures.

``Simplifier`` rebuilds an expression bottom-up and applies, at every node, the rules
registered for its class in ``RULES`` (by the rule sets ``algebra``, ``sums``, ``scalars``,
``quotients``, ``logistic``) until none applies; every subexpression is simplified once and the total number
of rewrites is capped.  ``size`` is the
measure the simplifier never increases; ``order_key`` follows the printed text and
``total_key`` breaks its ties by structure, so that the order of sums and Hadamard products,
and so every result, is deterministic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import sympy

from .. import expr as t

MAX_STEPS = 20_000
MAX_ROUNDS = 8  # rebuilds of a node whose builders made new children


@dataclass(frozen=True)
class Rewrite:
    name: str
    fn: Callable[[t.Expr], t.Expr | None]  # the rewritten node, or None when it does not apply


RULES: dict[type, list[Rewrite]] = {}


def rewrite(cls, name: str):
    def register(fn):
        for c in cls if isinstance(cls, tuple) else (cls,):
            RULES.setdefault(c, []).append(Rewrite(name, fn))
        return fn

    return register


# ---- measures -------------------------------------------------------------------------------


@lru_cache(maxsize=100_000)
def size(e: t.Expr) -> int:
    """Nodes of the printed tree.  A mark ᵀ (or ⁻¹ on a leaf) decorates its operand and is no
    node, so moving transposes never changes the size; −A is one node above A, and in a sum
    a term's minus sign stands in place of the plus, so x − μ is as large as x + μ."""
    if isinstance(e, t.Transpose) or (isinstance(e, t.Inverse) and _is_leafish(e.arg)):
        return size(e.arg)
    if isinstance(e, t.Broadcast):
        return size(e.arg)
    if isinstance(e, t.Scale):
        return _product_size(e)
    if isinstance(e, t.Add):
        return 1 + sum(size(_signless(x)) for x in e.terms)
    # The adjoints of ⊗ and vec have no textbook notation, and a closed form beats L_f(X, E): they count as long.
    extra = 4 if isinstance(e, (t.KronFactor, t.Unvec, t.Frechet)) else 0
    return 1 + extra + sum(size(c) for c in e.children())


def _product_size(e: t.Scale) -> int:
    """A product of scalars and a matrix, c·s·A/d, however the scales nest: one product node,
    its factors, a divisor d counted as d, and the number c one node unless it is ±1 (−A is
    one node above A)."""
    leaves, stack, c = [], [e], sympy.Integer(1)
    while stack:
        n = stack.pop()
        if isinstance(n, t.Scale):
            stack += [n.operand, n.factor]
        elif isinstance(n, t.Number):
            c *= n.value
        else:
            leaves.append(n)
    out = 1 + sum(size(x.base) if isinstance(x, t.Power) and x.exponent == -1 else size(x) for x in leaves)
    return out + (0 if c in (1, -1) else 1)


def _signless(term: t.Expr) -> t.Expr:
    c, core = coefficient(term)
    return with_coefficient(-c, core) if is_negative(c) else term


def _is_leafish(e: t.Expr) -> bool:
    """A leaf, or a leaf under marks: A, Aᵀ, A⁻ᵀ (not (A + B)ᵀ, whose mark is on a node)."""
    while isinstance(e, (t.Transpose, t.Inverse)):
        e = e.arg
    return isinstance(e, (t.Symbol, t.Identity, t.Ones))


def total_key(e: t.Expr) -> tuple:
    """``order_key`` made total: ties (A ⊙ B and AB, g(X) and g′(X)) are broken by structure, so
    that sorting never depends on the order the operands came in."""
    return (order_key(e), structure_key(e))


@lru_cache(maxsize=100_000)
def structure_key(e: t.Expr) -> tuple:
    """A complete, hash-free key of e's structure: equal keys mean equal trees."""
    parts = []
    for a in e.args():
        if isinstance(a, t.Expr):
            parts.append(structure_key(a))
        elif isinstance(a, tuple) and a and isinstance(a[0], t.Expr):
            parts.append(tuple(structure_key(x) for x in a))
        else:
            parts.append(str(sorted(a)) if isinstance(a, frozenset) else str(a))
    return (type(e).__name__, tuple(parts))


@lru_cache(maxsize=100_000)
def order_key(e: t.Expr) -> tuple:
    """A sort key that follows the printed text (so sums read alphabetically)."""
    if isinstance(e, t.Symbol):
        return (e.name,)
    if isinstance(e, t.Number):
        return ("#", str(e.value))
    if isinstance(e, t.Transpose):
        return order_key(e.arg) + ("ᵀ",)
    if isinstance(e, t.Inverse) and isinstance(e.arg, t.Transpose):
        return order_key(e.arg.arg) + ("⁻¹", "ᵀ")  # A⁻¹ + A⁻ᵀ, as A + Aᵀ
    if isinstance(e, t.Inverse):
        return order_key(e.arg) + ("⁻¹",)
    if isinstance(e, (t.MatMul, t.Hadamard)):
        return sum((order_key(f) for f in e.factors), ())
    if isinstance(e, t.Scale):
        return order_key(e.operand) + order_key(e.factor)
    if isinstance(e, t.Broadcast):
        return order_key(e.arg)
    if isinstance(e, t.Add):
        return ("(",) + sum((order_key(x) for x in e.terms), ()) + (")",)
    if isinstance(e, t.Apply):
        return (e.name, "(") + order_key(e.arg) + (")",)
    params = tuple(str(a) for a in e.args() if not isinstance(a, (t.Expr, tuple)))
    return (type(e).__name__, *params, "(") + sum((order_key(c) for c in e.children()), ()) + (")",)


# ---- the strategy ---------------------------------------------------------------------------

class Simplifier:
    """Bottom-up rewriting to a fixed point, memoised, with a global step cap."""

    def __init__(self, max_steps: int = MAX_STEPS, trace: list | None = None):
        self.memo: dict[t.Expr, t.Expr] = {}
        self.active: set[t.Expr] = set()
        self.steps = 0
        self.max_steps = max_steps
        self.trace = trace

    def __call__(self, e: t.Expr) -> t.Expr:
        done = self.memo.get(e)
        if done is not None:
            return done
        if e in self.active or self.steps >= self.max_steps:
            return e
        self.active.add(e)
        try:
            current = t.rebuild(e, self)
            for _ in range(MAX_ROUNDS):  # the builders may have made new children
                if all(self.memo.get(c) is c for c in current.children()):
                    break  # every child is simplified already: rebuilding would give current again
                again = t.rebuild(current, self)
                if again == current:
                    break
                current = again
            result = self._rules(current)
        finally:
            self.active.discard(e)
        self.memo[e] = result
        self.memo.setdefault(result, result)
        return result

    def _rules(self, e: t.Expr) -> t.Expr:
        for rule in RULES.get(type(e), ()):
            out = rule.fn(e)
            if out is not None and out != e:
                self.steps += 1
                if self.trace is not None:
                    self.trace.append((rule.name, e, out))
                return self(out)
        return e


# ---- helpers --------------------------------------------------------------------------------


def coefficient(e: t.Expr) -> tuple[sympy.Expr, t.Expr]:
    """(c, core) with e = c·core and c a number (1 when there is none); the number may sit
    deep in the factor, as the builders put it: ((−2·s)·r)·X has c = −2; a number c broadcast
    to a matrix is c times the matrix of ones."""
    if isinstance(e, t.Broadcast) and isinstance(e.arg, t.Number) and e.arg.value != 1:
        return e.arg.value, t.Broadcast(t.Number(sympy.Integer(1)), e.dims)
    return _leading_number(e) if isinstance(e, t.Scale) else (sympy.Integer(1), e)


def _leading_number(s: t.Expr) -> tuple[sympy.Expr, t.Expr | None]:
    """(c, rest) with s = c·rest (rest None when s is the number c)."""
    if isinstance(s, t.Number):
        return s.value, None
    if isinstance(s, t.Scale):
        c, rest = _leading_number(s.factor)
        if rest is not s.factor:
            return c, s.operand if rest is None else t.scale(rest, s.operand)
    return sympy.Integer(1), s


def with_coefficient(c: sympy.Expr, core: t.Expr) -> t.Expr:
    return t.scale(t.Number(c), core)


def is_negative(c: sympy.Expr) -> bool:
    return bool(c.could_extract_minus_sign())


def is_symmetric(e: t.Expr) -> bool:
    """Whether e equals its transpose by declaration or by structure (XᵀX, A + Aᵀ, …)."""
    if isinstance(e, t.Symbol):
        return bool(e.assumptions & {"symmetric", "spd"})
    if isinstance(e, (t.Identity, t.Number, t.DiagMat)):
        return True
    if isinstance(e, (t.Inverse, t.MatPow, t.Apply, t.HadamardPow)):
        inner = e.arg if not isinstance(e, t.HadamardPow) else e.base
        return is_symmetric(inner)
    if isinstance(e, t.Scale):
        return is_symmetric(e.operand)
    if isinstance(e, t.Hadamard):
        return all(is_symmetric(f) for f in e.factors)
    if isinstance(e, t.Add):
        flipped = [pushed_transpose(x) for x in e.terms]
        return all(is_symmetric(x) for x in e.terms) or Counter(flipped) == Counter(e.terms)
    if isinstance(e, t.MatMul):
        fs = e.factors
        n = len(fs)
        middle_ok = n % 2 == 0 or is_symmetric(fs[n // 2])
        return middle_ok and all(pushed_transpose(fs[i]) == fs[n - 1 - i] for i in range(n // 2))
    return False


def pushed_transpose(e: t.Expr) -> t.Expr:
    """The transpose of e, pushed one level (for structural comparisons)."""
    if isinstance(e, t.MatMul):
        return t.matmul(*(t.transpose(f) for f in reversed(e.factors)))
    if isinstance(e, t.Scale):
        return t.scale(e.factor, pushed_transpose(e.operand))
    return t.transpose(e)
