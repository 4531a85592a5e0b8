"""Numbers inside a structure: random points, tangent vectors and curves for each structure a
gradient may be taken in (``matcalc.results.structure``).

A ``Space`` draws a random point X in its set (``draw``), gives an orthonormal basis ξ₁ … ξₖ of
the tangent space at X in its metric (``basis``) and a curve through X with velocity ξ
(``move``: X + ξ on the linear structures and SPD, the polar or normalising retraction on the
Stiefel manifold, the orthogonal group and the sphere).  Finite differences taken inside the
structure are then the derivatives Dₖ = d/dt f(move(X, tξₖ)) at t = 0, and the gradient they
give is Σₖ Dₖ ξₖ: for an orthonormal basis ⟨grad f, ξₖ⟩_X = Dₖ, so this is the gradient in the
structure, whatever f does off it.

The metric is the Frobenius inner product ⟨A, B⟩ = tr(AᵀB) (the embedded metric of Manopt and
Pymanopt on the manifolds) except on SPD, whose affine-invariant metric is
⟨A, B⟩_X = tr(X⁻¹AX⁻¹B); there ξₖ = X^{½}EₖX^{½} for the Frobenius-orthonormal basis Eₖ of the
symmetric matrices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .evaluate import Evaluator, richardson

STEP = 1e-3
REFINE = (1.0, 1 / 4, 1 / 16, 1 / 64)  # as in matcalc.numeric.check
POSITIVE = frozenset({"spd", "positive det", "invertible", "positive"})  # domains a draw makes positive definite


# --------------------------------------------------------------------------------------------
# Bases: unit matrices Eᵢⱼ combined


def _unit(shape, *entries) -> np.ndarray:
    """The matrix with the given (i, j, value) entries, zero elsewhere."""
    e = np.zeros(shape)
    for i, j, v in entries:
        e[i, j] += v
    return e


def _symmetric_basis(x: np.ndarray) -> list:
    n, r = x.shape[0], 1 / math.sqrt(2)
    return [_unit(x.shape, (i, i, 1.0)) for i in range(n)] + [
        _unit(x.shape, (i, j, r), (j, i, r)) for j in range(n) for i in range(j)]


def _skew_basis(x: np.ndarray) -> list:
    n, r = x.shape[1], 1 / math.sqrt(2)
    return [_unit((n, n), (i, j, r), (j, i, -r)) for j in range(n) for i in range(j)]


def _diagonal_basis(x: np.ndarray) -> list:
    return [_unit(x.shape, (i, i, 1.0)) for i in range(x.shape[0])]


def _triangular_basis(side: str) -> Callable:
    keep = (lambda i, j: i >= j) if side == "lower" else (lambda i, j: i <= j)
    return lambda x: [_unit(x.shape, (i, j, 1.0)) for j in range(x.shape[1]) for i in range(x.shape[0]) if keep(i, j)]


def _stiefel_basis(x: np.ndarray) -> list:
    """XΩ for Ω in an orthonormal basis of the skew p×p matrices, and X⊥K for the unit K."""
    n, p = x.shape
    complement = np.linalg.qr(x, mode="complete")[0][:, p:]
    return [x @ w for w in _skew_basis(x)] + [
        complement @ _unit((n - p, p), (i, j, 1.0)) for j in range(p) for i in range(n - p)]


def _sphere_basis(x: np.ndarray) -> list:
    """An orthonormal basis of the matrices orthogonal to X (⟨X, ξ⟩ = 0)."""
    flat = x.reshape(-1, 1, order="F")
    q = np.linalg.qr(flat, mode="complete")[0][:, 1:]
    return [q[:, k].reshape(x.shape, order="F") for k in range(q.shape[1])]


def _spd_basis(x: np.ndarray) -> list:
    """X^{½}EX^{½} for E in the symmetric basis: orthonormal in tr(X⁻¹AX⁻¹B)."""
    w, v = np.linalg.eigh((x + x.T) / 2)
    root = (v * np.sqrt(np.maximum(w, 0.0))) @ v.T
    return [root @ e @ root for e in _symmetric_basis(x)]


# --------------------------------------------------------------------------------------------
# Draws


def _gaussian(shape, rng) -> np.ndarray:
    return rng.uniform(0.5, 1.0) * rng.standard_normal(shape)


def _positive_diagonal(m: np.ndarray, doms: set, rng) -> np.ndarray:
    """m with a diagonal of entries in [0.5, 2] where a domain asks for an invertible matrix
    with a positive determinant (a Cholesky factor, a positive diagonal matrix)."""
    if doms & POSITIVE:
        k = min(m.shape)
        m[range(k), range(k)] = rng.uniform(0.5, 2.0, k)
    return m


def _draw_symmetric(shape, doms, rng) -> np.ndarray:
    m = _gaussian(shape, rng)
    if doms & POSITIVE:
        return m @ m.T / shape[0] + np.eye(shape[0])
    return (m + m.T) / 2


def _draw_skew(shape, doms, rng) -> np.ndarray:
    m = _gaussian(shape, rng)
    return (m - m.T) / 2


def _draw_diagonal(shape, doms, rng) -> np.ndarray:
    return _positive_diagonal(np.diag(np.diag(_gaussian(shape, rng))), doms, rng)


def _draw_triangular(side: str) -> Callable:
    part = np.tril if side == "lower" else np.triu
    return lambda shape, doms, rng: _positive_diagonal(part(_gaussian(shape, rng)), doms, rng)


def _draw_orthonormal(shape, doms, rng) -> np.ndarray:
    """Orthonormal columns: the Q of a QR factorisation with a positive diagonal of R (Haar
    distributed); square with a positive determinant where a domain asks for one."""
    q, r = np.linalg.qr(rng.standard_normal(shape))
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    if shape[0] == shape[1] and "positive det" in doms and np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def _draw_sphere(shape, doms, rng) -> np.ndarray:
    m = rng.standard_normal(shape)
    return m / np.linalg.norm(m)


def _draw_spd(shape, doms, rng) -> np.ndarray:
    return _draw_symmetric(shape, doms | {"spd"}, rng)


# --------------------------------------------------------------------------------------------
# Curves through X with a given velocity


def _line(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    return x + v


def _polar(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The polar retraction: the orthonormal factor UWᵀ of X + V = UΣWᵀ."""
    u, _, wt = np.linalg.svd(x + v, full_matrices=False)
    return u @ wt


def _normalised(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    y = x + v
    return y / np.linalg.norm(y)


def _frobenius(x, a, b) -> float:
    return float(np.sum(a * b))


def _affine_invariant(x, a, b) -> float:
    """tr(X⁻¹AX⁻¹B)."""
    return float(np.trace(np.linalg.solve(x, a) @ np.linalg.solve(x, b)))


# --------------------------------------------------------------------------------------------
# The spaces


@dataclass(frozen=True)
class Space:
    """The numbers of one structure: ``draw(shape, domains, rng)`` a random point,
    ``basis(X)`` an orthonormal basis of the tangent space at X in the metric ``inner(X, A, B)``,
    ``move(X, V)`` a curve through X with velocity V; ``along`` says where the finite
    differences are taken (in a check report); ``tall`` that X needs rows ≥ columns."""

    name: str
    along: str
    draw: Callable
    basis: Callable
    move: Callable = _line
    inner: Callable = _frobenius
    tall: bool = False

    def direction(self, x: np.ndarray, rng) -> np.ndarray:
        """A random unit tangent vector at X (in the metric)."""
        basis = self.basis(x)
        c = rng.standard_normal(len(basis))
        return sum(ck * b for ck, b in zip(c / np.linalg.norm(c), basis))

    def differences(self, ev: Evaluator, f, name: str, x: np.ndarray) -> tuple[np.ndarray, float]:
        """(Σₖ Dₖξₖ, its error estimate): the gradient in the structure by central differences
        Dₖ = (f(move(X, hξₖ)) − f(move(X, −hξₖ))) / 2h along each basis vector, refined by
        Richardson extrapolation over the steps of ``matcalc.numeric.check``."""
        g, gaps = np.zeros_like(x), []
        base = STEP * max(1.0, float(np.max(np.abs(x))))
        for xi in self.basis(x):
            def quotient(h, xi=xi):
                ahead = ev.at(name, self.move(x, h * xi)).matrix(f)[0, 0]
                behind = ev.at(name, self.move(x, -h * xi)).matrix(f)[0, 0]
                return (ahead - behind) / (2 * h)

            d, gap = richardson(quotient, [base * r for r in REFINE])
            g += d * xi
            gaps.append(gap * xi)
        return g, float(np.linalg.norm(sum(gaps))) if gaps else 0.0

    def vectors(self, x: np.ndarray) -> np.ndarray:
        """The basis as the columns of a matrix (each vec(ξₖ)), for second differences."""
        basis = self.basis(x)
        return np.column_stack([b.reshape(-1, order="F") for b in basis]) if basis else np.zeros((x.size, 0))


SPACES = {
    "symmetric": Space("symmetric", "along symmetric perturbations", _draw_symmetric, _symmetric_basis),
    "skew": Space("skew", "along skew-symmetric perturbations", _draw_skew, _skew_basis),
    "diagonal": Space("diagonal", "along diagonal perturbations", _draw_diagonal, _diagonal_basis),
    "lower": Space("lower", "along lower-triangular perturbations", _draw_triangular("lower"),
                   _triangular_basis("lower")),
    "upper": Space("upper", "along upper-triangular perturbations", _draw_triangular("upper"),
                   _triangular_basis("upper")),
    "stiefel": Space("stiefel", "along tangent vectors of the Stiefel manifold (polar retraction)", _draw_orthonormal,
                     _stiefel_basis, _polar, tall=True),
    "orthogonal": Space("orthogonal", "along tangent vectors of the orthogonal group (polar retraction)", _draw_orthonormal,
                        lambda x: [x @ w for w in _skew_basis(x)], _polar),
    "sphere": Space("sphere", "along tangent vectors of the sphere (normalising retraction)", _draw_sphere, _sphere_basis,
                    _normalised),
    "spd": Space("spd", "along symmetric directions in the affine-invariant metric", _draw_spd, _spd_basis,
                 inner=_affine_invariant),
}
