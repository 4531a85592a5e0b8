"""Exact numbers: SymPy values made from Python integers and fractions by their constructors,
never by reading text."""

from __future__ import annotations

import numbers
import unicodedata
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


def numeral(text: str) -> sympy.Rational:
    """The exact value of a numeral: 3, 2.5, .5, 1e-3 (1e−3), or a vulgar fraction such as ½."""
    if len(text) == 1 and not text.isdigit():
        return exact(Fraction(unicodedata.numeric(text)).limit_denominator(20))
    mantissa, _, power = text.lower().replace("−", "-").partition("e")
    return exact(Fraction(mantissa) * Fraction(10) ** int(power or 0))
