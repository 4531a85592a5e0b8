"""From df to G with df = tr(Gᵀ dX): the transpose of the linear map dX ↦ df.

df is linear in dX.  Reading it as ⟨1, df⟩ and pushing the cotangent (the "1") down through
each linear operation to dX is exactly the trace tricks of the differential method:

    ⟨C, A·M·B⟩ = ⟨AᵀCBᵀ, M⟩          cyclic property tr(AB) = tr(BA)
    ⟨C, Mᵀ⟩ = ⟨Cᵀ, M⟩                 transpose invariance tr(Aᵀ) = tr(A)
    ⟨C, A ⊙ M⟩ = ⟨C ⊙ A, M⟩           tr(Aᵀ(B ⊙ C)) = tr((A ⊙ B)ᵀC)
    ⟨c, tr M⟩ = ⟨cI, M⟩               a scalar is its own trace

One rule per linear node class, in ``TRANSPOSE_RULES``.  Cotangents of shared subexpressions
are accumulated (reverse mode), so the work is linear in the size of df and ends by structure.
"""

from __future__ import annotations

from typing import Callable, Iterator

from .. import expr as t
from ..errors import UnsupportedError

Pullback = Callable[[t.Expr, t.Expr, Callable[[t.Expr], bool]], Iterator[tuple[t.Expr, t.Expr]]]
TRANSPOSE_RULES: dict[type, tuple[str, Pullback]] = {}


def transpose_rule(cls: type, identity: str):
    def register(fn):
        TRANSPOSE_RULES[cls] = (identity, fn)
        return fn

    return register


def textbook_name(identity: str) -> str:
    """A rule's name as a textbook says it: its text before the pairing form ": ⟨C, …⟩"."""
    return identity.split(": ⟨")[0]


def dependence(df: t.Expr, wrt: t.Symbol, conjugate: bool = False) -> tuple[t.Expr, dict]:
    """(dX, or dX̄ with ``conjugate``; {node of df in postorder: whether it depends on that}).
    dX̄ is a leaf of its own, apart from dX: a conjugate never depends on dX."""
    target = t.Conj(t.Differential(wrt)) if conjugate else t.Differential(wrt)
    depends: dict[t.Expr, bool] = {}
    for node in t.postorder(df):
        depends[node] = node == target or (not isinstance(node, t.Conj) and any(depends[c] for c in node.children()))
    return target, depends


def gradient(df: t.Expr, wrt: t.Symbol, observe: Callable | None = None, conjugate: bool = False) -> t.Expr:
    """The G of wrt's shape with df = tr(Gᵀ dX) (for vectors, df = gᵀdx); with ``conjugate``,
    the G with the part of df in dX̄ equal to tr(Gᵀ dX̄) (dX and dX̄ independent, a complex X).

    ``observe(name, node, pending)``, if given, is called after each rule applied: then
    df = Σ ⟨C, n⟩ over the cotangents C pending at each node n (``matcalc.results.derivation`` shows it)."""
    target, memo = dependence(df, wrt, conjugate)
    order = list(memo)
    depends = memo.__getitem__
    pending: dict[t.Expr, list[t.Expr]] = {df: [t.Number(t.ONE)]}
    found: list[t.Expr] = []
    for node in reversed(order):  # every node after all of its parents
        if not depends(node):
            continue
        cotangent = t.add(*pending.pop(node))
        if node == target:
            found.append(cotangent)
            continue
        entry = TRANSPOSE_RULES.get(type(node))
        if entry is None:
            raise UnsupportedError(f"{type(node).__name__} is not linear in d{wrt.name}")
        for child, piece in entry[1](node, cotangent, depends):
            pending.setdefault(child, []).append(piece)
        if observe is not None:
            observe(textbook_name(entry[0]), node, pending)
    return t.add(*found) if found else t.zero(wrt.shape)


# ---- rules ----------------------------------------------------------------------------------


@transpose_rule(t.Add, "linearity tr(A + B) = tr(A) + tr(B): ⟨C, A + B⟩ = ⟨C, A⟩ + ⟨C, B⟩")
def _add(e, c, depends):
    for term in e.terms:
        if depends(term):
            yield term, c


@transpose_rule(t.Scale, "a scalar factor commutes: ⟨C, αA⟩ = ⟨αC, A⟩")
def _scale(e, c, depends):
    if depends(e.operand):
        yield e.operand, t.scale(e.factor, c)
    if depends(e.factor):
        yield e.factor, t.inner(e.operand, c)


@transpose_rule(t.MatMul, "cyclic property tr(AB) = tr(BA): ⟨C, AMB⟩ = ⟨AᵀCBᵀ, M⟩")
def _matmul(e, c, depends):
    fs = e.factors
    for i, f in enumerate(fs):
        if not depends(f):
            continue
        left = [t.transpose(g) for g in reversed(fs[:i])]
        right = [t.transpose(g) for g in reversed(fs[i + 1 :])]
        if c.is_scalar:
            yield f, t.scale(c, t.matmul(*left, *right))
        else:
            yield f, t.matmul(*left, c, *right)


@transpose_rule(t.Transpose, "transpose invariance tr(Aᵀ) = tr(A): ⟨C, Mᵀ⟩ = ⟨Cᵀ, M⟩")
def _transpose(e, c, depends):
    yield e.arg, t.transpose(c)


@transpose_rule(t.Trace, "a scalar is its own trace: ⟨c, tr M⟩ = ⟨cI, M⟩")
def _trace(e, c, depends):
    yield e.arg, t.scale(c, t.identity(e.arg.rows))


@transpose_rule(t.Hadamard, "tr(Aᵀ(B ⊙ C)) = tr((A ⊙ B)ᵀC)")
def _hadamard(e, c, depends):
    fs = e.factors
    for i, f in enumerate(fs):
        if depends(f):
            yield f, t.hadamard(c, *fs[:i], *fs[i + 1 :])


@transpose_rule(t.HadamardDiv, "⟨C, M ⊘ B⟩ = ⟨C ⊘ B, M⟩")
def _hdiv(e, c, depends):
    if depends(e.den):
        raise UnsupportedError("a differential in a denominator is not linear")
    yield e.num, t.HadamardDiv(c, e.den)


@transpose_rule(t.Kron, "⟨C, M ⊗ B⟩ = ⟨Σₖₗ C₍ᵢₖ₎₍ⱼₗ₎Bₖₗ, M⟩")
def _kron(e, c, depends):
    if depends(e.left):
        yield e.left, t.KronFactor(c, e.right, "left")
    if depends(e.right):
        yield e.right, t.KronFactor(c, e.left, "right")


@transpose_rule(t.KronFactor, "⟨C, K(M, B)⟩ = ⟨C ⊗ B, M⟩")
def _kronfactor(e, c, depends):
    if depends(e.other):
        raise UnsupportedError("a differential inside both factors of a Kronecker adjoint")
    yield e.arg, (t.Kron(c, e.other) if e.side == "left" else t.Kron(e.other, c))


@transpose_rule(t.Broadcast, "a broadcast sums back: ⟨C, 𝟙bᵀ⟩ = ⟨Cᵀ𝟙, b⟩")
def _broadcast(e, c, depends):
    arg = e.arg
    if arg.rows != e.rows:
        c = t.matmul(t.transpose(t.ones(e.rows)), c)
    if arg.cols != e.cols:
        c = t.matmul(c, t.ones(e.cols))
    yield arg, c


@transpose_rule(t.DiagMat, "⟨C, diag(m)⟩ = ⟨diag(C), m⟩")
def _diagmat(e, c, depends):
    yield e.arg, t.DiagVec(c)


@transpose_rule(t.DiagVec, "⟨c, diag(M)⟩ = ⟨diag(c), M⟩")
def _diagvec(e, c, depends):
    yield e.arg, t.DiagMat(c)


@transpose_rule(t.TriangularPart, "⟨C, tril(M)⟩ = ⟨tril(C), M⟩, ⟨C, triu(M)⟩ = ⟨triu(C), M⟩")
def _triangular(e, c, depends):
    yield e.arg, t.triangular(c, e.side)


@transpose_rule(t.Vec, "⟨c, vec(M)⟩ = ⟨vec⁻¹(c), M⟩")
def _vec(e, c, depends):
    yield e.arg, t.Unvec(c, e.arg.shape)


@transpose_rule(t.Unvec, "⟨C, vec⁻¹(m)⟩ = ⟨vec(C), m⟩")
def _unvec(e, c, depends):
    yield e.arg, t.Vec(c)
