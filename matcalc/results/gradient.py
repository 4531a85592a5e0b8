"""The gradient as a result: the differential method end to end, df → tr(Gᵀ dX) → G.

``gradient(f, X)`` is the closed form G; ``Differential`` holds df as the rules give it and G,
and prints the core relationship df = tr(Gᵀ dX).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as t
from ..calculus.adjoint import gradient as pull_back
from ..calculus.differential import differential as raw_differential
from ..expr.structure import TextRepr
from ..printing import to_latex, to_unicode
from ..simplify import simplify


def gradient(f: t.Expr, x: t.Symbol) -> t.Expr:
    """G with df = tr(Gᵀ dX) for a scalar f, simplified: the differential method end to end.
    G remembers f's symbols (``origin``), so it evaluates from their values."""
    return t.with_origin(simplify(pull_back(raw_differential(f, x), x)), f)


@dataclass(frozen=True, repr=False)
class Differential(TextRepr):
    """df of a scalar f with respect to X, raw (after the rules of d) and in the form tr(Gᵀ dX);
    ``str`` and ``repr`` are df = tr(Gᵀ dX)."""

    f: t.Expr
    wrt: t.Symbol
    df: t.Expr  # linear in dX, as the differential rules give it
    gradient: t.Expr  # G, simplified

    @property
    def canonical(self) -> t.Expr:
        """tr(Gᵀ dX) (gᵀdx for a vector, g·dx for a scalar), with Gᵀ simplified."""
        g_t = simplify(t.transpose(self.gradient))
        dx = t.Differential(self.wrt)
        if self.wrt.is_scalar:
            return t.mul(g_t, dx)
        body = t.matmul(g_t, dx)
        return body if self.wrt.cols == t.ONE else t.Trace(body)

    def __str__(self) -> str:
        return f"df = {to_unicode(self.canonical)}"

    def latex(self) -> str:
        return rf"\mathrm{{d}}f = {to_latex(self.canonical)}"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"


def differential(f: t.Expr, x: t.Symbol) -> Differential:
    """The differential of the scalar f with its gradient G."""
    df = raw_differential(f, x)
    return Differential(f, x, df, t.with_origin(simplify(pull_back(df, x)), f))
