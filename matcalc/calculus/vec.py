"""Jacobians and Hessians in closed form: vec pushed through the linear expression dF.

dF is linear in dX (``differential``).  The Jacobian is the matrix J with
vec(dF) = J vec(dX) (vec stacks columns), found by one identity per linear node class
(``VEC_RULES``), applied once per subexpression from dX upwards:

    vec(A L B) = (Bᵀ ⊗ A) vec(L)            vec(Lᵀ) = K vec(L)
    vec(A ⊙ L) = diag(vec A) vec(L)         vec(L ⊘ B) = diag(vec B)⁻¹ vec(L)
    vec(tr L) = vec(I)ᵀ vec(L)              vec(sA) = vec(A) J_s   (s 1×1, linear in dX)
    vec(diag l) = diag(vec I)(𝟙 ⊗ I) l      vec(A ⊗ L), vec(L ⊗ B) by K (see ``_kron``)
    and the adjoint of ⊗, ⟨C, · ⊗ B⟩, linear in C and in B (see ``_kron_factor``)

K is the commutation matrix, K vec(A) = vec(Aᵀ).  The result is raw: ``matcalc.simplify``
brings it to its textbook form, and ``matcalc.results.jacobian`` assembles Jacobians and
Hessians from it.
"""

from __future__ import annotations

from typing import Callable

from .. import expr as t
from ..errors import UnsupportedError
from ..expr import diag, kron, vec
from .adjoint import dependence


# ---- vec pushed through a linear expression -------------------------------------------------

VecRule = Callable[[t.Expr, Callable[[t.Expr], t.Expr], Callable[[t.Expr], bool]], t.Expr]
VEC_RULES: dict[type, tuple[str, VecRule]] = {}


def vec_rule(cls: type, identity: str):
    def register(fn):
        VEC_RULES[cls] = (identity, fn)
        return fn

    return register


def vec_jacobian(df: t.Expr, wrt: t.Symbol, conjugate: bool = False) -> t.Expr:
    """J with vec(df) = J vec(dX), for df linear in dX (raw: not yet simplified); for a complex
    X, df = J vec(dX) + J̄ vec(dX̄) in the Wirtinger pair, and ``conjugate`` gives the part in dX̄."""
    target, depends = dependence(df, wrt, conjugate)
    n = wrt.rows * wrt.cols
    jac: dict[t.Expr, t.Expr] = {}
    for node in depends:  # postorder
        if not depends[node]:
            continue
        if node == target:
            jac[node] = t.identity(n)
            continue
        entry = VEC_RULES.get(type(node))
        if entry is None:
            raise UnsupportedError(f"no Jacobian rule for {type(node).__name__} (it is not linear in d{wrt.name})")
        jac[node] = entry[1](node, jac.__getitem__, depends.__getitem__)
    if not depends[df]:
        return t.zero((df.rows * df.cols, n))
    return jac[df]


def _only(e: t.Expr, operands, depends) -> int:
    found = [i for i, x in enumerate(operands) if depends(x)]
    if len(found) != 1:
        raise UnsupportedError(f"{type(e).__name__} with the differential in {len(found)} operands is not linear")
    return found[0]


@vec_rule(t.Add, "vec(A + B) = vec(A) + vec(B)")
def _add(e, jac, depends):
    return t.add(*(jac(x) for x in e.terms if depends(x)))


@vec_rule(t.Scale, "vec(αL) = α vec(L);  vec(sA) = vec(A) J_s for a scalar s linear in dX")
def _scale(e, jac, depends):
    i = _only(e, (e.factor, e.operand), depends)
    if i == 1:
        return t.scale(e.factor, jac(e.operand))
    return t.mul(vec(e.operand), jac(e.factor))


@vec_rule(t.MatMul, "vec(A L B) = (Bᵀ ⊗ A) vec(L)")
def _matmul(e, jac, depends):
    fs = e.factors
    i = _only(e, fs, depends)
    low = fs[i]
    a = t.matmul(*fs[:i]) if i > 0 else t.identity(low.rows)
    b = t.matmul(*fs[i + 1 :]) if i + 1 < len(fs) else t.identity(low.cols)
    return t.mul(kron(t.transpose(b), a), jac(low))


@vec_rule(t.Transpose, "vec(Lᵀ) = K vec(L)")
def _transpose(e, jac, depends):
    return t.mul(t.commutation(e.arg.rows, e.arg.cols), jac(e.arg))


@vec_rule(t.Trace, "tr(L) = vec(I)ᵀ vec(L)")
def _trace(e, jac, depends):
    return t.mul(t.transpose(vec(t.identity(e.arg.rows))), jac(e.arg))


@vec_rule(t.Hadamard, "vec(A ⊙ L) = diag(vec A) vec(L)")
def _hadamard(e, jac, depends):
    fs = e.factors
    i = _only(e, fs, depends)
    rest = fs[:i] + fs[i + 1 :]
    other = t.hadamard(*rest) if len(rest) > 1 else rest[0]
    return t.mul(diag(vec(other)), jac(fs[i]))


@vec_rule(t.HadamardDiv, "vec(L ⊘ B) = diag(vec B)⁻¹ vec(L)")
def _hdiv(e, jac, depends):
    if depends(e.den):
        raise UnsupportedError("a differential in a denominator is not linear")
    return t.mul(t.inverse(diag(vec(e.den))), jac(e.num))


def _shuffle(a_shape: t.Shape, b_shape: t.Shape) -> t.Expr:
    """S = Iₙ ⊗ K ⊗ Iₚ with vec(A ⊗ B) = S(vec A ⊗ vec B) for A m×n, B p×q."""
    (m, n), (p, q) = a_shape, b_shape
    return kron(kron(t.identity(n), t.commutation(q, m)), t.identity(p))


@vec_rule(t.Kron, "vec(A ⊗ B) = (Iₙ ⊗ K ⊗ Iₚ)(vec A ⊗ vec B)")
def _kron(e, jac, depends):
    a, b = e.left, e.right
    (m, n), (p, q) = a.shape, b.shape
    shuffle = _shuffle(a.shape, b.shape)
    if _only(e, (a, b), depends) == 0:  # vec A ⊗ vec B = (I ⊗ vec B) vec A
        spread = kron(t.identity(m * n), vec(b))
        return t.matmul(shuffle, spread, jac(a))
    spread = kron(vec(a), t.identity(p * q))  # = (vec A ⊗ I) vec B
    return t.matmul(shuffle, spread, jac(b))


@vec_rule(t.Broadcast, "vec(𝟙 l I) = (I ⊗ 𝟙) vec(l), vec(l 𝟙ᵀ) = (𝟙 ⊗ I) vec(l)")
def _broadcast(e, jac, depends):
    arg = e.arg
    left = t.ones(e.rows) if arg.rows != e.rows else t.identity(arg.rows)
    right = t.ones(e.cols) if arg.cols != e.cols else t.identity(arg.cols)
    return t.mul(kron(right, left), jac(arg))


@vec_rule(t.DiagMat, "vec(diag l) = diag(vec I)(𝟙 ⊗ I) l")
def _diagmat(e, jac, depends):
    n = e.rows
    return t.matmul(diag(vec(t.Identity(n))), kron(t.Ones(n), t.Identity(n)), jac(e.arg))


@vec_rule(t.DiagVec, "diag(L) = (𝟙ᵀ ⊗ I) diag(vec I) vec(L)")
def _diagvec(e, jac, depends):
    n = e.rows
    return t.matmul(kron(t.transpose(t.Ones(n)), t.Identity(n)), diag(vec(t.Identity(n))), jac(e.arg))


@vec_rule(t.TriangularPart, "vec(tril L) = diag(vec tril(𝟙𝟙ᵀ)) vec(L), and so for triu")
def _triangular(e, jac, depends):
    mask = t.triangular(t.broadcast(t.Number(t.ONE), e.shape), e.side)
    return t.matmul(diag(vec(mask)), jac(e.arg))


@vec_rule(t.Vec, "vec(vec L) = vec(L)")
def _vec(e, jac, depends):
    return jac(e.arg)


@vec_rule(t.Unvec, "vec(vec⁻¹ l) = l")
def _unvec(e, jac, depends):
    return jac(e.arg)


@vec_rule(t.KronFactor, "vec⟨C, · ⊗ B⟩ = (I ⊗ vec(B)ᵀ)Sᵀvec(C) = Yᵀvec(B), vec⟨C, A ⊗ ·⟩ = (vec(A)ᵀ ⊗ I)Sᵀvec(C) = Y vec(A)")
def _kron_factor(e, jac, depends):
    """With ⟨C, A ⊗ B⟩ = vec(C)ᵀS(vec A ⊗ vec B) (S of ``_shuffle``) and Y = vec⁻¹(Sᵀvec C)
    (pq×mn): the adjoint is linear in C, and in the other factor through Y."""
    c, other = e.arg, e.other
    left = e.side == "left"
    a_shape, b_shape = (e.shape, other.shape) if left else (other.shape, e.shape)
    size_a, size_b = a_shape[0] * a_shape[1], b_shape[0] * b_shape[1]
    pulled = t.transpose(_shuffle(a_shape, b_shape))
    if _only(e, (c, other), depends) == 0:
        spread = kron(t.identity(size_a), t.transpose(vec(other))) if left else kron(t.transpose(vec(other)), t.identity(size_b))
        return t.matmul(spread, pulled, jac(c))
    y = t.Unvec(t.matmul(pulled, vec(c)), (size_b, size_a))
    return t.mul(t.transpose(y) if left else y, jac(other))
