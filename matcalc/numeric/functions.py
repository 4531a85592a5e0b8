"""The numbers of the elementwise functions: NumPy implementations, and stand-ins for user
functions that have no formula (so that they can be checked numerically).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import sympy

from ..language.formula import X


def _sigmoid(x):
    """σ(x) = 1/(1 + e⁻ˣ) to full relative precision on both sides: for x < 0 as eˣ/(1 + eˣ)
    (1 + tanh(x/2) would cancel to 0 below x ≈ −37, and σ(x)/softplus(x) → 1 with it)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


NUMERIC: dict[str, Callable] = {
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "step": lambda x: (x > 0).astype(float),
}

# The SymPy form of each function, for its derivatives of any order.
SYMPY_NAMES = {"exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh",
               "sigmoid": "sigmoid", "relu": "relu", "softplus": "softplus", "sqrt": "sqrt", "abs": "Abs",
               "sign": "sign", "step": "Heaviside"}

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


def numeric_formula(formula: sympy.Expr) -> Callable:
    """A NumPy function of x for a SymPy formula."""
    fn = sympy.lambdify(X, formula, modules=["numpy"])
    return lambda a: np.broadcast_to(np.asarray(fn(a), dtype=float), np.shape(a)).copy()
