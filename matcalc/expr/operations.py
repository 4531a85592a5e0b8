"""The operation nodes of the expression tree: sums and products, transposes and inverses,
traces and determinants, elementwise operations, norms and opaque functions, reshaping.
Each checks the shapes of its operands at construction.
"""

from __future__ import annotations

import math

import sympy

from ..language.dims import ONE, SCALAR, Shape, same_dim, show_dim, show_shape
from ..language.formula import Formula, parse_formula
from .nodes import Differential, Expr, _need, _square, node

INF = math.inf  # the p of the max-norm ‖x‖_∞

# ---- linear structure -----------------------------------------------------------------------


@node
class Add(Expr):
    """A sum of two or more terms of one shape."""

    terms: tuple

    def _shape(self):
        _need(len(self.terms) >= 2, "a sum needs two terms")
        first = self.terms[0].shape
        for t in self.terms[1:]:
            _need(
                same_dim(t.rows, first[0]) and same_dim(t.cols, first[1]),
                lambda: f"cannot add {show_shape(first)} and {show_shape(t.shape)}",
            )
        return first


@node
class Scale(Expr):
    """factor · operand, where factor is a scalar (1×1) expression."""

    factor: Expr
    operand: Expr

    def _shape(self):
        _need(self.factor.is_scalar, lambda: f"a scale factor must be 1×1, got {show_shape(self.factor.shape)}")
        return self.operand.shape


@node
class MatMul(Expr):
    """A matrix product F₁F₂…Fₖ of two or more factors whose inner dimensions agree."""

    factors: tuple

    def _shape(self):
        _need(len(self.factors) >= 2, "a product needs two factors")
        rows, cols = self.factors[0].shape
        for f in self.factors[1:]:
            _need(
                same_dim(cols, f.rows),
                lambda: f"cannot multiply {show_shape((rows, cols))} by {show_shape(f.shape)}: "
                f"inner dimensions {show_dim(cols)} and {show_dim(f.rows)} differ",
            )
            cols = f.cols
        return (rows, cols)


@node
class Transpose(Expr):
    """Aᵀ."""

    arg: Expr

    def _shape(self):
        return (self.arg.cols, self.arg.rows)


@node
class Inverse(Expr):
    """A⁻¹ of a square matrix."""

    arg: Expr

    def _shape(self):
        n = _square("inverse", self.arg)
        return (n, n)


@node
class MatPow(Expr):
    """Aᵏ, an integer power k ≥ 2 of a square matrix (negative powers are powers of A⁻¹)."""

    arg: Expr
    exponent: int

    def _shape(self):
        n = _square("a matrix power", self.arg)
        _need(isinstance(self.exponent, int) and self.exponent >= 2, "matrix powers are integers ≥ 2")
        return (n, n)


@node
class Power(Expr):
    """sᵖ of a scalar s, any exact exponent p."""

    base: Expr
    exponent: sympy.Expr

    def _shape(self):
        _need(self.base.is_scalar, lambda: f"a scalar power needs a 1×1 base, got {show_shape(self.base.shape)}")
        return SCALAR


@node
class Trace(Expr):
    """tr A."""

    arg: Expr

    def _shape(self):
        _square("trace", self.arg)
        return SCALAR


@node
class Det(Expr):
    """det A."""

    arg: Expr

    def _shape(self):
        _square("det", self.arg)
        return SCALAR


@node
class LogDet(Expr):
    """log det A."""

    arg: Expr

    def _shape(self):
        _square("log det", self.arg)
        return SCALAR


@node
class Adj(Expr):
    """adj A, the adjugate: det(A)A⁻¹ for invertible A."""

    arg: Expr

    def _shape(self):
        n = _square("adj", self.arg)
        return (n, n)


# ---- elementwise ----------------------------------------------------------------------------


def _same_shape(op: str, terms) -> Shape:
    first = terms[0].shape
    for t in terms[1:]:
        _need(
            same_dim(t.rows, first[0]) and same_dim(t.cols, first[1]),
            lambda: f"{op} needs operands of one shape, got {show_shape(first)} and {show_shape(t.shape)}",
        )
    return first


@node
class Hadamard(Expr):
    """A ⊙ B ⊙ …, the elementwise product of two or more operands of one shape."""

    factors: tuple

    def _shape(self):
        _need(len(self.factors) >= 2, "a Hadamard product needs two operands")
        return _same_shape("⊙", self.factors)


@node
class HadamardDiv(Expr):
    """A ⊘ B, elementwise division."""

    num: Expr
    den: Expr

    def _shape(self):
        return _same_shape("⊘", (self.num, self.den))


@node
class HadamardPow(Expr):
    """A^{∘p}, elementwise power."""

    base: Expr
    exponent: sympy.Expr

    def _shape(self):
        return self.base.shape


@node
class Apply(Expr):
    """g(A) applied elementwise; ``order`` k > 0 means the k-th derivative g⁽ᵏ⁾.

    ``formula`` is the formula in x of a function given by one (its SymPy expression built by
    ``matcalc.language.formula``; text is read by that module's grammar), else None.
    """

    name: str
    arg: Expr
    order: int = 0
    formula: Formula | None = None

    def __post_init__(self):
        if isinstance(self.formula, str):
            object.__setattr__(self, "formula", parse_formula(self.name, self.formula))
        Expr.__post_init__(self)

    def _shape(self):
        return self.arg.shape


@node
class Kron(Expr):
    """A ⊗ B."""

    left: Expr
    right: Expr

    def _shape(self):
        return (self.left.rows * self.right.rows, self.left.cols * self.right.cols)


# ---- scalar functions of matrices -----------------------------------------------------------


@node
class Norm(Expr):
    """‖A‖ₚ: p = 2 is the Euclidean norm of a vector or the Frobenius norm of a matrix;
    p = 1 is the 1-norm of a vector, p = ∞ (``INF``) its max-norm maxᵢ |xᵢ|."""

    arg: Expr
    p: int = 2

    def _shape(self):
        _need(self.p in (1, 2, INF), "only the 1-norm, the 2-norm and the max-norm are supported")
        if self.p != 2:
            _need(self.arg.cols == ONE, lambda: f"the {'∞' if self.p == INF else self.p}-norm needs a vector, got {show_shape(self.arg.shape)}")
        return SCALAR


@node
class Call(Expr):
    """f(A): an opaque scalar function f of a matrix A."""

    name: str
    arg: Expr

    def _shape(self):
        return SCALAR


@node
class Grad(Expr):
    """∇f(A): the gradient of the opaque scalar function f, evaluated at A."""

    name: str
    arg: Expr

    def _shape(self):
        return self.arg.shape


# ---- the softmax family (a vector over its entries, a matrix row by row) --------------------


def _reduced(arg: Expr) -> Shape:
    """A reduction's shape: a scalar for a column vector, else the column of the rows' values."""
    return SCALAR if arg.cols == ONE else (arg.rows, ONE)


@node
class Softmax(Expr):
    """softmax(z) = exp(z)/(𝟙ᵀexp(z)) of a vector; of a matrix, of each row (attention)."""

    arg: Expr

    def _shape(self):
        return self.arg.shape


@node
class LogSoftmax(Expr):
    """log softmax(z) = z − logsumexp(z)𝟙 of a vector; of a matrix, of each row."""

    arg: Expr

    def _shape(self):
        return self.arg.shape


@node
class LogSumExp(Expr):
    """logsumexp(z) = log(𝟙ᵀexp(z)) of a vector, a scalar; of an m×n matrix, the m×1 column
    of its rows' values."""

    arg: Expr

    def _shape(self):
        return _reduced(self.arg)


# ---- statistics (a vector over its entries, a matrix row by row) ---------------------------


@node
class Mean(Expr):
    """mean(x) = 𝟙ᵀx/n of a vector; of an m×n matrix, the m×1 column X𝟙/n of its rows' means."""

    arg: Expr

    def _shape(self):
        return _reduced(self.arg)


@node
class Var(Expr):
    """var(x) = ‖x − mean(x)𝟙‖²/n, the (population) variance of a vector; of a matrix, of each row."""

    arg: Expr

    def _shape(self):
        return _reduced(self.arg)


@node
class Std(Expr):
    """std(x) = √var(x), of a vector or of each row of a matrix."""

    arg: Expr

    def _shape(self):
        return _reduced(self.arg)


# ---- reshaping ------------------------------------------------------------------------------


@node
class DiagMat(Expr):
    """diag(x): the diagonal matrix with the vector x on its diagonal."""

    arg: Expr

    def _shape(self):
        _need(self.arg.cols == ONE, lambda: f"diag of a vector needs n×1, got {show_shape(self.arg.shape)}")
        return (self.arg.rows, self.arg.rows)


@node
class DiagVec(Expr):
    """diag(A): the vector of the diagonal of a square matrix."""

    arg: Expr

    def _shape(self):
        n = _square("diag of a matrix", self.arg)
        return (n, ONE)


@node
class TriangularPart(Expr):
    """tril(A) (``side`` "lower") or triu(A) ("upper"): A with the entries above (below) the
    diagonal set to zero; the diagonal is kept."""

    arg: Expr
    side: str

    def _shape(self):
        _need(self.side in ("lower", "upper"), "a triangular part is 'lower' or 'upper'")
        return self.arg.shape


@node
class Vec(Expr):
    """vec(A): the columns of A stacked into one vector."""

    arg: Expr

    def _shape(self):
        return (self.arg.rows * self.arg.cols, ONE)


@node
class Unvec(Expr):
    """vec⁻¹(v): the m×n matrix whose vec is v."""

    arg: Expr
    dims: Shape

    def _shape(self):
        _need(
            self.arg.cols == ONE and same_dim(self.arg.rows, self.dims[0] * self.dims[1]),
            lambda: f"cannot reshape {show_shape(self.arg.shape)} to {show_shape(self.dims)}",
        )
        return self.dims


@node
class KronFactor(Expr):
    """The adjoint of A ↦ A ⊗ B (side 'left') or B ↦ A ⊗ B (side 'right') applied to C.

    For side 'left' with B p×q: entry (i, j) is Σₖₗ C[(i,k),(j,l)] B[k,l], so that
    tr(Cᵀ(dA ⊗ B)) = tr(KronFactor(C, B, 'left')ᵀ dA).
    """

    arg: Expr
    other: Expr
    side: str

    def _shape(self):
        c, o = self.arg.shape, self.other.shape
        r = sympy.simplify(c[0] / o[0])
        k = sympy.simplify(c[1] / o[1])
        return (r, k)


@node
class Broadcast(Expr):
    """A row vector, column vector or scalar repeated to fill the given shape."""

    arg: Expr
    dims: Shape

    def _shape(self):
        r, c = self.arg.shape
        _need(
            (r == ONE or same_dim(r, self.dims[0])) and (c == ONE or same_dim(c, self.dims[1])),
            lambda: f"cannot broadcast {show_shape(self.arg.shape)} to {show_shape(self.dims)}",
        )
        return self.dims


@node
class Commutation(Expr):
    """K, the mn×mn commutation matrix of an m×n matrix: K vec(A) = vec(Aᵀ)."""

    m: Dim
    n: Dim

    def _shape(self):
        return (self.m * self.n, self.m * self.n)


# ---- complex entries ------------------------------------------------------------------------


@node
class Conj(Expr):
    """Ā, the entrywise complex conjugate (the builder ``conj`` keeps it on symbols and dZ)."""

    arg: Expr

    def _shape(self):
        return self.arg.shape


@node
class Real(Expr):
    """real(A), the entrywise real part."""

    arg: Expr

    def _shape(self):
        return self.arg.shape


@node
class Imag(Expr):
    """imag(A), the entrywise imaginary part."""

    arg: Expr

    def _shape(self):
        return self.arg.shape
