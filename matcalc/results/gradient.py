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
from .structure import SYMMETRIC, TANGENT, project


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
    gradient: t.Expr  # G, simplified; inside a ``structure``, the gradient in it
    inside: str | None = None  # the structure G is taken inside (``matcalc.results.structure.STRUCTURES``)
    pairing: t.Expr | None = None  # inside a structure, P with df = tr(Pᵀ dX) for dX tangent to it

    @property
    def canonical(self) -> t.Expr:
        """tr(Gᵀ dX) (gᵀdx for a vector, g·dx for a scalar), with Gᵀ simplified; inside a
        structure, with the P of ``pairing`` (G itself but on SPD, where it is sym(∂f/∂X))."""
        p = self.gradient if self.pairing is None else self.pairing
        g_t = p if self.inside in SYMMETRIC else simplify(t.transpose(p))  # Pᵀ = P
        dx = t.Differential(self.wrt)
        if self.wrt.is_scalar:
            return t.mul(g_t, dx)
        body = t.matmul(g_t, dx)
        if isinstance(body, t.Zero):  # df = 0: f is constant (inside the structure)
            return t.zero((t.ONE, t.ONE))
        return body if self.wrt.cols == t.ONE else t.Trace(body)

    def _tangent(self, latex: bool) -> str:
        """The words ", for symmetric dS" and the like: where dX lies inside a structure."""
        if self.inside is None:
            return ""
        before, after = TANGENT[self.inside].split("{dx}")
        if not latex:
            return f", {before}{to_unicode(t.Differential(self.wrt))}{after}"
        tail = rf"\text{{{after}}}" if after else ""
        return rf"\quad\text{{{before}}}{to_latex(t.Differential(self.wrt))}{tail}"

    def __str__(self) -> str:
        return f"df = {to_unicode(self.canonical)}{self._tangent(False)}"

    def latex(self) -> str:
        return rf"\mathrm{{d}}f = {to_latex(self.canonical)}{self._tangent(True)}"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"


def differential(f: t.Expr, x: t.Symbol, structure: str | None = None) -> Differential:
    """The differential of the scalar f with its gradient G; with a ``structure``, G is the
    gradient inside it (``matcalc.results.structure.project``)."""
    df = raw_differential(f, x)
    g = t.with_origin(simplify(pull_back(df, x)), f)
    if structure is None:
        return Differential(f, x, df, g)
    inside = t.with_origin(project(g, x, structure), f)
    pairing = t.with_origin(project(g, x, "symmetric"), f) if structure == "spd" else None
    return Differential(f, x, df, inside, structure, pairing)
