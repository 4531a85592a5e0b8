"""SymPy expression classes for the matcalc nodes that SymPy's matrix expressions lack.

Each keeps its matcalc meaning exactly (so that a round trip through SymPy is exact) and
``doit()`` rewrites it in SymPy's own vocabulary, the form SymPy's ``diff`` understands:
‖A‖_F → √tr(AᵀA), adj A → det(A)A⁻¹, a broadcast b → 𝟙bᵀ, and so on.  Where SymPy has no
equivalent at all (vec, the commutation matrix), ``doit()`` leaves the node as it is.
"""

from __future__ import annotations

import sympy
from sympy import Basic, Determinant, Inverse, Lambda, MatrixExpr, OneMatrix, Trace, Transpose
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction


class _Matrix(MatrixExpr):
    """A matrix-valued node whose arguments are stored as given."""

    def __new__(cls, *args):
        return Basic.__new__(cls, *args)


class Adjugate(_Matrix):
    """adj A = det(A)A⁻¹ (for invertible A)."""

    @property
    def shape(self):
        return self.args[0].shape

    def doit(self, **hints):
        a = self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0]
        return Determinant(a) * Inverse(a)


class Broadcast(_Matrix):
    """A row vector, column vector or scalar (args[0]) repeated to the shape (args[1], args[2])."""

    @property
    def shape(self):
        return self.args[1], self.args[2]

    def doit(self, **hints):
        a, rows, cols = self.args
        if not isinstance(a, MatrixExpr):
            return a * OneMatrix(rows, cols)
        if a.shape[0] == 1 and rows != 1:
            return OneMatrix(rows, 1) * a
        return a * OneMatrix(1, cols)


class Vec(_Matrix):
    """vec(A): the columns of A stacked."""

    @property
    def shape(self):
        a = self.args[0]
        return a.shape[0] * a.shape[1], sympy.Integer(1)

    def doit(self, **hints):
        return self


class Unvec(_Matrix):
    """vec⁻¹(v) to the shape (args[1], args[2])."""

    @property
    def shape(self):
        return self.args[1], self.args[2]

    def doit(self, **hints):
        return self


class TriangularPart(_Matrix):
    """tril(A) or triu(A) (args A, the side "lower" or "upper" as a SymPy symbol)."""

    @property
    def shape(self):
        return self.args[0].shape

    def doit(self, **hints):
        return self


class CommutationMatrix(_Matrix):
    """K with K vec(A) = vec(Aᵀ) for an m×n matrix A (args m, n)."""

    @property
    def shape(self):
        m, n = self.args
        return m * n, m * n

    def doit(self, **hints):
        return self


class KroneckerAdjoint(_Matrix):
    """The adjoint of A ↦ A ⊗ B (side 'left') or B ↦ A ⊗ B ('right') applied to C
    (args C, the other factor, the side as a SymPy symbol)."""

    @property
    def shape(self):
        c, other = self.args[0], self.args[1]
        return sympy.simplify(c.shape[0] / other.shape[0]), sympy.simplify(c.shape[1] / other.shape[1])

    def doit(self, **hints):
        return self


class Gradient(_Matrix):
    """∇f(A): the gradient of the opaque scalar function f (args: the function, A)."""

    @property
    def shape(self):
        return self.args[1].shape


class MatrixNorm(sympy.Expr):
    """‖A‖ₚ (args A, p): p = 2 the Frobenius (Euclidean) norm, p = 1 the 1-norm, p = ∞ (oo)
    the max-norm of a vector."""

    is_commutative = True
    is_real = True
    is_nonnegative = True

    def __new__(cls, arg, p):
        return Basic.__new__(cls, arg, sympy.oo if p == sympy.oo else sympy.Integer(p))

    def doit(self, **hints):
        a, p = self.args
        if p == 2:
            return sympy.sqrt(Trace(Transpose(a) * a))
        return self


class ScalarOf(sympy.Expr):
    """A 1×1 matrix expression used as a scalar (aᵀXb in a sum with λ, inside log)."""

    is_commutative = True

    def __new__(cls, arg):
        return Basic.__new__(cls, arg)

    def doit(self, **hints):
        return Trace(self.args[0].doit(**hints))


class MatrixFunction(sympy.Expr):
    """f(A): an opaque scalar function f of a matrix A (args: the name as a symbol, A)."""

    is_commutative = True

    def __new__(cls, name, arg):
        return Basic.__new__(cls, name, arg)


def elementwise(function: Lambda, arg) -> ElementwiseApplyFunction:
    """g applied to every entry of the matrix ``arg``."""
    return ElementwiseApplyFunction(function, arg)


class Spectral(sympy.Expr):
    """λ_max(S), λ_min(S), ‖X‖₂, ‖X‖_* (args: the word as a symbol, the matrix); SymPy has no
    form for them, so ``doit()`` keeps the node."""

    is_commutative = True
    is_real = True

    def __new__(cls, word, arg):
        return Basic.__new__(cls, word, arg)

    def doit(self, **hints):
        return self


class SpectralMatrix(_Matrix):
    """A factor of a decomposition (eigvec_max(S), svec_u(X), polar(X)), a matrix function
    (expm(X), logm(X), sqrtm(X)) or a Fréchet derivative L_f(X, E) (args: the word as a symbol,
    the operands, the number of rows and of columns)."""

    @property
    def shape(self):
        return self.args[-2], self.args[-1]

    def doit(self, **hints):
        return self
