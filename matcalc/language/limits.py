"""The limits on the work any input may ask for (docs/language.md, "Limits").

Each is far beyond what a textbook expression needs; input past one is refused with a
``MatcalcError`` that names the limit, never a hang, a crash or an exhausted memory.
``exponent_problem`` and ``number_problem`` say what is wrong with an exact number, or None;
``bounded_work`` gives a public call its budget of work, which ``spend`` draws on.
"""

from __future__ import annotations

import contextvars
import math

import sympy

from ..errors import UnsupportedError

MAX_LENGTH = 10_000  # characters of an expression
MAX_DEPTH = 200  # levels of nesting of an expression
MAX_FORMULA_LENGTH = 1_000  # characters of a user function's formula
MAX_FORMULA_DEPTH = 50  # levels of nesting of a formula
MAX_EXPONENT = 1_000  # |p| and the denominator of an exponent p
MAX_MATRIX_POWER = 100  # k of a matrix power Xᵏ (its differential has k terms)
MAX_DIGITS = 1_000  # decimal digits of the numerator or denominator of an exact number
MAX_ENTRIES = 10_000_000  # entries of one array made while evaluating or sampling
MAX_TRIALS = 1_000  # random points of one check
# The work of one public call, in units: a node of an expression built counts one, plus one
# per operand; a node printed two; a value computed one, plus one per ENTRIES_PER_UNIT entries.
MAX_WORK = 250_000
ENTRIES_PER_UNIT = 256

_SAFE_BITS = int(MAX_DIGITS / math.log10(2)) - 8  # fewer bits than this: fewer than MAX_DIGITS digits


def _digits(r: sympy.Rational) -> float:
    """The number of decimal digits of the larger of r's numerator and denominator (exact near
    MAX_DIGITS and below, estimated from the bits above)."""
    n = max(abs(int(r.p)), int(r.q))
    estimate = n.bit_length() * math.log10(2)
    return len(str(n)) if estimate < MAX_DIGITS + 2 else estimate


def number_problem(value: sympy.Expr) -> str | None:
    """Why an exact number is too large to work with, or None."""
    if isinstance(value, sympy.Rational) and max(abs(value.p), value.q).bit_length() > _SAFE_BITS and _digits(value) > MAX_DIGITS:
        return f"a number has more than {MAX_DIGITS} digits (the limit on exact numbers)"
    return None


def numeral_problem(text: str) -> str | None:
    """Why a numeral (3, 2.5, 1e-3) is too long to read exactly, or None."""
    mantissa, _, power = text.lower().replace("−", "-").partition("e")
    if len(mantissa.replace(".", "")) > MAX_DIGITS or len(power) > 6 or (power and abs(int(power)) > MAX_DIGITS):
        return f"a number has more than {MAX_DIGITS} digits (the limit on exact numbers)"
    return None


def exponent_problem(p: sympy.Expr) -> str | None:
    """Why p cannot be an exponent, or None: |p| and its denominator are at most MAX_EXPONENT."""
    if isinstance(p, sympy.Rational) and (abs(p) > MAX_EXPONENT or p.q > MAX_EXPONENT):
        shown = str(p) if _digits(p) <= 20 else "of more than 20 digits"
        return f"the exponent {shown} is too large (exponents are limited to ±{MAX_EXPONENT}, with denominators up to {MAX_EXPONENT})"
    return None


def power_problem(base: sympy.Expr, p: sympy.Expr) -> str | None:
    """Why base**p cannot be computed exactly, or None (checked before computing it)."""
    problem = exponent_problem(p)
    if problem or not isinstance(base, sympy.Rational) or not isinstance(p, sympy.Rational):
        return problem
    if abs(base.p) > 1 or base.q > 1:
        if abs(p) * _digits(base) > MAX_DIGITS + 1:
            return f"the power is a number of more than {MAX_DIGITS} digits (the limit on exact numbers)"
    return None


# ---- the budget of work of one public call ---------------------------------------------------


class _Budget:
    __slots__ = ("left",)

    def __init__(self, left: int):
        self.left = left


_BUDGET: contextvars.ContextVar = contextvars.ContextVar("matcalc_work", default=None)


def spend(units: int) -> None:
    """Draw ``units`` of work from the budget of the call under way (none outside a call)."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.left -= units
        if budget.left < 0:
            raise UnsupportedError(
                f"the computation is too large: it needs more than {MAX_WORK:,} units of work, the limit of one "
                "call (a unit is an expression node built or printed, or a value computed; see Limits in docs/language.md)"
            )


class bounded_work:
    """The budget of MAX_WORK units for the public call it wraps (a call inside it shares it)."""

    __slots__ = ("token",)

    def __enter__(self):
        self.token = _BUDGET.set(_Budget(MAX_WORK)) if _BUDGET.get() is None else None

    def __exit__(self, *exc):
        if self.token is not None:
            _BUDGET.reset(self.token)
