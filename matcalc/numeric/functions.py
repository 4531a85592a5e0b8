"""The numbers of the elementwise functions: NumPy implementations, and stand-ins for user
functions that have no formula (so that they can be checked numerically).
"""

from __future__ import annotations

import functools
import math
from typing import Callable

import numpy as np
import sympy

from ..errors import UnsupportedError
from ..language.formula import X


def as_array(value) -> np.ndarray:
    """A float array, or a complex one for complex entries."""
    return np.asarray(value, dtype=complex if np.iscomplexobj(value) else float)


def _sigmoid(x):
    """σ(x) = 1/(1 + e⁻ˣ) to full relative precision on both sides: for x < 0 as eˣ/(1 + eˣ)
    (1 + tanh(x/2) would cancel to 0 below x ≈ −37, and σ(x)/softplus(x) → 1 with it)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_erf = np.vectorize(math.erf, otypes=[float])


def _gelu(x):
    """x Φ(x) = x(1 + erf(x/√2))/2."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


NUMERIC: dict[str, Callable] = {
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.log1p(np.exp(x)) if np.iscomplexobj(x) else np.logaddexp(0.0, x),
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "step": lambda x: (x > 0).astype(float),
    "log1p": np.log1p,
    "expm1": np.expm1,
    "erf": _erf,
    "gelu": _gelu,
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "cosh": np.cosh,
    "sinh": np.sinh,
    "arctan": np.arctan,
    "log_sigmoid": lambda x: -np.logaddexp(0.0, -x),
}

# Stand-ins that give a symbolic user function numbers when it is checked numerically: smooth,
# not oscillating (so finite differences stay accurate at large arguments), with no two
# derivatives alike, so that a wrong order of derivative shows.
STAND_IN_ELEMENTWISE = X**3 / 6 + X / 3 + sympy.log(1 + X**2)


def stand_in_scalar(a) -> float:
    """The stand-in of an opaque scalar function: f(A) = Σᵢⱼ log(1 + Aᵢⱼ²) + ‖A‖²_F/2."""
    a = np.asarray(a, dtype=float)
    return float(np.sum(np.log1p(a * a)) + 0.5 * np.sum(a * a))


def stand_in_gradient(a) -> np.ndarray:
    """∇f of the stand-in: 2A ⊘ (1 + A^{∘2}) + A."""
    a = np.asarray(a, dtype=float)
    return 2 * a / (1 + a * a) + a


# ---- formulas: matcalc's own SymPy → NumPy evaluator -----------------------------------------


def _heaviside(x, h0=0.5):
    return np.heaviside(x, h0)


def _zeros(x, *order):
    """DiracDelta(x) and its derivatives: 0 away from x = 0, as d sign = 0 almost everywhere."""
    return np.zeros_like(x)


# The NumPy function of each SymPy head a built formula (or one of its derivatives) holds.
HEADS: dict[type, Callable] = {
    sympy.Add: lambda *a: functools.reduce(np.add, a),
    sympy.Mul: lambda *a: functools.reduce(np.multiply, a),
    sympy.Pow: np.power,
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.tanh: np.tanh,
    sympy.Abs: np.abs,
    sympy.sign: np.sign,
    sympy.Heaviside: _heaviside,
    sympy.cosh: np.cosh,
    sympy.sinh: np.sinh,
    sympy.atan: np.arctan,
    sympy.erf: _erf,
    sympy.DiracDelta: _zeros,
    sympy.Max: lambda *a: functools.reduce(np.maximum, a),
    sympy.Min: lambda *a: functools.reduce(np.minimum, a),
}


def _constant(e: sympy.Expr) -> float | None:
    """The value of a number or a named constant (π, e), else None."""
    if not (e.is_Number or e.is_NumberSymbol):
        return None
    try:
        return float(e)
    except TypeError:  # ∞ of unknown sign
        return float("nan")


def evaluate_formula(formula: sympy.Expr, x: np.ndarray) -> np.ndarray:
    """The value of a formula in x at the array x: its tree walked children first, each head
    computed by its NumPy function in ``HEADS`` (UnsupportedError for any other)."""
    x = np.asarray(x, dtype=float)
    values: dict = {}
    stack = [(formula, False)]
    while stack:
        e, ready = stack.pop()
        if e in values:
            continue
        if e == X:
            values[e] = x
        elif (c := _constant(e)) is not None:
            values[e] = np.float64(c)
        elif not ready:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args)
        elif e.func in HEADS:
            with np.errstate(all="ignore"):
                values[e] = HEADS[e.func](*(values[a] for a in e.args))
        else:
            raise UnsupportedError(f"cannot evaluate {e.func.__name__} in a formula numerically")
    return np.broadcast_to(np.asarray(values[formula], dtype=float), x.shape).copy()


def numeric_formula(formula: sympy.Expr) -> Callable:
    """A NumPy function of x for a SymPy formula in x."""
    return lambda a: evaluate_formula(formula, a)
