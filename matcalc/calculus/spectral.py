"""The differentials of the spectral nodes, registered in the tables of ``differential``,
``adjoint`` and ``vec``: eigenvalues and the spectral and nuclear norms (first order, at a simple
eigenvalue / singular value, a full-rank matrix), the matrix functions through their Fréchet
derivatives, and the adjoint of a Fréchet derivative, ⟨G, L_f(X, E)⟩ = ⟨L_f(Xᵀ, G), E⟩.
"""

from __future__ import annotations

import sympy

from .. import expr as t
from ..errors import UnsupportedError
from .adjoint import transpose_rule
from .differential import _linear, rule
from .vec import vec_rule

@rule(t.EigenValue, "eigenvalue perturbation d λ(S) = vᵀ dS v (Sv = λv, ‖v‖ = 1, λ simple, S symmetric)")
def _eigenvalue(e, d):
    v = t.EigenVector(e.arg, e.which)
    return t.matmul(t.transpose(v), d(e.arg), v)


@rule(t.SpectralNorm, "d‖X‖₂ = u₁ᵀ dX v₁ (X = UΣVᵀ, σ₁ simple)")
def _spectral_norm(e, d):
    return t.matmul(t.transpose(t.SingularVector(e.arg, "left")), d(e.arg), t.SingularVector(e.arg, "right"))


@rule(t.NuclearNorm, "d‖X‖_* = tr(VUᵀ dX) (X = UΣVᵀ of full rank)")
def _nuclear_norm(e, d):
    return t.inner(t.PolarFactor(e.arg), d(e.arg))


def _symmetric_part(s: t.Expr, ds: t.Expr) -> t.Expr:
    """dS, or ½(dS + dSᵀ) when S is not declared symmetric (λ is of the symmetric part of S)."""
    if isinstance(s, t.Symbol) and s.assumptions & {"symmetric", "spd"}:
        return ds
    return t.scale(t.Number(sympy.Rational(1, 2)), t.add(ds, t.transpose(ds))) if not t.is_zero(ds) else ds


@rule(t.EigenVector, "eigenvector perturbation dv = (λI − S)⁺ dS v (S symmetric, λ simple, ‖v‖ = 1)")
def _eigenvector(e, d):
    return t.matmul(t.Resolvent(e.arg, e.which), _symmetric_part(e.arg, d(e.arg)), e)


@rule(t.SingularVector, "singular vectors as eigenvectors: dv₁ = (σ₁²I − XᵀX)⁺ d(XᵀX) v₁, "
                        "du₁ = (σ₁²I − XXᵀ)⁺ d(XXᵀ) u₁ (σ₁ simple)")
def _singular_vector(e, d):
    x = e.arg
    gram = t.matmul(t.transpose(x), x) if e.side == "right" else t.matmul(x, t.transpose(x))
    return t.matmul(t.Resolvent(gram, "max"), d(gram), e)


@rule(t.PolarFactor, "polar factor of a full-rank X: UVᵀ = X sqrtm(XᵀX)⁻¹ (m ≥ n), sqrtm(XXᵀ)⁻¹X (m ≤ n), "
                     "differentiated as that product")
def _polar_factor(e, d):
    x = e.arg
    rows, cols = x.rows, x.cols
    if t.same_dim(rows, cols) or (rows.is_Integer and cols.is_Integer and rows > cols):
        return d(t.matmul(x, t.inverse(t.MatrixFunction("sqrtm", t.matmul(t.transpose(x), x)))))
    if rows.is_Integer and cols.is_Integer:
        return d(t.matmul(t.inverse(t.MatrixFunction("sqrtm", t.matmul(x, t.transpose(x)))), x))
    raise UnsupportedError(f"the differential of the polar factor UVᵀ of the {t.show_shape(x.shape)} matrix {x} "
                           "needs to know whether it is tall or wide (UVᵀ = X sqrtm(XᵀX)⁻¹ needs XᵀX invertible, "
                           "sqrtm(XXᵀ)⁻¹X needs XXᵀ invertible): give its dimensions as numbers or a square shape")


@rule(t.Resolvent, "(λI − S)⁺: derivatives of the second order only")
def _resolvent(e, d):
    raise UnsupportedError(f"the differential of pinv_{e.which}({e.arg}) (a third derivative of λ_{e.which}) "
                           "is not available")


@rule(t.MatrixFunction, "d f(X) = L_f(X, dX), the Fréchet derivative of the matrix function f; f′(X)dX when "
     "dX commutes with X (d e^{tA} = e^{tA}A dt)")
def _matrix_function(e, d):
    dx = d(e.arg)
    if _commute(e.arg, dx):
        return t.matmul(t.derivative(e.name, e.arg), dx)
    return _linear(lambda dx: t.Frechet(e.name, e.arg, dx), dx, shape=e.shape)


def _commute(a: t.Expr, b: t.Expr) -> bool:
    """Whether b is a scalar multiple of a, of I, or zero: then ab = ba."""
    core = t.split_scale(b)[1]
    return t.is_zero(b) or isinstance(core, t.Identity) or core == t.split_scale(a)[1]


@rule(t.Frechet, "second Fréchet derivative d L_f(X, E) = L²_f(X, E, dX) + L_f(X, dE), "
                 "vec L²_f(X, E, dX) = K2_f(X, E) vec(dX)")
def _frechet(e, d):
    first = _linear(lambda de: t.Frechet(e.name, e.arg, de), d(e.direction), shape=e.shape)
    if not d.depends(e.arg):
        return first
    second = t.Unvec(t.matmul(t.FrechetKron(e.name, e.arg, (e.direction,)), t.vec(d(e.arg))), e.shape)
    return t.add(second, first)


@rule(t.FrechetKron, "K_f(X), K2_f(X, E): derivatives of the first and second order only")
def _frechet_kron(e, d):
    raise UnsupportedError(f"the differential of K{'2' if e.directions else ''}_{e.name} (a "
                           f"{'third' if e.directions else 'second'}-order Fréchet derivative of {e.name} "
                           "in Kronecker form) is not available")


@transpose_rule(t.Frechet, "adjoint of the Fréchet derivative L_f(X)* = L_f(Xᵀ): ⟨C, L_f(X, M)⟩ = ⟨L_f(Xᵀ, C), M⟩")
def _frechet_adjoint(e, c, depends):
    if depends(e.arg):
        raise UnsupportedError("a differential inside the point of a Fréchet derivative is not linear")
    yield e.direction, t.Frechet(e.name, t.transpose(e.arg), c)


@vec_rule(t.Frechet, "vec L_f(X, E) = K_f(X) vec(E)")
def _frechet_vec(e, jac, depends):
    if depends(e.arg):
        raise UnsupportedError("a differential inside the point of a Fréchet derivative is not linear")
    return t.matmul(t.FrechetKron(e.name, e.arg), jac(e.direction))
