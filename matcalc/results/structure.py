"""Gradients inside a structure: the Euclidean gradient G projected onto the structure.

``STRUCTURES`` holds one entry per structure a variable may be asked to keep, each with its
textbook answer (G is the gradient of the unstructured X, df = tr(Gᵀ dX)):

- linear subspaces with the Frobenius inner product: the orthogonal projection of G —
  symmetric sym(G) = ½(G + Gᵀ), skew-symmetric skew(G) = ½(G − Gᵀ), diagonal I ⊙ G, lower and
  upper triangular tril(G), triu(G);
- Riemannian gradients, with the conventions of Manopt and Pymanopt: the Stiefel manifold
  (orthonormal columns, the embedded metric) G − X sym(XᵀG), the orthogonal group the same
  for a square X, the sphere (unit Frobenius norm) G − ⟨X, G⟩X, the symmetric positive
  definite matrices with the affine-invariant metric X sym(G) X.

The answer is simplified with X carrying the structure's assumption (XᵀX = I on the Stiefel
manifold, Sᵀ = S for a symmetric S, …), so that it reads as a textbook writes it.  A linear
structure also has a Hessian: P H P for the projection P of vec(X) onto the subspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

from .. import expr as t
from ..errors import ShapeError, UnsupportedError
from ..numeric.structures import SPACES
from ..simplify import closed_form, normal_form, size
from ..simplify.structured import expand

HALF = sympy.Rational(1, 2)


def _sym(g: t.Expr) -> t.Expr:
    return t.scale(t.number(HALF), t.add(g, t.transpose(g)))


def _skew(g: t.Expr) -> t.Expr:
    return t.scale(t.number(HALF), t.sub(g, t.transpose(g)))


def _stiefel(x: t.Expr, g: t.Expr) -> t.Expr:
    """G − X sym(XᵀG)."""
    return t.sub(g, t.matmul(x, _sym(t.matmul(t.transpose(x), g))))


def _sphere(x: t.Expr, g: t.Expr) -> t.Expr:
    """G − ⟨X, G⟩X."""
    return t.sub(g, t.mul(t.inner(x, g), x))


def _mask(x: t.Symbol, side: str) -> t.Expr:
    """diag(vec(tril(𝟙𝟙ᵀ))) (or triu): vec of the triangular part as a matrix."""
    return t.diag(t.vec(t.triangular(t.broadcast(t.number(1), x.shape), side)))


def _half_identity_and_commutation(sign: int) -> Callable:
    """½(I ± K): the projection of vec(X) onto vec of the symmetric (skew) matrices."""
    def projector(x: t.Symbol) -> t.Expr:
        n = x.rows
        i, k = t.identity(n * n), t.commutation(n, n)
        return t.scale(t.number(HALF), t.add(i, k) if sign > 0 else t.sub(i, k))
    return projector


@dataclass(frozen=True)
class Structure:
    """One structure: the symbol assumptions it gives X, the projection ``project(X, G)``, the
    name of that step in a derivation, and for a linear structure the projector of vec(X)
    (``vec_projector(X)``, for the Hessian; None on a manifold)."""

    name: str
    assumptions: frozenset
    project: Callable
    step: str
    square: bool = False
    vec_projector: Callable | None = None


STRUCTURES = {s.name: s for s in (
    Structure("symmetric", frozenset({"symmetric"}), lambda x, g: _sym(g),
              "projection onto the symmetric matrices: sym(G) = ½(G + Gᵀ)", True,
              _half_identity_and_commutation(1)),
    Structure("skew", frozenset({"skew"}), lambda x, g: _skew(g),
              "projection onto the skew-symmetric matrices: skew(G) = ½(G − Gᵀ)", True,
              _half_identity_and_commutation(-1)),
    Structure("diagonal", frozenset({"diagonal", "symmetric"}), lambda x, g: t.hadamard(t.identity(x.rows), g),
              "projection onto the diagonal matrices: the diagonal part I ⊙ G", True,
              lambda x: t.diag(t.vec(t.identity(x.rows)))),
    Structure("lower", frozenset({"lower"}), lambda x, g: t.triangular(g, "lower"),
              "projection onto the lower-triangular matrices: tril(G)", False, lambda x: _mask(x, "lower")),
    Structure("upper", frozenset({"upper"}), lambda x, g: t.triangular(g, "upper"),
              "projection onto the upper-triangular matrices: triu(G)", False, lambda x: _mask(x, "upper")),
    Structure("stiefel", frozenset({"orthonormal columns"}), _stiefel,
              "Riemannian gradient on the Stiefel manifold: the projection G − X sym(XᵀG) onto the tangent space"),
    Structure("orthogonal", frozenset({"orthonormal columns", "orthogonal"}), _stiefel,
              "Riemannian gradient on the orthogonal group: the projection G − X sym(XᵀG) onto the tangent space",
              True),
    Structure("sphere", frozenset({"unit norm"}), _sphere,
              "Riemannian gradient on the sphere: the projection G − ⟨X, G⟩X onto the tangent space"),
    Structure("spd", frozenset({"spd", "symmetric", "invertible"}),
              lambda x, g: t.matmul(x, _sym(g), x),
              "Riemannian gradient on the symmetric positive definite matrices, affine-invariant metric: X sym(G) X", True),
)}
assert set(STRUCTURES) == set(SPACES)

# The structures whose P in df = tr(Pᵀ dX) is symmetric (sym(G), I ⊙ G), so that Pᵀ = P.
SYMMETRIC = frozenset({"symmetric", "diagonal", "spd"})

# Where dX lies when df = tr(Pᵀ dX) is printed inside a structure ({dx} is dX).
TANGENT = {
    "symmetric": "for symmetric {dx}", "skew": "for skew-symmetric {dx}", "diagonal": "for diagonal {dx}",
    "lower": "for lower-triangular {dx}", "upper": "for upper-triangular {dx}",
    "stiefel": "for {dx} tangent to the Stiefel manifold", "orthogonal": "for {dx} tangent to the orthogonal group",
    "sphere": "for {dx} tangent to the sphere", "spd": "for symmetric {dx}",
}


def structure_of(name: str, x: t.Symbol) -> Structure:
    """The structure called ``name`` for the real variable X, whose shape must fit it."""
    s = STRUCTURES[name]
    if not t.is_real(x):
        raise UnsupportedError(f"a structure is for a real variable, but {x.name} has complex entries")
    if x.is_scalar:
        raise ShapeError(f"a structure is for a matrix or a vector variable, but {x.name} is a scalar")
    if s.square and not t.same_dim(x.rows, x.cols):
        raise ShapeError(f"a {name} matrix is square, but {x.name} is {t.show_shape(x.shape)}")
    return s


def structured_symbol(x: t.Symbol, s: Structure) -> t.Symbol:
    """X carrying the assumptions of the structure (Sᵀ = S, QᵀQ = I, …)."""
    return t.Symbol(x.name, x.dims, x.assumptions | s.assumptions)


def project(g: t.Expr, x: t.Symbol, name: str) -> t.Expr:
    """The gradient in the structure called ``name`` from the Euclidean gradient G of X, in
    closed form: the smallest of the projection simplified as it is, with the sums that hold X
    expanded, and with every product of sums expanded (so that QᵀQ = I and like terms cancel)."""
    s = structure_of(name, x)
    xs = structured_symbol(x, s)
    raw = s.project(xs, t.substitute(g, x, xs))
    best = min((normal_form(e) for e in (raw, expand(raw, x.name), expand(raw))), key=size)
    return t.substitute(best, xs, x)


def project_hessian(h: t.Expr, x: t.Symbol, name: str) -> t.Expr:
    """P H P for the projector P of vec(X) onto a linear structure; a manifold raises."""
    s = structure_of(name, x)
    if s.vec_projector is None:
        raise UnsupportedError(
            f"the Riemannian Hessian ({name}) is not built; a Hessian inside a structure "
            "is taken for the linear structures (symmetric, skew, diagonal, lower, upper)")
    p = s.vec_projector(x)
    return closed_form(t.matmul(p, h, p))
