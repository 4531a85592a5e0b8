"""User functions given by a formula in x (``functions={"h": "x**3 + sin(x)"}``): the formula
read into a SymPy expression, and the scalar functions a formula may name.
"""

from __future__ import annotations

import sympy

from ..errors import DomainError

X = sympy.Symbol("x")


def parse_formula(name: str, formula: str) -> sympy.Expr:
    """The SymPy expression of a user formula in x; raises DomainError when it is not one."""
    try:
        expr = sympy.sympify(formula, locals={"x": X, "sigmoid": _sympy_sigmoid()})
    except (sympy.SympifyError, SyntaxError, TypeError) as exc:
        raise DomainError(f"the formula of {name}, {formula!r}, is not a formula in x: {exc}") from None
    if not isinstance(expr, sympy.Expr) or not expr.free_symbols <= {X}:
        extra = ", ".join(sorted(str(s) for s in getattr(expr, "free_symbols", ()) if s != X))
        raise DomainError(f"the formula of {name} may use only x, not {extra}")
    return expr


def _sympy_sigmoid():
    return sympy.Lambda(X, 1 / (1 + sympy.exp(-X)))
