"""The elementwise functions matcalc knows, by their derivatives; user formulas differentiated.

One entry per function.  ``derivative(A)`` returns g′(A) as an expression, so that the
differential rule d g(A) = g′(A) ⊙ dA needs no case analysis; a function whose derivative is
another entry (relu′ = step, softplus′ = σ) names it.  A function given by a formula in x is
differentiated by SymPy and, where it can be, written back as a matrix expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import sympy

from .. import expr as t
from ..language.formula import FUNCTIONS, X, Formula


def _one(a: t.Expr) -> t.Expr:
    return t.broadcast(t.Number(sympy.Integer(1)), a.shape)


def _apply(name: str):
    return lambda a: t.Apply(name, a)


@dataclass(frozen=True)
class Elementwise:
    """A known elementwise function: its ``derivative`` as an expression of the argument."""

    name: str
    derivative: Callable[[t.Expr], t.Expr]
    identity: str  # the rule d g(A) = g′(A) ⊙ dA, as a textbook writes it


def _d_tan(a):
    return t.add(_one(a), t.hadamard_pow(t.Apply("tan", a), 2))


def _d_tanh(a):
    return t.sub(_one(a), t.hadamard_pow(t.Apply("tanh", a), 2))


def _d_sigmoid(a):
    s = t.Apply("sigmoid", a)
    return t.hadamard(s, t.sub(_one(a), s))


def _d_log(a):
    return _reciprocal(a)


def _reciprocal(a):
    return t.power(a, -1) if a.is_scalar else t.HadamardDiv(_one(a), a)


def _d_sqrt(a):
    half = t.Number(sympy.Rational(1, 2))
    root = t.Apply("sqrt", a)
    return t.scale(half, _reciprocal(root))


def _zero(a):
    return t.zero(a.shape)


def _d_log1p(a):
    return _reciprocal(t.add(_one(a), a))


def _d_softsign(a):
    return _reciprocal(t.hadamard_pow(t.add(_one(a), t.Apply("abs", a)), 2) if not a.is_scalar
                       else t.power(t.add(_one(a), t.Apply("abs", a)), 2))


def _d_arctan(a):
    return _reciprocal(t.add(_one(a), t.hadamard_pow(a, 2) if not a.is_scalar else t.power(a, 2)))


def _prime(name: str):
    """g′(A), the derivative as a function of its own (erf′(x) = 2e^{−x²}/√π)."""
    return lambda a: t.Apply(name, a, 1)


ELEMENTWISE: dict[str, Elementwise] = {
    f.name: f
    for f in [
        Elementwise("exp", _apply("exp"), "d exp(A) = exp(A) ⊙ dA"),
        Elementwise("log", _d_log, "d log(A) = dA ⊘ A"),
        Elementwise("sin", _apply("cos"), "d sin(A) = cos(A) ⊙ dA"),
        Elementwise("cos", lambda a: t.neg(t.Apply("sin", a)), "d cos(A) = −sin(A) ⊙ dA"),
        Elementwise("tan", _d_tan, "d tan(A) = (1 + tan²(A)) ⊙ dA"),
        Elementwise("tanh", _d_tanh, "d tanh(A) = (1 − tanh²(A)) ⊙ dA"),
        Elementwise("sigmoid", _d_sigmoid, "d σ(A) = σ(A) ⊙ (1 − σ(A)) ⊙ dA"),
        Elementwise("relu", _apply("step"), "d relu(A) = step(A) ⊙ dA"),
        Elementwise("softplus", _apply("sigmoid"), "d softplus(A) = σ(A) ⊙ dA"),
        Elementwise("sqrt", _d_sqrt, "d √A = ½ dA ⊘ √A"),
        Elementwise("abs", _apply("sign"), "d |A| = sign(A) ⊙ dA"),
        Elementwise("sign", _zero, "d sign(A) = 0 almost everywhere"),
        Elementwise("step", _zero, "d step(A) = 0 almost everywhere"),
        Elementwise("log1p", _d_log1p, "d log1p(A) = dA ⊘ (1 + A)"),
        Elementwise("expm1", _apply("exp"), "d expm1(A) = exp(A) ⊙ dA"),
        Elementwise("erf", _prime("erf"), "d erf(A) = erf′(A) ⊙ dA, erf′(x) = 2e^{−x²}/√π"),
        Elementwise("gelu", _prime("gelu"), "d gelu(A) = gelu′(A) ⊙ dA, gelu′(x) = Φ(x) + xφ(x)"),
        Elementwise("softsign", _d_softsign, "d softsign(A) = dA ⊘ (1 + |A|)^{∘2}"),
        Elementwise("cosh", _apply("sinh"), "d cosh(A) = sinh(A) ⊙ dA"),
        Elementwise("sinh", _apply("cosh"), "d sinh(A) = cosh(A) ⊙ dA"),
        Elementwise("arctan", _d_arctan, "d arctan(A) = dA ⊘ (1 + A^{∘2})"),
        Elementwise("log_sigmoid", lambda a: t.Apply("sigmoid", t.neg(a)), "d logσ(A) = σ(−A) ⊙ dA"),
    ]
}


# ---- user functions given by a formula --------------------------------------------------


@lru_cache(maxsize=256)
def formula_derivative(formula: Formula | sympy.Expr, order: int) -> sympy.Expr:
    """The order-th derivative of a formula in x (a user's, or a SymPy expression), by SymPy."""
    expr = formula.expr if isinstance(formula, Formula) else formula
    return sympy.diff(expr, X, order) if order else expr


def builtin_formula(name: str) -> sympy.Expr:
    """The known elementwise function ``name`` as a SymPy formula in x, for its derivatives."""
    return FUNCTIONS[name](X)


_SYMPY_TO_NAME = {
    sympy.exp: "exp",
    sympy.log: "log",
    sympy.sin: "sin",
    sympy.cos: "cos",
    sympy.tan: "tan",
    sympy.tanh: "tanh",
    sympy.Abs: "abs",
    sympy.sign: "sign",
    sympy.Heaviside: "step",
    sympy.cosh: "cosh",
    sympy.sinh: "sinh",
    sympy.atan: "arctan",
    sympy.erf: "erf",
}


def from_formula(formula: sympy.Expr, arg: t.Expr) -> t.Expr | None:
    """The formula g(x) applied elementwise to arg as a matrix expression (3x² → 3A^{∘2}),
    or None when it uses something with no elementwise form."""
    scalar = arg.is_scalar

    def conv(e: sympy.Expr) -> t.Expr | None:
        if e == X:
            return arg
        if e.is_Number:
            return t.broadcast(t.Number(e), arg.shape)
        if e.is_Add:
            parts = [conv(a) for a in e.args]
            return None if None in parts else t.add(*parts)
        if e.is_Mul:
            numbers = [a for a in e.args if a.is_Number]
            parts = [conv(a) for a in e.args if not a.is_Number]
            if None in parts:
                return None
            body = parts[0] if len(parts) == 1 else (_scalar_product(parts) if scalar else t.hadamard(*parts))
            return t.scale(t.Number(sympy.Mul(*numbers)), body)
        if e.is_Pow and e.exp.is_Rational:
            base = conv(e.base)
            if base is None:
                return None
            if e.exp == sympy.Rational(1, 2):
                return t.Apply("sqrt", base)
            if e.exp == -1:
                return t.power(base, -1) if scalar else t.HadamardDiv(_one(base), base)
            return t.hadamard_pow(base, e.exp)
        head = _known_head(e)
        if head is not None:
            inner = conv(head[1])
            return None if inner is None else t.Apply(head[0], inner)
        return None

    return conv(sympy.simplify(formula) if SIMPLIFIED_OPS[0] < formula.count_ops() <= SIMPLIFIED_OPS[1] else formula)


# A formula's derivative is simplified by SymPy when it has this many operations (fewer need
# no simplifying, more would take SymPy too long).
SIMPLIFIED_OPS = (40, 400)


def _known_head(e: sympy.Expr) -> tuple[str, sympy.Expr] | None:
    """(name, argument) when e is a known function of one argument: exp(a), Heaviside(a) or
    Heaviside(a, 0) (step), Max(0, a) (relu)."""
    name = _SYMPY_TO_NAME.get(e.func)
    if name is not None and (len(e.args) == 1 or (e.func is sympy.Heaviside and e.args[1] == 0)):
        return name, e.args[0]
    if e.func is sympy.Max and len(e.args) == 2 and sympy.Integer(0) in e.args:
        return "relu", next(a for a in e.args if a != 0)
    return None


def _scalar_product(parts):
    out = parts[0]
    for p in parts[1:]:
        out = t.mul(out, p)
    return out
