"""The builders every stage makes nodes with.

The lower-case builders (``add``, ``mul``, ``transpose``, …) keep the tree in its structural
normal form — nested sums and products flattened, zeros and identity factors dropped, scalars
in front of products, numbers folded — and do nothing else: all other rewriting belongs to
``matcalc.simplify``.  ``rebuild`` and ``substitute`` remake a tree through them;
``kron``, ``vec`` and ``diag`` keep Kronecker forms short.
"""

from __future__ import annotations

from typing import Callable

import sympy

from ..errors import ShapeError, UnsupportedError
from ..language.dims import ONE, Dim, Shape, dim, is_scalar_shape, same_dim, show_shape
from ..language.exact import exact
from ..language.limits import exponent_problem, power_problem
from .nodes import Expr, Identity, Number, Ones, Symbol, Zero, _square, postorder
from .operations import (Add, Broadcast, Commutation, DiagMat, Hadamard, HadamardPow, Inverse, Kron, MatMul,
                         MatPow, Power, Scale, Trace, Transpose, TriangularPart, Vec, _same_shape)


# Shared leaves (nodes are immutable): the builders make these constantly.
_ONE_NODE = Number(ONE)
_ZERO_NODE = Number(sympy.Integer(0))
_MINUS_ONE_NODE = Number(sympy.Integer(-1))


def number(value) -> Number:
    return Number(sympy.nsimplify(value) if isinstance(value, float) else exact(value))


def is_number(e: Expr, value=None) -> bool:
    return isinstance(e, Number) and (value is None or e.value == value)


def is_zero(e: Expr) -> bool:
    return isinstance(e, Zero) or is_number(e, 0)


def zero(shape: Shape) -> Expr:
    return _ZERO_NODE if is_scalar_shape(shape) else Zero(shape)


def identity(n: Dim) -> Expr:
    return _ONE_NODE if n == ONE else Identity(n)


def ones(n: Dim) -> Expr:
    return _ONE_NODE if n == ONE else Ones(n)


def add(*terms: Expr) -> Expr:
    """Σ terms, flattened, zeros dropped."""
    flat: list[Expr] = []
    for t in terms:
        flat.extend(t.terms if isinstance(t, Add) else (t,))
    kept = [t for t in flat if not is_zero(t)]
    if not kept:
        return terms[0] if terms else _ZERO_NODE
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
    if isinstance(factor, Number) and isinstance(operand, Broadcast) and isinstance(operand.arg, Number):
        return Broadcast(Number(factor.value * operand.arg.value), operand.dims)  # c·(d broadcast) = cd broadcast
    return Scale(factor, operand)


def neg(e: Expr) -> Expr:
    return scale(_MINUS_ONE_NODE, e)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def split_scale(e: Expr) -> tuple[Expr, Expr]:
    """(factor, rest) with e = factor·rest; factor is Number(1) when e is not a Scale."""
    if isinstance(e, Scale):
        return e.factor, e.operand
    return _ONE_NODE, e


def matmul(*factors: Expr) -> Expr:
    """The matrix product, flattened, with identities dropped and scalars pulled in front."""
    coeff: Expr = _ONE_NODE
    flat: list[Expr] = []
    for f in factors:
        c, f = split_scale(f)
        coeff = scale(coeff, c) if not is_number(c, 1) else coeff
        if f.is_scalar and len(factors) > 1:  # a 1×1 factor is a coefficient: 𝟙n𝟙ᵀ = n𝟙𝟙ᵀ, A(s)B = sAB
            coeff = scale(coeff, f) if not is_number(f, 1) else coeff
            continue
        flat.extend(f.factors if isinstance(f, MatMul) else (f,))
    if not flat:
        return coeff
    shape_check = MatMul(tuple(flat)) if len(flat) >= 2 else None
    if any(is_zero(f) for f in flat):
        return zero(shape_check.shape if shape_check else flat[0].shape)
    kept = [f for f in flat if not isinstance(f, Identity) and not is_number(f, 1)]
    if not kept:
        core = flat[0] if len(flat) == 1 else identity(flat[0].rows)
    elif len(kept) == 1:
        core = kept[0]
    else:
        core = _scalar_prefix(kept) or (shape_check if len(kept) == len(flat) else MatMul(tuple(kept)))
    return scale(coeff, core)


def _scalar_prefix(factors: list) -> Expr | None:
    """A 1×1 leading part of a product is a scalar multiple, as the parser reads it:
    𝟙ᵀx·yᵀ𝟙 = (𝟙ᵀx)(yᵀ𝟙)."""
    if factors[0].rows == ONE:
        for i in range(1, len(factors) - 1):
            if factors[i].cols == ONE:
                return scale(MatMul(tuple(factors[: i + 1])), matmul(*factors[i + 1:]))
    return None


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
    coeff: Expr = _ONE_NODE
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
    if same_dim(e.rows, shape[0]) and same_dim(e.cols, shape[1]):
        return e
    if is_zero(e):
        return Zero(shape)
    return Broadcast(e, shape)


def trace(e: Expr) -> Expr:
    if isinstance(e, Zero):
        return _ZERO_NODE
    if isinstance(e, Identity):
        return Number(e.n)
    if isinstance(e, Scale):
        return scale(e.factor, trace(e.operand))
    return Trace(e)


def triangular(e: Expr, side: str) -> Expr:
    """tril(A) (side "lower") or triu(A) ("upper"), with scalars in front: tril(cA) = c tril(A);
    a scalar, a zero, an identity or a diagonal matrix is its own triangular part."""
    c, core = split_scale(e)
    if core.is_scalar or isinstance(core, (Zero, Identity, DiagMat)):
        return e
    return scale(c, TriangularPart(core, side))


def inner(a: Expr, b: Expr) -> Expr:
    """⟨A, B⟩ = tr(AᵀB), written aᵀb for vectors and ab for scalars."""
    if a.is_scalar:
        return mul(a, b)
    if a.cols == ONE:
        return matmul(transpose(a), b)
    return trace(matmul(transpose(a), b))


def power(base: Expr, exponent) -> Expr:
    exponent = exact(exponent)
    if exponent == 1:
        return base
    if exponent == 0:
        return _ONE_NODE
    problem = power_problem(base.value if isinstance(base, Number) else None, exponent)
    if problem:
        raise UnsupportedError(problem)
    if isinstance(base, Number) and not _irrational(base.value**exponent):
        return Number(base.value**exponent)
    if isinstance(base, Power):
        return power(base.base, base.exponent * exponent)
    return Power(base, exponent)


def _irrational(value: sympy.Expr) -> bool:
    """A number such as √2, which stays a power so that it prints as one."""
    return bool(value.is_number) and not value.is_Rational


def hadamard_pow(base: Expr, exponent) -> Expr:
    exponent = exact(exponent)
    if exponent == 1:
        return base
    problem = exponent_problem(exponent)
    if problem:
        raise UnsupportedError(problem)
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


def commutation(m: Dim, n: Dim) -> Expr:
    """K with K vec(A) = vec(Aᵀ) for an m×n matrix A; the identity when A is a vector."""
    return identity(m * n) if m == ONE or n == ONE else Commutation(m, n)


# ---- rebuilding ------------------------------------------------------------------------------

_BUILDERS: dict[type, Callable] = {
    Add: lambda e, a: add(*a[0]),
    MatMul: lambda e, a: matmul(*a[0]),
    Hadamard: lambda e, a: hadamard(*a[0]),
    Scale: lambda e, a: scale(*a),
    Transpose: lambda e, a: transpose(a[0]),
    Inverse: lambda e, a: inverse(a[0]),
    Trace: lambda e, a: trace(a[0]),
    MatPow: lambda e, a: matpow(*a),
    Power: lambda e, a: power(*a),
    HadamardPow: lambda e, a: hadamard_pow(*a),
    Broadcast: lambda e, a: broadcast(*a),
    TriangularPart: lambda e, a: triangular(*a),
}


def rebuild(e: Expr, simplify_child: Callable[[Expr], Expr]) -> Expr:
    """e with its children replaced, through the builders' structural normal form."""
    args = []
    changed = False
    for a in e.args():
        if isinstance(a, Expr):
            b = simplify_child(a)
        elif isinstance(a, tuple) and a and isinstance(a[0], Expr):
            b = tuple(simplify_child(x) for x in a)
        else:
            b = a
        changed = changed or b is not a
        args.append(b)
    builder = _BUILDERS.get(type(e))
    if builder is not None:
        return builder(e, args)
    return type(e)(*args) if changed else e


def substitute(e: Expr, old: Expr, new: Expr) -> Expr:
    """e with every occurrence of ``old`` replaced by ``new`` (of the same shape), rebuilt
    through the builders (bottom-up, without recursion)."""
    memo: dict[Expr, Expr] = {}
    for node in postorder(e):
        memo[node] = new if node == old else rebuild(node, memo.__getitem__)
    return memo[e]


# ---- builders that keep Kronecker forms short -----------------------------------------------


def kron(a: Expr, b: Expr) -> Expr:
    """A ⊗ B with scalars pulled out, a 1×1 factor a product, I ⊗ I = I and 𝟙 ⊗ 𝟙 = 𝟙."""
    (ca, a), (cb, b) = split_scale(a), split_scale(b)
    coeff = mul(ca, cb)
    if is_zero(a) or is_zero(b) or is_zero(coeff):
        return zero((a.rows * b.rows, a.cols * b.cols))
    if a.is_scalar:
        core = mul(a, b)
    elif b.is_scalar:
        core = mul(b, a)
    elif isinstance(a, Identity) and isinstance(b, Identity):
        core = Identity(a.n * b.n)
    elif isinstance(a, Ones) and isinstance(b, Ones):
        core = Ones(a.n * b.n)
    else:
        core = Kron(a, b)
    return scale(coeff, core)


def vec(a: Expr) -> Expr:
    """vec(A); a column is its own vec, vec(xᵀ) = x, vec(cA) = c vec(A)."""
    if a.cols == ONE:
        return a
    if isinstance(a, Transpose) and a.arg.cols == ONE:
        return a.arg
    if isinstance(a, Scale):
        return scale(a.factor, vec(a.operand))
    if isinstance(a, Broadcast) and a.arg.is_scalar:
        return broadcast(a.arg, (a.rows * a.cols, ONE))
    if isinstance(a, Zero):
        return Zero((a.rows * a.cols, ONE))
    return Vec(a)


def diag(v: Expr) -> Expr:
    """diag(v) of a vector; diag(c𝟙) = cI."""
    c, core = split_scale(v)
    if isinstance(core, Broadcast) and core.arg.is_scalar:
        return scale(mul(c, core.arg), identity(v.rows))
    if isinstance(core, Ones):
        return scale(c, identity(v.rows))
    return DiagMat(v)
