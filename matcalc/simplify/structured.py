"""The simplifier's rules for variables inside a structure, one named identity each.

They apply to a symbol that carries the structure's assumption, as a gradient taken inside a
structure gives it (``matcalc.results.structure``): "skew" (Sᵀ = −S), "diagonal", "lower" and
"upper" (triangular), "orthonormal columns" (QᵀQ = I, the Stiefel manifold), "orthogonal"
(also QQᵀ = I and Q⁻¹ = Qᵀ), "unit norm" (‖X‖ = 1, the sphere).  ``expand`` writes a product of
sums as a sum of products, so that such identities can cancel terms (the distributive law,
which the other rule sets use only where it shortens).
"""

from __future__ import annotations

from .. import expr as t
from ..language.limits import spend
from .rewriting import rewrite

ORTHONORMAL = frozenset({"orthonormal columns", "orthogonal"})
MAX_TERMS = 256  # a product of sums expanded past this many terms is left as it is


def _has(e: t.Expr, assumption: str) -> bool:
    return isinstance(e, t.Symbol) and assumption in e.assumptions


def _transposed_symbol(e: t.Expr, assumptions) -> bool:
    return isinstance(e, t.Transpose) and isinstance(e.arg, t.Symbol) and bool(e.arg.assumptions & assumptions)


# ---- orthonormal columns and the orthogonal group ----------------------------------------------


@rewrite(t.MatMul, "orthonormal columns: QᵀQ = I; for an orthogonal Q also QQᵀ = I")
def _orthonormal(e):
    fs = e.factors
    for i in range(len(fs) - 1):
        a, b = fs[i], fs[i + 1]
        if _transposed_symbol(a, ORTHONORMAL) and a.arg == b or (
                _has(a, "orthogonal") and _transposed_symbol(b, {"orthogonal"}) and b.arg == a):
            return t.matmul(*fs[:i], t.identity(b.cols), *fs[i + 2:])
    return None


@rewrite(t.Inverse, "the inverse of an orthogonal matrix is its transpose: Q⁻¹ = Qᵀ")
def _orthogonal_inverse(e):
    return t.transpose(e.arg) if _has(e.arg, "orthogonal") else None


# ---- the unit sphere ----------------------------------------------------------------------------


@rewrite(t.MatMul, "on the unit sphere xᵀx = ‖x‖² = 1")
def _unit_vector(e):
    fs = e.factors
    for i in range(len(fs) - 1):
        if _transposed_symbol(fs[i], {"unit norm"}) and fs[i].arg == fs[i + 1] and fs[i + 1].cols == t.ONE:
            return t.matmul(*fs[:i], *fs[i + 2:]) if len(fs) > 2 else t.Number(t.ONE)
    return None


@rewrite(t.Trace, "on the unit sphere tr(XᵀX) = ‖X‖²_F = 1")
def _unit_trace(e):
    a = e.arg
    if isinstance(a, t.MatMul) and len(a.factors) == 2 and _transposed_symbol(a.factors[0], {"unit norm"}):
        return t.Number(t.ONE) if a.factors[0].arg == a.factors[1] else None
    return None


@rewrite(t.Norm, "on the unit sphere ‖X‖ = 1")
def _unit_norm(e):
    return t.Number(t.ONE) if e.p == 2 and _has(e.arg, "unit norm") else None


# ---- skew-symmetric, diagonal and triangular matrices -------------------------------------------


@rewrite(t.Transpose, "a skew-symmetric matrix: Sᵀ = −S")
def _skew(e):
    return t.neg(e.arg) if _has(e.arg, "skew") else None


def is_diagonal(e: t.Expr) -> bool:
    """Whether e is a diagonal matrix by structure: a diagonal symbol, I, diag(v), the diagonal
    part I ⊙ A, and their transposes, inverses, powers, products, sums and multiples."""
    if isinstance(e, t.Symbol):
        return "diagonal" in e.assumptions
    if isinstance(e, (t.Identity, t.DiagMat)):
        return True
    if isinstance(e, t.Hadamard):
        return any(isinstance(f, t.Identity) or is_diagonal(f) for f in e.factors)
    if isinstance(e, (t.Transpose, t.Inverse, t.MatPow)):
        return is_diagonal(e.arg)
    if isinstance(e, t.Scale):
        return is_diagonal(e.operand)
    if isinstance(e, (t.MatMul, t.Add)):
        return all(is_diagonal(c) for c in e.children())
    return False


def is_triangular(e: t.Expr, side: str) -> bool:
    """Whether e is lower (side "lower") or upper triangular by structure: a triangular or
    diagonal symbol, tril(A) / triu(A), a diagonal matrix, the transpose of the other side,
    and inverses, powers, products, sums and multiples of such."""
    other = "upper" if side == "lower" else "lower"
    if isinstance(e, t.Symbol):
        return side in e.assumptions or "diagonal" in e.assumptions
    if isinstance(e, t.TriangularPart):
        return e.side == side
    if isinstance(e, t.Transpose):
        return is_triangular(e.arg, other)
    if isinstance(e, (t.Inverse, t.MatPow)):
        return is_triangular(e.arg, side)
    if isinstance(e, t.Scale):
        return is_triangular(e.operand, side)
    if isinstance(e, (t.MatMul, t.Add)):
        return all(is_triangular(c, side) for c in e.children())
    return is_diagonal(e)


@rewrite(t.Hadamard, "the diagonal part of a diagonal matrix is itself: I ⊙ D = D")
def _diagonal_part(e):
    if len(e.factors) == 2 and any(isinstance(f, t.Identity) for f in e.factors):
        other = next((f for f in e.factors if not isinstance(f, t.Identity)), e.factors[0])
        if is_diagonal(other):
            return other
    return None


@rewrite(t.Hadamard, "the diagonal part is transpose invariant: I ⊙ Aᵀ = I ⊙ A")
def _diagonal_part_transpose(e):
    if len(e.factors) == 2 and any(isinstance(f, t.Identity) for f in e.factors):
        other = next(f for f in e.factors if not isinstance(f, t.Identity))
        if isinstance(other, t.Transpose):
            return t.hadamard(t.identity(e.rows), other.arg)
    return None


@rewrite(t.TriangularPart, "the triangular part of a triangular matrix is itself: tril(L) = L, triu(U) = U")
def _triangular_part(e):
    return e.arg if is_triangular(e.arg, e.side) else None


@rewrite(t.TriangularPart, "tril(L + A) = L + tril(A) for a lower-triangular L (triu likewise)")
def _triangular_sum(e):
    if not isinstance(e.arg, t.Add):
        return None
    kept = [x for x in e.arg.terms if is_triangular(x, e.side)]
    if not kept:
        return None
    rest = [x for x in e.arg.terms if not is_triangular(x, e.side)]
    return t.add(*kept, *([t.triangular(t.add(*rest), e.side)] if rest else []))


# ---- the distributive law ----------------------------------------------------------------------


def expand(e: t.Expr, around: str | None = None) -> t.Expr:
    """e with every product of sums written as a sum of products, multiples and transposes
    distributed over sums: A(B + C)D = ABD + ACD, (A + B)ᵀ = Aᵀ + Bᵀ; with ``around`` (a
    symbol's name), only the sums that hold that symbol.  Left as it is where the sum would
    have more than ``MAX_TERMS`` terms."""
    memo: dict = {}

    def terms(x: t.Expr) -> tuple:
        if isinstance(x, t.Add) and (around is None or any(s.name == around for s in x.free_symbols)):
            return x.terms
        return (x,)

    for n in t.postorder(e):
        memo[n] = _expand_node(n, memo, terms)
    return memo[e]


def _expand_node(n: t.Expr, memo: dict, _terms) -> t.Expr:
    if isinstance(n, t.MatMul):
        sums = [[]]
        for f in n.factors:
            pieces = _terms(memo[f])
            if len(sums) * len(pieces) > MAX_TERMS:
                return t.rebuild(n, memo.__getitem__)
            sums = [s + [p] for s in sums for p in pieces]
        spend(len(sums))
        return t.add(*(t.matmul(*s) for s in sums))
    if isinstance(n, t.Scale):
        return t.add(*(t.scale(f, o) for f in _terms(memo[n.factor]) for o in _terms(memo[n.operand])))
    if isinstance(n, t.Transpose):
        return t.add(*(_transposed(x) for x in _terms(memo[n.arg])))
    if isinstance(n, t.Trace):
        return t.add(*(t.trace(x) for x in _terms(memo[n.arg])))
    return t.rebuild(n, memo.__getitem__)


def _transposed(e: t.Expr) -> t.Expr:
    """Eᵀ with the transpose taken into a product: (AB)ᵀ = BᵀAᵀ."""
    c, core = t.split_scale(e)
    if isinstance(core, t.MatMul):
        return t.scale(c, t.matmul(*(t.transpose(f) for f in reversed(core.factors))))
    return t.scale(c, t.transpose(core))
