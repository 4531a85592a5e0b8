"""The spectral nodes: eigenvalues of a symmetric matrix, the spectral and nuclear norms, the
named factors of a decomposition (unit eigenvector, singular vectors, polar factor), the
matrix functions expm, logm, sqrtm and their Fréchet derivatives.  Each checks its operand's
shape at construction.
"""

from __future__ import annotations

import sympy

from ..language.dims import ONE, SCALAR, same_dim, show_shape
from .builders import inverse, scale
from .nodes import Expr, Number, _need, _square, node

WHICH = ("max", "min")
MATRIX_FUNCTIONS = ("expm", "logm", "sqrtm")


@node
class EigenValue(Expr):
    """λ_max(S) or λ_min(S), the largest or smallest eigenvalue of a symmetric S."""

    arg: Expr
    which: str = "max"

    def _shape(self):
        _need(self.which in WHICH, "an eigenvalue is λ_max or λ_min")
        _square(f"λ_{self.which}", self.arg)
        return SCALAR


@node
class EigenVector(Expr):
    """v, the unit eigenvector of a symmetric S with Sv = λ_max(S)v (or λ_min): a named factor of
    S = VΛVᵀ, defined up to sign (vvᵀ is not) when the eigenvalue is simple."""

    arg: Expr
    which: str = "max"

    def _shape(self):
        _need(self.which in WHICH, "an eigenvector is of λ_max or λ_min")
        n = _square("an eigenvector", self.arg)
        return (n, ONE)


@node
class Resolvent(Expr):
    """(λ_max(S)I − S)⁺ (or of λ_min), the pseudo-inverse of λI − S for the symmetric part of S:
    Σ_{j} vⱼvⱼᵀ/(λ − λⱼ) over the other eigenpairs; dv = (λI − S)⁺ dS v for a simple λ."""

    arg: Expr
    which: str = "max"

    def _shape(self):
        _need(self.which in WHICH, "a resolvent is of λ_max or λ_min")
        n = _square(f"pinv_{self.which}", self.arg)
        return (n, n)


@node
class SpectralNorm(Expr):
    """‖X‖₂ = σ_max(X), the largest singular value of a matrix X (of a vector, ‖x‖₂ is ``Norm``)."""

    arg: Expr

    def _shape(self):
        _need(self.arg.rows != ONE and self.arg.cols != ONE, "the spectral norm of a vector is its Euclidean norm")
        return SCALAR


@node
class NuclearNorm(Expr):
    """‖X‖_* = Σᵢ σᵢ(X), the sum of the singular values of X."""

    arg: Expr

    def _shape(self):
        return SCALAR


@node
class SingularVector(Expr):
    """u₁ (side 'left') or v₁ (side 'right'), the unit singular vectors of σ_max in X = UΣVᵀ
    (Xv₁ = σ₁u₁); u₁v₁ᵀ is defined when σ₁ is simple."""

    arg: Expr
    side: str = "left"

    def _shape(self):
        _need(self.side in ("left", "right"), "a singular vector is left (u₁) or right (v₁)")
        return (self.arg.rows if self.side == "left" else self.arg.cols, ONE)


@node
class PolarFactor(Expr):
    """UVᵀ of the thin SVD X = UΣVᵀ: the orthogonal polar factor of a full-rank X."""

    arg: Expr

    def _shape(self):
        return self.arg.shape


@node
class MatrixFunction(Expr):
    """f(X) of a square X as a matrix function (expm, logm, sqrtm: the principal branches), not
    elementwise."""

    name: str
    arg: Expr

    def _shape(self):
        _need(self.name in MATRIX_FUNCTIONS, lambda: f"no matrix function {self.name}")
        n = _square(self.name, self.arg)
        return (n, n)


@node
class Frechet(Expr):
    """L_f(X, E), the Fréchet derivative of the matrix function f at X in the direction E:
    f(X + E) = f(X) + L_f(X, E) + o(‖E‖); linear in E, and ⟨G, L_f(X, E)⟩ = ⟨L_f(Xᵀ, G), E⟩."""

    name: str
    arg: Expr
    direction: Expr

    def _shape(self):
        _need(self.name in MATRIX_FUNCTIONS, lambda: f"no matrix function {self.name}")
        n = _square(f"L_{self.name}", self.arg)
        _need(same_dim(self.direction.rows, n) and same_dim(self.direction.cols, n),
              lambda: f"L_{self.name}(X, E) needs E of the shape of X, got {show_shape(self.direction.shape)} "
              f"and {show_shape(self.arg.shape)}")
        return (n, n)


@node
class FrechetKron(Expr):
    """K_f(X), the n²×n² Kronecker form of the Fréchet derivative, vec L_f(X, E) = K_f(X) vec(E)
    (Higham, Functions of Matrices, 3.2); with a direction E, K²_f(X, E), that of the second
    Fréchet derivative: vec L²_f(X, E, E′) = K²_f(X, E) vec(E′), L²_f(X, E, E′) the
    derivative of L_f(X, E) along E′."""

    name: str
    arg: Expr
    directions: tuple = ()

    def _shape(self):
        _need(self.name in MATRIX_FUNCTIONS, lambda: f"no matrix function {self.name}")
        n = _square(f"K_{self.name}", self.arg)
        for d in self.directions:
            _need(same_dim(d.rows, n) and same_dim(d.cols, n),
                  lambda: f"K2_{self.name}(X, E) needs E of the shape of X, got {show_shape(d.shape)}")
        return (n * n, n * n)


def derivative(name: str, a: Expr) -> Expr:
    """f′(A) of the matrix function f: expm(A), A⁻¹, ½sqrtm(A)⁻¹ (L_f(A, E) = f′(A)E when AE = EA)."""
    return {"expm": lambda: MatrixFunction("expm", a), "logm": lambda: inverse(a),
            "sqrtm": lambda: scale(Number(sympy.Rational(1, 2)), inverse(MatrixFunction("sqrtm", a)))}[name]()
