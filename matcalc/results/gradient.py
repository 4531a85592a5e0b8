"""The gradient as a result: the differential method end to end, df → tr(Gᵀ dX) → G.

``gradient(f, X)`` is the closed form G; ``Differential`` holds df as the rules give it and G,
and prints the core relationship df = tr(Gᵀ dX).

A complex X (Wirtinger calculus): dX and dX̄ are independent, df = tr(Pᵀ dX) + tr(Gᵀ dX̄)
with P = ∂f/∂X and G = ∂f/∂X̄.  For a real-valued f, P = Ḡ and df = 2 Re tr(Gᴴ dX): the
gradient is the conjugate cogradient G = ∂f/∂X̄ (Kreutz-Delgado's CR-calculus).  A function
that is not real-valued has both parts but no gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import expr as t
from ..calculus.adjoint import gradient as pull_back
from ..calculus.differential import differential as raw_differential
from ..errors import DomainError, MatcalcError
from ..expr.structure import TextRepr
from ..numeric import Evaluator, point
from ..printing import to_latex, to_unicode
from ..simplify import simplify
from .structure import SYMMETRIC, TANGENT, project

REAL_TOLERANCE = 1e-9  # |Im f| relative to 1 + |f| at a random point: f is real-valued
REAL_POINTS = 4  # random points tried to see whether f is real-valued


def gradient(f: t.Expr, x: t.Symbol) -> t.Expr:
    """G with df = tr(Gᵀ dX) for a scalar f, simplified: the differential method end to end.
    G remembers f's symbols (``origin``), so it evaluates from their values."""
    return differential(f, x).real_gradient()


def is_complex(x: t.Symbol) -> bool:
    """Whether the variable has complex entries (declared complex, hermitian or unitary)."""
    return not t.is_real(x)


@dataclass(frozen=True, repr=False)
class Differential(TextRepr):
    """df of a scalar f with respect to X, raw (after the rules of d) and in the form tr(Gᵀ dX);
    ``str`` and ``repr`` are df = tr(Gᵀ dX).  For a complex X, ``partial`` is ∂f/∂X and
    ``gradient`` ∂f/∂X̄ (df = tr(Pᵀ dX) + tr(Gᵀ dX̄)); ``real`` says whether f is real-valued."""

    f: t.Expr
    wrt: t.Symbol
    df: t.Expr  # linear in dX, as the differential rules give it
    gradient: t.Expr  # G, simplified; inside a ``structure``, the gradient in it
    partial: t.Expr | None = None  # ∂f/∂X of a complex X, simplified
    real: bool = True
    inside: str | None = None  # the structure G is taken inside (``matcalc.results.structure.STRUCTURES``)
    pairing: t.Expr | None = None  # inside a structure, P with df = tr(Pᵀ dX) for dX tangent to it

    def real_gradient(self) -> t.Expr:
        """G, for a real-valued f; DomainError otherwise."""
        if not self.real:
            raise DomainError(
                f"{to_unicode(self.f)} is not real-valued, so it has no gradient with respect to {self.wrt.name}: "
                f"its differential shows df in d{self.wrt.name} and d{self.wrt.name}̄; "
                "differentiate a real function of it (real(·), imag(·), abs(·)²)")
        return self.gradient

    @property
    def canonical(self) -> t.Expr:
        """tr(Gᵀ dX) (gᵀdx for a vector, g·dx for a scalar), with Gᵀ simplified; for a complex X,
        tr(Pᵀ dX) + tr(Gᵀ dX̄); inside a structure, with the P of ``pairing`` (G itself but on
        SPD, where it is sym(∂f/∂X))."""
        dx = t.Differential(self.wrt)
        if self.partial is not None:
            return t.add(self._pairing(self.partial, dx), self._pairing(self.gradient, t.conj(dx)))
        p = self.gradient if self.pairing is None else self.pairing
        return self._pairing(p, dx, symmetric=self.inside in SYMMETRIC)

    def _pairing(self, g: t.Expr, dx: t.Expr, symmetric: bool = False) -> t.Expr:
        """tr(Gᵀ dX), gᵀdx or g·dx; Gᵀ = G when ``symmetric``."""
        g_t = g if symmetric else simplify(t.transpose(g))
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


def real_valued(f: t.Expr, gradient: t.Expr | None = None, partial: t.Expr | None = None) -> bool:
    """Whether f (a scalar or a matrix) is real-valued: by construction, else at random points
    (for a scalar, ¯∂f/∂X̄ = ∂f/∂X decides where f has no finite value at any point tried)."""
    if t.is_real(f):
        return True
    for seed in range(REAL_POINTS):
        try:
            values, dims = point(f, seed)
            value = np.asarray(Evaluator([f], values, dims).matrix(f), dtype=complex)
        except MatcalcError:
            continue
        if np.all(np.isfinite(value)):
            return bool(np.max(np.abs(value.imag), initial=0) <= REAL_TOLERANCE * (1 + np.max(np.abs(value), initial=0)))
    return partial is not None and simplify(t.conj(gradient)) == partial


def differential(f: t.Expr, x: t.Symbol, structure: str | None = None) -> Differential:
    """The differential of the scalar f with its gradient G (for a complex X, both parts); with
    a ``structure`` (a real X), G is the gradient inside it (``matcalc.results.structure.project``)."""
    df = raw_differential(f, x)
    g = t.with_origin(simplify(pull_back(df, x, conjugate=is_complex(x))), f)
    partial = t.with_origin(simplify(pull_back(df, x)), f) if is_complex(x) else None
    real = real_valued(f, g, partial)
    if structure is None:
        return Differential(f, x, df, g, partial, real)
    inside = t.with_origin(project(g, x, structure), f)
    pairing = t.with_origin(project(g, x, "symmetric"), f) if structure == "spd" else None
    return Differential(f, x, df, inside, partial, real, structure, pairing)
