"""Exact numbers: SymPy values made from Python integers and fractions by their constructors,
never by reading text."""

from __future__ import annotations

import numbers
from fractions import Fraction

import sympy


def exact(value) -> sympy.Expr:
    """The SymPy value of an int, a Fraction or a SymPy expression (which is returned as it is)."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return sympy.Integer(int(value))
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    raise TypeError(f"{value!r} is not an exact number")
