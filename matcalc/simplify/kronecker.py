"""Kronecker and commutation identities: Kronecker forms tidied to textbook form.

The builders ``kron``, ``vec`` and ``diag`` of ``matcalc.expr`` keep forms short as they are
made; ``TIDY_RULES`` holds one entry per identity, keyed by the node class it rewrites:

    (A ⊗ B)(C ⊗ D) = AC ⊗ BD          (A ⊗ B)K = K(B ⊗ A)          KK = I,  Kᵀ = K
    vec(I)ᵀ(P ⊗ Q) = vec(QᵀP)ᵀ        (P ⊗ Q) vec(C) = vec(QCPᵀ)   a ⊙ B = diag(a)B
    A ⊗ B + A ⊗ C = A ⊗ (B + C)       𝟙ᵀdiag(v) = vᵀ               (A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ

K is the commutation matrix, K vec(A) = vec(Aᵀ).  ``tidy`` applies the rules bottom-up to a
fixed point; ``closed_form`` alternates it with ``simplify`` and orders sums (``ordered``, by
``sort_sums``).
Every rewrite is an identity: the value of the expression never changes.
"""

from __future__ import annotations

from typing import Callable

from .. import expr as t
from .normal import simplify
from .rewriting import coefficient, is_negative, order_key


# ---- tidying of Kronecker forms -------------------------------------------------------------

TIDY_RULES: dict[type, list[tuple[str, Callable[[t.Expr], t.Expr | None]]]] = {}


def tidy_rule(cls: type, name: str):
    def register(fn):
        TIDY_RULES.setdefault(cls, []).append((name, fn))
        return fn

    return register


def tidy(e: t.Expr) -> t.Expr:
    """e with the Kronecker identities of ``TIDY_RULES`` applied bottom-up to a fixed point."""
    memo: dict[t.Expr, t.Expr] = {}

    def visit(n: t.Expr) -> t.Expr:
        if n in memo:
            return memo[n]
        out = t.rebuild(n, visit)
        for _ in range(100):
            new = next((r for _, fn in TIDY_RULES.get(type(out), ()) if (r := fn(out)) is not None and r != out), None)
            if new is None:
                break
            out = t.rebuild(new, visit)
        memo[n] = out
        return out

    return visit(e)


@tidy_rule(t.Kron, "(cA) ⊗ B = c(A ⊗ B), s ⊗ B = sB (s 1×1), I ⊗ I = I, 𝟙 ⊗ 𝟙 = 𝟙")
def _kron_normal(e):
    return t.kron(e.left, e.right)


@tidy_rule(t.Vec, "vec(x) = x, vec(xᵀ) = x, vec(cA) = c vec(A)")
def _vec_normal(e):
    return t.vec(e.arg)


@tidy_rule(t.DiagMat, "diag(c𝟙) = cI")
def _diag_normal(e):
    return t.diag(e.arg)


def _spread_vector(e: t.Expr) -> t.Expr | None:
    """v when e is a vector v broadcast to a matrix (or a combination of such), else None."""
    if isinstance(e, t.Broadcast):
        return None if e.arg.is_scalar else e.arg
    c, core = t.split_scale(e)
    if core is not e:
        v = _spread_vector(core)
        return None if v is None else t.scale(c, v)
    if isinstance(e, t.Add):
        parts = [_spread_vector(x) for x in e.terms]
        if None in parts or len({(p.rows, p.cols) for p in parts}) != 1:
            return None
        return t.add(*parts)
    return None


@tidy_rule(t.Hadamard, "diagonal scaling written with diag: a ⊙ B = diag(a)B, B ⊙ cᵀ = B diag(c), (acᵀ) ⊙ B = diag(a)B diag(c)")
def _diagonal_scaling(e):
    for i, f in enumerate(e.factors):
        rest = e.factors[:i] + e.factors[i + 1 :]
        body = t.hadamard(*rest) if len(rest) > 1 else rest[0]
        v = _spread_vector(f)
        if v is not None and v.cols == t.ONE:
            return t.matmul(t.diag(v), body)
        if v is not None and v.rows == t.ONE:
            return t.matmul(body, t.diag(simplify(t.transpose(v))))
        if isinstance(f, t.MatMul) and len(f.factors) == 2 and f.factors[0].cols == t.ONE and not f.is_scalar:
            a, c = f.factors
            if a.rows != t.ONE and c.cols != t.ONE:
                return t.matmul(t.diag(a), body, t.diag(simplify(t.transpose(c))))
    return None


@tidy_rule(t.Transpose, "Kᵀ = K (K_{m,n}ᵀ = K_{n,m})")
def _commutation_transpose(e):
    return t.commutation(e.arg.n, e.arg.m) if isinstance(e.arg, t.Commutation) else None


def _pairs(e: t.MatMul, combine) -> t.Expr | None:
    """The product with the first adjacent pair that ``combine`` rewrites replaced."""
    fs = e.factors
    for i in range(len(fs) - 1):
        out = combine(fs[i], fs[i + 1])
        if out is not None:
            return t.matmul(*fs[:i], *out, *fs[i + 2 :])
    return None


@tidy_rule(t.MatMul, "mixed product (A ⊗ B)(C ⊗ D) = AC ⊗ BD")
def _mixed_product(e):
    def combine(x, y):
        if isinstance(x, t.Kron) and isinstance(y, t.Kron):
            if t.same_dim(x.left.cols, y.left.rows) and t.same_dim(x.right.cols, y.right.rows):
                return (t.kron(t.matmul(x.left, y.left), t.matmul(x.right, y.right)),)
        return None

    return _pairs(e, combine)


def _swapped(x: t.Expr, k: t.Commutation) -> t.Expr | None:
    """K(B ⊗ A) for (A ⊗ B)K, term by term for a sum of Kronecker products; else None."""
    terms = x.terms if isinstance(x, t.Add) else (x,)
    out, rows = [], set()
    for term in terms:
        c, core = t.split_scale(term)
        if not (isinstance(core, t.Kron) and t.same_dim(k.m, core.left.cols) and t.same_dim(k.n, core.right.cols)):
            return None
        out.append(t.scale(c, t.kron(core.right, core.left)))
        rows.add((core.left.rows, core.right.rows))
    if len(rows) != 1:
        return None
    m, p = rows.pop()
    return t.matmul(t.commutation(m, p), t.add(*out))


@tidy_rule(t.MatMul, "(A ⊗ B)K = K(B ⊗ A); KK = I")
def _commutation_left(e):
    def combine(x, y):
        if isinstance(y, t.Commutation) and (swapped := _swapped(x, y)) is not None:
            return (swapped,)
        if isinstance(x, t.Commutation) and isinstance(y, t.Commutation):
            if t.same_dim(x.m, y.n) and t.same_dim(x.n, y.m):
                return (t.identity(x.rows),)
        return None

    return _pairs(e, combine)


@tidy_rule(t.MatMul, "trace forms: vec(I)ᵀ(P ⊗ Q) = vec(QᵀP)ᵀ, vec(I)ᵀK = vec(I)ᵀ")
def _trace_forms(e):
    def combine(x, y):
        if not _is_vec_identity_row(x):
            return None
        n = x.arg.arg.n
        if isinstance(y, t.Commutation) and t.same_dim(y.m, n) and t.same_dim(y.n, n):
            return (x,)
        if isinstance(y, t.Kron) and t.same_dim(y.left.rows, n) and t.same_dim(y.right.rows, n):
            return (t.transpose(t.vec(t.matmul(t.transpose(y.right), y.left))),)
        return None

    return _pairs(e, combine)


def _is_vec_identity_row(x: t.Expr) -> bool:
    return isinstance(x, t.Transpose) and isinstance(x.arg, t.Vec) and isinstance(x.arg.arg, t.Identity)


@tidy_rule(t.MatMul, "vec(I)ᵀ distributed over a sum of K, I and Kronecker products")
def _trace_over_sum(e):
    def combine(x, y):
        if _is_vec_identity_row(x) and isinstance(y, t.Add):
            cores = [t.split_scale(term)[1] for term in y.terms]
            if all(isinstance(c, (t.Commutation, t.Identity, t.Kron)) for c in cores):
                return (t.add(*(t.matmul(x, term) for term in y.terms)),)
        return None

    return _pairs(e, combine)


@tidy_rule(t.MatMul, "𝟙ᵀdiag(v) = vᵀ, diag(v)𝟙 = v")
def _ones_diag(e):
    def combine(x, y):
        if isinstance(x, t.Transpose) and isinstance(x.arg, t.Ones) and isinstance(y, t.DiagMat):
            return (t.transpose(y.arg),)
        if isinstance(x, t.DiagMat) and isinstance(y, t.Ones):
            return (x.arg,)
        return None

    return _pairs(e, combine)


@tidy_rule(t.MatMul, "(P ⊗ Q) vec(C) = vec(QCPᵀ)")
def _kron_vec(e):
    def combine(x, y):
        if isinstance(x, t.Kron) and isinstance(y, t.Vec):
            c = y.arg
            if t.same_dim(x.right.cols, c.rows) and t.same_dim(x.left.cols, c.cols):
                return (t.vec(t.matmul(x.right, c, t.transpose(x.left))),)
        return None

    return _pairs(e, combine)


@tidy_rule(t.Transpose, "(AB)ᵀ = BᵀAᵀ, (A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ, diag(v)ᵀ = diag(v): transposes pushed to the factors")
def _transpose_kron_forms(e):
    a = e.arg
    if isinstance(a, t.DiagMat):
        return a
    if isinstance(a, t.MatMul):
        return t.matmul(*(t.transpose(f) for f in reversed(a.factors)))
    if isinstance(a, t.Kron):
        return t.kron(t.transpose(a.left), t.transpose(a.right))
    return None


@tidy_rule(t.Add, "common Kronecker factor: A ⊗ B + A ⊗ C = A ⊗ (B + C)")
def _common_kron(e):
    parts = [t.split_scale(x) for x in e.terms]
    if not all(isinstance(core, t.Kron) for _, core in parts):
        return None
    lefts = {core.left for _, core in parts}
    rights = {core.right for _, core in parts}
    if len(lefts) == 1:
        return t.kron(parts[0][1].left, t.add(*(t.scale(c, core.right) for c, core in parts)))
    if len(rights) == 1:
        return t.kron(t.add(*(t.scale(c, core.left) for c, core in parts)), parts[0][1].right)
    return None


def _printed_order_identity_last(e: t.Expr) -> tuple:
    """The printed order, with I after letters: Xᵀ ⊗ I + I ⊗ X (the product rule's order)."""
    return tuple("\uffff" if part == "Identity" else part for part in order_key(e))


def _term_key(term: t.Expr) -> tuple:
    c, core = coefficient(term)
    return (is_negative(c), _printed_order_identity_last(core))


def sort_sums(e: t.Expr, key: Callable[[t.Expr], object]) -> t.Expr:
    """e with the terms of every sum sorted by ``key`` (a stable sort), bottom-up."""
    memo: dict[t.Expr, t.Expr] = {}
    for n in t.postorder(e):
        out = t.rebuild(n, memo.__getitem__)
        if isinstance(out, t.Add):
            terms = tuple(sorted(out.terms, key=key))
            out = t.Add(terms) if terms != out.terms else out
        memo[n] = out
    return memo[e]


def ordered(e: t.Expr) -> t.Expr:
    """Sums ordered positive terms first, then with identities last."""
    return sort_sums(e, _term_key)


def closed_form(j: t.Expr) -> t.Expr:
    """The Jacobian simplified and tidied to its textbook form."""
    j = tidy(j)
    for _ in range(4):
        nxt = tidy(simplify(j))
        if nxt == j:
            break
        j = nxt
    return ordered(j)
