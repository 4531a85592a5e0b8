"""Dimensions: the symbols m, n, k (and integers, and products such as mn for ⊗ and vec) that
shapes are made of.  Shape inference creates them; every later stage compares and prints them
with these helpers.  A shape is a pair (rows, cols) of dimensions; a scalar is 1×1.
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from ..errors import ShapeError

Dim = sympy.Expr
Shape = tuple  # (rows: Dim, cols: Dim)

ONE = sympy.Integer(1)
SCALAR: Shape = (ONE, ONE)


def dim(value) -> Dim:
    """A dimension from an int, a name or a SymPy expression."""
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, int):
        if value < 1:
            raise ShapeError(f"a dimension must be a positive integer, not {value}")
        return sympy.Integer(value)
    if isinstance(value, str) and value.isdigit():
        return dim(int(value))
    if isinstance(value, str) and value:
        return sympy.Symbol(value, integer=True, positive=True)
    raise ShapeError(f"{value!r} is not a dimension")


SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@lru_cache(maxsize=65_536)
def show_dim(d: Dim) -> str:
    """A dimension as a textbook writes it: mn, n², 2n, m + n, n − 1, m(n + 1); factors named
    by more than one letter are set apart by · (n_1·n_2)."""
    d = dim(d)
    if d.is_Add:
        return " + ".join(show_dim(a) for a in d.as_ordered_terms()).replace("+ −", "− ")
    if d.is_Pow and d.exp.is_Integer and d.exp > 1:
        base = show_dim(d.base)
        return (base if d.base.is_Atom else f"({base})") + str(d.exp).translate(SUPERSCRIPTS)
    c, rest = d.as_coeff_Mul()
    factors = rest.as_ordered_factors()
    if d.is_Mul and c.is_Integer and not any(f.is_Pow and f.exp.is_negative for f in factors):
        sep = "" if all(len(s.name) == 1 for s in d.free_symbols) else "·"
        text = sep.join(f"({show_dim(f)})" if f.is_Add else show_dim(f) for f in factors)
        return {1: "", -1: "−"}.get(int(c), str(c).replace("-", "−")) + text
    return str(d).replace("**", "^").replace("*", "·").replace("-", "−")


def show_shape(shape: Shape) -> str:
    return f"{show_dim(shape[0])}×{show_dim(shape[1])}"


def shape_text(shape: Shape) -> str:
    """A shape as the declarations write it: scalar, n (a column), 1×n, m×n."""
    rows, cols = shape
    if rows == ONE and cols == ONE:
        return "scalar"
    if cols == ONE:
        return show_dim(rows)
    return f"{show_dim(rows)}×{show_dim(cols)}"


def is_scalar_shape(shape: Shape) -> bool:
    return shape[0] == ONE and shape[1] == ONE


def same_dim(a: Dim, b: Dim) -> bool:
    """Whether two dimensions are equal (products such as m·n compare by value)."""
    if a is b or a == b:
        return True
    if a.is_Atom and b.is_Atom:
        return False
    return sympy.expand(a - b) == 0


