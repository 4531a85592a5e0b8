"""The node classes of the expression tree: immutable, with shapes checked at construction.

Every node is a frozen, slotted dataclass with structural equality and a cached hash.  Every
value is a matrix: a scalar is 1×1, a vector n×1, a row vector 1×n.  Dimensions are SymPy
expressions (positive integer symbols such as ``m``, integers, or products for ``⊗`` and vec).
Stages make nodes through the builders of ``matcalc.tree``, which re-exports everything here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import sympy

from .errors import ShapeError

Dim = sympy.Expr
Shape = tuple  # (rows: Dim, cols: Dim)

ONE = sympy.Integer(1)
SCALAR: Shape = (ONE, ONE)


def dim(value) -> Dim:
    """A dimension from an int, a name or a SymPy expression."""
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, int):
        if value < 1:
            raise ShapeError(f"a dimension must be a positive integer, not {value}")
        return sympy.Integer(value)
    if isinstance(value, str) and value.isdigit():
        return dim(int(value))
    if isinstance(value, str) and value:
        return sympy.Symbol(value, integer=True, positive=True)
    raise ShapeError(f"{value!r} is not a dimension")


SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def show_dim(d: Dim) -> str:
    """A dimension as a textbook writes it: mn, n², 2n, m + n, n − 1, m(n + 1); factors named
    by more than one letter are set apart by · (n_1·n_2)."""
    d = sympy.sympify(d)
    if d.is_Add:
        return " + ".join(show_dim(a) for a in d.as_ordered_terms()).replace("+ −", "− ")
    if d.is_Pow and d.exp.is_Integer and d.exp > 1:
        base = show_dim(d.base)
        return (base if d.base.is_Atom else f"({base})") + str(d.exp).translate(SUPERSCRIPTS)
    c, rest = d.as_coeff_Mul()
    factors = rest.as_ordered_factors()
    if d.is_Mul and c.is_Integer and not any(f.is_Pow and f.exp.is_negative for f in factors):
        sep = "" if all(len(s.name) == 1 for s in d.free_symbols) else "·"
        text = sep.join(f"({show_dim(f)})" if f.is_Add else show_dim(f) for f in factors)
        return {1: "", -1: "−"}.get(int(c), str(c).replace("-", "−")) + text
    return str(d).replace("**", "^").replace("*", "·").replace("-", "−")


def show_shape(shape: Shape) -> str:
    return f"{show_dim(shape[0])}×{show_dim(shape[1])}"


def is_scalar_shape(shape: Shape) -> bool:
    return shape[0] == ONE and shape[1] == ONE


# --------------------------------------------------------------------------------------------
# Nodes


def node(cls):
    """Make ``cls`` a frozen slotted dataclass that shares Expr's equality and cached hash."""
    return dataclass(frozen=True, slots=True, eq=False, repr=True)(cls)


@node
class Expr:
    """Base of all nodes.  Subclasses define ``_shape`` (which checks its operands)."""

    shape: Shape = field(init=False, repr=False)
    _hash: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", self._shape())
        object.__setattr__(self, "_hash", hash((type(self).__name__,) + self.args()))

    def _shape(self) -> Shape:  # pragma: no cover - every node overrides it
        raise NotImplementedError

    def args(self) -> tuple:
        """The node's fields, in declaration order (children and parameters)."""
        return tuple(getattr(self, name) for name in self.__match_args__)

    def children(self) -> tuple["Expr", ...]:
        out = []
        for value in self.args():
            if isinstance(value, Expr):
                out.append(value)
            elif isinstance(value, tuple):
                out.extend(v for v in value if isinstance(v, Expr))
        return tuple(out)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if type(self) is not type(other) or self._hash != other._hash:
            return False
        return self.args() == other.args()

    def __ne__(self, other) -> bool:
        return not self == other

    @property
    def is_scalar(self) -> bool:
        return is_scalar_shape(self.shape)

    @property
    def rows(self) -> Dim:
        return self.shape[0]

    @property
    def cols(self) -> Dim:
        return self.shape[1]

    @property
    def free_symbols(self) -> frozenset:
        return frozenset(n for n in walk(self) if isinstance(n, Symbol))


def walk(root: Expr) -> Iterator[Expr]:
    """Every distinct node below ``root`` (shared subtrees once), parents before children."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(reversed(e.children()))


def postorder(root: Expr, skip=frozenset(), children=None) -> Iterator[Expr]:
    """Distinct nodes below ``root`` that are not in ``skip``, each after all of its children
    (iterative, so deep trees are fine); ``children(node)`` may narrow what is descended into."""
    children = children or Expr.children
    seen: set = set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        if node in skip or node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(children(node)))


def same_dim(a: Dim, b: Dim) -> bool:
    """Whether two dimensions are equal (products such as m·n compare by value)."""
    if a == b:
        return True
    if a.is_Atom and b.is_Atom:
        return False
    return sympy.expand(a - b) == 0


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise ShapeError(message)


def _square(op: str, e: Expr) -> Dim:
    _need(same_dim(e.rows, e.cols), f"{op} needs a square matrix, got {show_shape(e.shape)}")
    return e.rows


# ---- leaves ---------------------------------------------------------------------------------


@node
class Symbol(Expr):
    """A named variable; ``assumptions`` ⊆ {symmetric, spd, invertible, positive}."""

    name: str
    dims: Shape
    assumptions: frozenset = frozenset()

    def _shape(self):
        if self.assumptions & {"symmetric", "spd", "invertible"}:
            _need(
                same_dim(self.dims[0], self.dims[1]),
                f"{self.name} is declared {'/'.join(sorted(self.assumptions))} "
                f"but is {show_shape(self.dims)}, not square",
            )
        return self.dims

    @property
    def rows(self):
        return self.dims[0]

    @property
    def cols(self):
        return self.dims[1]


@node
class Differential(Expr):
    """dX: the differential of the variable X."""

    var: Symbol

    def _shape(self):
        return self.var.shape


@node
class Number(Expr):
    """A scalar constant: an exact SymPy number (possibly involving dimensions, as n or 1/n)."""

    value: sympy.Expr

    def _shape(self):
        return SCALAR


@node
class Identity(Expr):
    """I, the n×n identity."""

    n: Dim

    def _shape(self):
        return (self.n, self.n)


@node
class Ones(Expr):
    """𝟙, the n×1 vector of ones."""

    n: Dim

    def _shape(self):
        return (self.n, ONE)


@node
class Zero(Expr):
    """The zero matrix of the given shape."""

    dims: Shape

    def _shape(self):
        return self.dims


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
                f"cannot add {show_shape(first)} and {show_shape(t.shape)}",
            )
        return first


@node
class Scale(Expr):
    """factor · operand, where factor is a scalar (1×1) expression."""

    factor: Expr
    operand: Expr

    def _shape(self):
        _need(self.factor.is_scalar, f"a scale factor must be 1×1, got {show_shape(self.factor.shape)}")
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
                f"cannot multiply {show_shape((rows, cols))} by {show_shape(f.shape)}: "
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
        _need(self.base.is_scalar, f"a scalar power needs a 1×1 base, got {show_shape(self.base.shape)}")
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
            f"{op} needs operands of one shape, got {show_shape(first)} and {show_shape(t.shape)}",
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

    ``formula`` is a SymPy formula in x for a function given by formula, else None.
    """

    name: str
    arg: Expr
    order: int = 0
    formula: str | None = None

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
    p = 1 is the 1-norm of a vector."""

    arg: Expr
    p: int = 2

    def _shape(self):
        _need(self.p in (1, 2), "only the 1-norm and the 2-norm are supported")
        if self.p == 1:
            _need(self.arg.cols == ONE, f"the 1-norm needs a vector, got {show_shape(self.arg.shape)}")
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


# ---- reshaping ------------------------------------------------------------------------------


@node
class DiagMat(Expr):
    """diag(x): the diagonal matrix with the vector x on its diagonal."""

    arg: Expr

    def _shape(self):
        _need(self.arg.cols == ONE, f"diag of a vector needs n×1, got {show_shape(self.arg.shape)}")
        return (self.arg.rows, self.arg.rows)


@node
class DiagVec(Expr):
    """diag(A): the vector of the diagonal of a square matrix."""

    arg: Expr

    def _shape(self):
        n = _square("diag of a matrix", self.arg)
        return (n, ONE)


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
            f"cannot reshape {show_shape(self.arg.shape)} to {show_shape(self.dims)}",
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
            f"cannot broadcast {show_shape(self.arg.shape)} to {show_shape(self.dims)}",
        )
        return self.dims


@node
class Commutation(Expr):
    """K, the mn×mn commutation matrix of an m×n matrix: K vec(A) = vec(Aᵀ)."""

    m: Dim
    n: Dim

    def _shape(self):
        return (self.m * self.n, self.m * self.n)


# ---- derivations (matcalc.derive): never differentiated, for display and numeric checks -------


@node
class DifferentialOf(Expr):
    """d(E): the differential of E along ``direction`` (dX), not yet worked out."""

    arg: Expr
    direction: Differential

    def _shape(self):
        return self.arg.shape


@node
class Partial(Expr):
    """∂f/∂V: the gradient of the function being derived with respect to V, as a name."""

    var: Symbol

    def _shape(self):
        return self.var.shape
