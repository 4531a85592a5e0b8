"""The expression tree: immutable nodes with shapes checked at construction.

Every node is a frozen, slotted dataclass with structural equality and a cached hash.  Every
value is a matrix: a scalar is 1×1, a vector n×1, a row vector 1×n.  Dimensions are SymPy
expressions (positive integer symbols such as ``m``, integers, or products for ``⊗`` and vec).

The lower-case builders at the end (``add``, ``mul``, ``transpose``, …) are how every stage
makes nodes.  They keep the tree in its structural normal form — nested sums and products
flattened, zeros and identity factors dropped, scalars in front of products, numbers folded —
and do nothing else: all other rewriting belongs to ``matcalc.simplify``.
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


def show_dim(d: Dim) -> str:
    return str(d).replace("*", "·")


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


def _same(a: Dim, b: Dim) -> bool:
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
    _need(_same(e.rows, e.cols), f"{op} needs a square matrix, got {show_shape(e.shape)}")
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
                _same(self.dims[0], self.dims[1]),
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
                _same(t.rows, first[0]) and _same(t.cols, first[1]),
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
                _same(cols, f.rows),
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
            _same(t.rows, first[0]) and _same(t.cols, first[1]),
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
            self.arg.cols == ONE and _same(self.arg.rows, self.dims[0] * self.dims[1]),
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
            (r == ONE or _same(r, self.dims[0])) and (c == ONE or _same(c, self.dims[1])),
            f"cannot broadcast {show_shape(self.arg.shape)} to {show_shape(self.dims)}",
        )
        return self.dims


# --------------------------------------------------------------------------------------------
# Builders: the structural normal form, and nothing more.


def number(value) -> Number:
    return Number(sympy.nsimplify(value) if isinstance(value, float) else sympy.sympify(value))


def is_number(e: Expr, value=None) -> bool:
    return isinstance(e, Number) and (value is None or e.value == value)


def is_zero(e: Expr) -> bool:
    return isinstance(e, Zero) or is_number(e, 0)


def zero(shape: Shape) -> Expr:
    return Number(sympy.Integer(0)) if is_scalar_shape(shape) else Zero(shape)


def identity(n: Dim) -> Expr:
    return Number(ONE) if n == ONE else Identity(n)


def ones(n: Dim) -> Expr:
    return Number(ONE) if n == ONE else Ones(n)


def add(*terms: Expr) -> Expr:
    """Σ terms, flattened, zeros dropped."""
    flat: list[Expr] = []
    for t in terms:
        flat.extend(t.terms if isinstance(t, Add) else (t,))
    kept = [t for t in flat if not is_zero(t)]
    if not kept:
        return terms[0] if terms else Number(sympy.Integer(0))
    if all(isinstance(t, Number) for t in kept):
        return Number(sum((t.value for t in kept), sympy.Integer(0)))
    return kept[0] if len(kept) == 1 else Add(tuple(kept))


def scale(factor: Expr, operand: Expr) -> Expr:
    """factor · operand with numbers folded, units dropped and nested scales merged."""
    if not factor.is_scalar:
        raise ShapeError(f"a scale factor must be 1×1, got {show_shape(factor.shape)}")
    if is_zero(factor) or is_zero(operand):
        return zero(operand.shape)
    if is_number(factor, 1):
        return operand
    if operand.is_scalar and isinstance(operand, Number):
        factor, operand = operand, factor
        if is_number(factor, 1):
            return operand
    if isinstance(operand, Scale):
        return scale(scale(factor, operand.factor), operand.operand)
    if isinstance(factor, Scale) and isinstance(factor.operand, Number):
        factor = Scale(factor.operand, factor.factor)
    if isinstance(factor, Number) and isinstance(operand, Number):
        return Number(factor.value * operand.value)
    if isinstance(factor, Number) and isinstance(operand, Zero):
        return operand
    return Scale(factor, operand)


def neg(e: Expr) -> Expr:
    return scale(Number(sympy.Integer(-1)), e)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def split_scale(e: Expr) -> tuple[Expr, Expr]:
    """(factor, rest) with e = factor·rest; factor is Number(1) when e is not a Scale."""
    if isinstance(e, Scale):
        return e.factor, e.operand
    return Number(ONE), e


def matmul(*factors: Expr) -> Expr:
    """The matrix product, flattened, with identities dropped and scalars pulled in front."""
    coeff: Expr = Number(ONE)
    flat: list[Expr] = []
    for f in factors:
        c, f = split_scale(f)
        coeff = scale(coeff, c) if not is_number(c, 1) else coeff
        flat.extend(f.factors if isinstance(f, MatMul) else (f,))
    shape_check = MatMul(tuple(flat)) if len(flat) >= 2 else None
    if any(is_zero(f) for f in flat):
        return zero(shape_check.shape if shape_check else flat[0].shape)
    kept = [f for f in flat if not isinstance(f, Identity) and not is_number(f, 1)]
    if not kept:
        core = flat[0] if len(flat) == 1 else identity(flat[0].rows)
    elif len(kept) == 1:
        core = kept[0]
    else:
        core = MatMul(tuple(kept))
    return scale(coeff, core)


def mul(a: Expr, b: Expr) -> Expr:
    """a·b: a scalar times anything is a scale, otherwise a matrix product."""
    if a.is_scalar:
        return scale(a, b)
    if b.is_scalar:
        return scale(b, a)
    return matmul(a, b)


def transpose(e: Expr) -> Expr:
    """Aᵀ, with (Aᵀ)ᵀ = A and the transpose of a scalar, identity or zero dropped."""
    if isinstance(e, Transpose):
        return e.arg
    if isinstance(e, (Number, Identity)):
        return e
    if isinstance(e, Zero):
        return Zero((e.cols, e.rows))
    if isinstance(e, Scale):
        return scale(e.factor, transpose(e.operand))
    return Transpose(e)


def hadamard(*factors: Expr) -> Expr:
    """A ⊙ B ⊙ …, flattened, with scalars pulled in front and zeros absorbing."""
    coeff: Expr = Number(ONE)
    flat: list[Expr] = []
    for f in factors:
        c, f = split_scale(f)
        coeff = scale(coeff, c) if not is_number(c, 1) else coeff
        flat.extend(f.factors if isinstance(f, Hadamard) else (f,))
    if len(flat) >= 2:
        _same_shape("⊙", flat)
    if any(is_zero(f) for f in flat):
        return zero(flat[0].shape)
    core = flat[0] if len(flat) == 1 else Hadamard(tuple(flat))
    return scale(coeff, core)


def broadcast(e: Expr, shape: Shape) -> Expr:
    """e repeated to fill ``shape`` (nothing when it already has that shape)."""
    if _same(e.rows, shape[0]) and _same(e.cols, shape[1]):
        return e
    if is_zero(e):
        return Zero(shape)
    return Broadcast(e, shape)


def trace(e: Expr) -> Expr:
    if isinstance(e, Zero):
        return Number(sympy.Integer(0))
    if isinstance(e, Identity):
        return Number(e.n)
    if isinstance(e, Scale):
        return scale(e.factor, trace(e.operand))
    return Trace(e)


def inner(a: Expr, b: Expr) -> Expr:
    """⟨A, B⟩ = tr(AᵀB), written aᵀb for vectors and ab for scalars."""
    if a.is_scalar:
        return mul(a, b)
    if a.cols == ONE:
        return matmul(transpose(a), b)
    return trace(matmul(transpose(a), b))


def power(base: Expr, exponent) -> Expr:
    exponent = sympy.sympify(exponent)
    if exponent == 1:
        return base
    if exponent == 0:
        return Number(ONE)
    if isinstance(base, Number) and not _irrational(base.value**exponent):
        return Number(base.value**exponent)
    if isinstance(base, Power):
        return power(base.base, base.exponent * exponent)
    return Power(base, exponent)


def _irrational(value: sympy.Expr) -> bool:
    """A number such as √2, which stays a power so that it prints as one."""
    return bool(value.is_number) and not value.is_Rational


def hadamard_pow(base: Expr, exponent) -> Expr:
    exponent = sympy.sympify(exponent)
    if exponent == 1:
        return base
    if base.is_scalar:
        return power(base, exponent)
    return HadamardPow(base, exponent)


def inverse(e: Expr) -> Expr:
    if isinstance(e, Inverse):
        return e.arg
    if isinstance(e, (Number, Identity)):
        return power(e, -1) if isinstance(e, Number) else e
    if e.is_scalar:
        return power(e, -1)
    return Inverse(e)


def matpow(e: Expr, k: int) -> Expr:
    if k == 0:
        _square("a matrix power", e)
        return identity(e.rows)
    if k < 0:
        return matpow(inverse(e), -k)
    if k == 1:
        return e
    if e.is_scalar:
        return power(e, k)
    return MatPow(e, k)


def symbol(name: str, rows=1, cols=1, assumptions=()) -> Symbol:
    """A symbol from plain values: ``symbol("X", "m", "n")``, ``symbol("x", "n")``."""
    return Symbol(name, (dim(rows), dim(cols)), frozenset(assumptions))
