"""Matrix products as an expert writes them.

The factors of a product F₁F₂…Fₖ are read as dense matrices and as operators that are applied,
never formed, where a neighbour takes them:
- diag(v)A = v[:, None] * A and A diag(v) = A * v (a broadcast product);
- A⁻¹B = solve(A, B) and B A⁻¹ = solve(Aᵀ, Bᵀ)ᵀ, when the inverse is only ever multiplied;
- 𝟙ᵀA = column sums, A𝟙 = row sums;
- (A ⊗ B) vec(X) = vec(B X Aᵀ), and K vec(A) = vec(Aᵀ): reshapes and transposes.
Scalar (1×1) factors become a coefficient; runs of dense factors are multiplied in the order
of least work (the matrix-chain order, every unknown dimension counted as large); a product
that repeats part of another product of the program reuses it.
"""

from __future__ import annotations

from functools import lru_cache

from .. import expr as t
from . import factors

LARGE = 1000  # the size an unknown dimension counts as, when choosing the order of a chain


def _kind(shape):
    rows, cols = shape
    if rows == t.ONE:
        return "s" if cols == t.ONE else "r"
    return "c" if cols == t.ONE else "m"


def _is_ones_row(f) -> bool:
    return isinstance(f, t.Transpose) and isinstance(f.arg, t.Ones)


def _tag(em, f: t.Expr) -> tuple:
    if f.is_scalar:
        return ("scalar", f)
    if isinstance(f, t.DiagMat):
        return ("diag", f, None)
    if f in em.solved:
        return ("inv", f, False)
    if isinstance(f, t.Transpose) and f.arg in em.solved:
        return ("inv", f.arg, True)
    if isinstance(f, t.Ones):
        return ("ones_col", f)
    if _is_ones_row(f):
        return ("ones_row", f)
    if isinstance(f, t.Kron) and _kind(f.left.shape) == "m" and _kind(f.right.shape) == "m":
        return ("kron", f)
    if isinstance(f, t.Commutation):
        return ("comm", f)
    return ("dense", f)


def factors_of(em, n: t.MatMul) -> list:
    """The tagged factors of n, with a run that is another product of the program as one factor."""
    cache = em.__dict__.setdefault("_factors", {})
    if n in cache:
        return cache[n]
    factors = list(n.factors)
    changed = True
    while changed and len(factors) > 2:
        changed = False
        for size in range(len(factors) - 1, 1, -1):
            for i in range(len(factors) - size + 1):
                run = tuple(factors[i:i + size])
                other = em.matmuls.get(run)
                if other is not None and other != n:
                    factors[i:i + size] = [other]
                    changed = True
                    break
            if changed:
                break
    cache[n] = [_tag(em, f) for f in factors]
    return cache[n]


def reads(em, item: tuple) -> tuple:
    tag, f = item[0], item[1]
    if tag in ("diag", "inv"):
        return (f.arg,)
    if tag == "kron":
        return (f.left, f.right)
    if tag in ("ones_col", "ones_row", "comm"):
        return ()
    return (f,)


# --------------------------------------------------------------------------------------------


def _paren(text: str, atomic: bool) -> str:
    return text if atomic else f"({text})"


class Dense:
    """A dense operand: its code and shape."""

    __slots__ = ("text", "shape", "atomic")

    def __init__(self, text, shape, atomic):
        self.text, self.shape, self.atomic = text, shape, atomic

    @property
    def kind(self):
        return _kind(self.shape)

    @property
    def op(self):
        return _paren(self.text, self.atomic)


@lru_cache(maxsize=4096)
def _guess(d) -> int:
    if d == t.ONE:
        return 1
    if d.is_Integer:
        return int(d)
    return int(d.subs({s: LARGE for s in d.free_symbols}))


def _transposed(d: Dense):
    """M when d's code is M.T for a name M, else None."""
    return d.text[:-2] if d.text.endswith(".T") and d.text[:-2].isidentifier() else None


# Aᵀ B and A Bᵀ without forming the transpose, for the libraries that would (XLA on the CPU).
CONTRACT = {(True, False): "(((0,), (0,)), ((), ()))", (False, True): "(((1,), (1,)), ((), ()))"}


def _multiply(em, a: Dense, b: Dense) -> Dense:
    """a b; a transposed factor is read in place: Aᵀv = vᵀA, vᵀBᵀ = Bv (1-D arrays), and on
    JAX AᵀB and ABᵀ as one contraction."""
    shape = (a.shape[0], b.shape[1])
    if a.kind == "s" or b.kind == "s":
        return Dense(f"{a.op} * {b.op}", shape, False)
    if a.kind == "c" and b.kind == "r":
        return Dense(f"{em.b.xp}.outer({a.text}, {b.text})", shape, True)
    at, bt = _transposed(a), _transposed(b)
    if at and b.kind == "c":
        return Dense(f"{b.op} @ {at}", shape, False)
    if bt and a.kind == "r":
        return Dense(f"{bt} @ {a.op}", shape, False)
    if em.b.name == "jax" and a.kind == "m" and b.kind == "m" and (bool(at), bool(bt)) in CONTRACT:
        return Dense(f"jax.lax.dot_general({at or a.text}, {bt or b.text}, {CONTRACT[(bool(at), bool(bt))]})",
                     shape, True)
    return Dense(f"{a.op} @ {b.op}", shape, False)


def _chain(em, run: list) -> Dense:
    """The product of dense operands in the matrix-chain order of least work."""
    n = len(run)
    if n == 1:
        return run[0]
    dims = [_guess(run[0].shape[0])] + [_guess(d.shape[1]) for d in run]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i, j):
        if i == j:
            return run[i]
        k = split[i][j]
        return _multiply(em, build(i, k), build(k + 1, j))

    return build(0, n - 1)


def _dense(em, f: t.Expr) -> Dense:
    c = em.value(f)
    return Dense(c.text, f.shape, c.atomic)


def _inverse_arg(em, item) -> tuple[str, bool]:
    """(code of the matrix A, whether it is to be transposed) for A⁻¹ or A⁻ᵀ."""
    inverse, transposed = item[1], item[2]
    return em.operand(inverse.arg), transposed


def _solve(em, a: str, dense: Dense, transposed: bool, matrix=None) -> Dense:
    """A⁻¹X (or A⁻ᵀX); by A's Cholesky factor when A is factored (``matrix``: A's node)."""
    if matrix is not None and factors.factored(em, matrix):
        return Dense(factors.solve(em, matrix, dense.text), dense.shape, True)
    m = f"{a}.T" if transposed else a
    return Dense(f"{em.b.xp}.linalg.solve({m}, {dense.text})", dense.shape, True)


def _solve_right(em, dense: Dense, a: str, transposed: bool, symmetric: bool, matrix=None) -> Dense:
    """X A⁻¹ = (A⁻ᵀXᵀ)ᵀ (or X A⁻ᵀ = (A⁻¹Xᵀ)ᵀ); by A's Cholesky factor when A is factored."""
    if matrix is not None and factors.factored(em, matrix):
        if dense.kind == "r":
            return Dense(factors.solve(em, matrix, dense.text), dense.shape, True)
        return Dense(f"{factors.solve(em, matrix, dense.op + '.T')}.T", dense.shape, True)
    m = a if (transposed or symmetric) else f"{a}.T"
    if dense.kind == "r":
        return Dense(f"{em.b.xp}.linalg.solve({m}, {dense.text})", dense.shape, True)
    return Dense(f"{em.b.xp}.linalg.solve({m}, {dense.op}.T).T", dense.shape, True)


def _apply(em, op: tuple, dense: Dense, right: bool) -> Dense | None:
    """op applied to the dense neighbour (to its right when ``right``), or None if it does not apply."""
    tag, f = op[0], op[1]
    xp = em.b.xp
    if tag == "diag":
        v = op[2] or em.operand(f.arg)
        if right:  # diag(v) X
            text = f"{v}[:, None] * {dense.op}" if dense.kind == "m" else f"{v} * {dense.op}"
            return Dense(text, (f.rows, dense.shape[1]), False)
        return Dense(f"{dense.op} * {v}", (dense.shape[0], f.cols), False)
    if tag == "inv":
        a, transposed = _inverse_arg(em, op)
        if right:
            return _solve(em, a, dense, transposed, f.arg)
        sym = isinstance(f.arg, t.Symbol) and bool(f.arg.assumptions & {"symmetric", "spd"})
        return _solve_right(em, dense, a, transposed, sym, f.arg)
    if tag == "ones_row" and right:
        text = f"{dense.op}.sum(0)" if dense.kind == "m" else f"{dense.op}.sum()"
        return Dense(text, (t.ONE, dense.shape[1]), True)
    if tag == "ones_col" and not right:
        text = f"{dense.op}.sum(1)" if dense.kind == "m" else f"{dense.op}.sum()"
        return Dense(text, (dense.shape[0], t.ONE), True)
    if tag == "kron":
        a, b = em.operand(f.left), em.operand(f.right)
        p, q = em.dim(f.left.rows), em.dim(f.left.cols)
        r, s = em.dim(f.right.rows), em.dim(f.right.cols)
        if right and dense.kind == "c":  # (A ⊗ B) vec(X) = vec(B X Aᵀ)
            return Dense(f"({a} @ {dense.op}.reshape({q}, {s}) @ {b}.T).reshape(-1)", (f.rows, t.ONE), True)
        if right and dense.kind == "m":
            return Dense(f"{xp}.einsum('iq,qsk,js->ijk', {a}, {dense.op}.reshape({q}, {s}, -1), {b}).reshape({p} * {r}, -1)",
                         (f.rows, dense.shape[1]), True)
        if not right and dense.kind == "r":  # vec(X)ᵀ(A ⊗ B) = vec(Bᵀ X A)ᵀ
            return Dense(f"({a}.T @ {dense.op}.reshape({p}, {r}) @ {b}).reshape(-1)", (t.ONE, f.cols), True)
        if not right and dense.kind == "m":
            return Dense(f"{xp}.einsum('kpr,pq,rs->kqs', {dense.op}.reshape(-1, {p}, {r}), {a}, {b}).reshape(-1, {q} * {s})",
                         (dense.shape[0], f.cols), True)
        return None
    if tag == "comm":
        m, n = em.dim(f.m), em.dim(f.n)
        if right and dense.kind == "c":  # K vec(A) = vec(Aᵀ)
            return Dense(f"{dense.op}.reshape({n}, {m}).T.reshape(-1)", dense.shape, True)
        if right and dense.kind == "m":
            return Dense(f"{em.b.permute(f'{dense.op}.reshape({n}, {m}, -1)', '(1, 0, 2)')}.reshape({m} * {n}, -1)",
                         dense.shape, True)
        if not right and dense.kind == "r":
            return Dense(f"{dense.op}.reshape({m}, {n}).T.reshape(-1)", dense.shape, True)
        if not right and dense.kind == "m":
            return Dense(f"{em.b.permute(f'{dense.op}.reshape(-1, {m}, {n})', '(0, 2, 1)')}.reshape(-1, {m} * {n})",
                         dense.shape, True)
        return None
    return None


def _materialize(em, op: tuple) -> Dense:
    tag, f = op[0], op[1]
    if tag == "diag":
        return Dense(f"{em.b.xp}.diag({op[2] or em.value(f.arg).text})", f.shape, True)
    if tag == "inv":
        a, transposed = _inverse_arg(em, op)
        if factors.factored(em, f.arg):  # symmetric: A⁻ᵀ = A⁻¹
            return Dense(factors.inverse(em, f.arg), f.shape, True)
        text = f"{em.helper('_inv')}({a})"
        return Dense(f"{text}.T" if transposed else text, f.shape, True)
    if tag == "ones_col":
        return Dense(em.b.ones(em.dim(f.n)), f.shape, True)
    if tag == "ones_row":
        return Dense(em.b.ones(em.dim(f.arg.n)), f.shape, True)
    return _dense(em, f)


def emit_matmul(em, n: t.MatMul):
    items = factors_of(em, n)
    coefficient = [em.operand(it[1]) for it in items if it[0] == "scalar"]
    work = [(_dense(em, it[1]) if it[0] == "dense" else it) for it in items if it[0] != "scalar"]
    while True:
        work = _collapse(em, work)
        if len(work) <= 1:
            break
        work = _reduce_once(em, work)
    if not work:
        text = " * ".join(coefficient)
        return text, len(coefficient) == 1
    result = work[0] if isinstance(work[0], Dense) else _materialize(em, work[0])
    if coefficient:
        return " * ".join(coefficient + [result.op]), False
    return result.text, result.atomic


def _collapse(em, work: list) -> list:
    out, run = [], []
    for w in work + [None]:
        if isinstance(w, Dense):
            run.append(w)
            continue
        if run:
            out.append(_chain(em, run))
            run = []
        if w is not None:
            out.append(w)
    return out


def _reduce_once(em, work: list) -> list:
    """Apply one operator to a dense neighbour (or merge two diagonals); if none applies, form
    the first operator."""
    for i, w in enumerate(work):
        if isinstance(w, Dense):
            continue
        nxt = work[i + 1] if i + 1 < len(work) else None
        prev = work[i - 1] if i > 0 else None
        if w[0] == "diag" and isinstance(nxt, tuple) and nxt[0] == "diag":
            merged = ("diag", w[1], f"({w[2] or em.operand(w[1].arg)} * {nxt[2] or em.operand(nxt[1].arg)})")
            return work[:i] + [merged] + work[i + 2:]
        if isinstance(nxt, Dense):
            got = _apply(em, w, nxt, right=True)
            if got is not None:
                return work[:i] + [got] + work[i + 2:]
        if isinstance(prev, Dense):
            got = _apply(em, w, prev, right=False)
            if got is not None:
                return work[:i - 1] + [got] + work[i + 1:]
    for i, w in enumerate(work):
        if not isinstance(w, Dense):
            return work[:i] + [_materialize(em, w)] + work[i + 1:]
    return work  # pragma: no cover - _collapse leaves no two dense neighbours


# A value in the form of its kind as a 2-D array, and back ({a}: the code, {xp}: the module).
TO_2D = {"c": "{a}[:, None]", "r": "{a}[None, :]", "s": "{xp}.reshape({a}, (1, 1))", "m": "{a}"}
FROM_2D = {"c": "{a}[:, 0]", "r": "{a}[0, :]", "s": "{a}[0, 0]", "m": "{a}"}


def as_2d(em, e: t.Expr) -> str:
    """e's value as a 2-D array."""
    return TO_2D[_kind(e.shape)].format(a=em.operand(e), xp=em.b.xp)


def from_2d(em, text: str, shape) -> str:
    """A 2-D array's code in the form of ``shape``'s kind."""
    return FROM_2D[_kind(shape)].format(a=text, xp=em.b.xp)


# ---- the trace of a product -------------------------------------------------------------------


def trace_split(em, n: t.Trace):
    """(P, L) with tr(F₁⋯Fₖ) = Σ P ⊙ Lᵀ, one matrix product fewer than forming F₁⋯Fₖ: the
    factors turned cyclically so that P, the product of all but the last, is a product the
    program computes anyway (tr(AXBXᵀC) = Σ (CAXB) ⊙ X beside the gradient's CAXB), else so
    that the last is a transpose (tr(XᵀAX) = Σ (AX) ⊙ X); None when the argument is not a
    product or is itself needed."""
    cache = em.__dict__.setdefault("_traces", {})
    if n not in cache:
        cache[n] = _trace_split(em, n)
    return cache[n]


def _trace_split(em, n: t.Trace):
    a = n.arg
    if not isinstance(a, t.MatMul) or a.is_scalar or _parents(em).get(a, 0) > 1 or a in em.roots:
        return None
    fs = a.factors
    for i in range(len(fs)):
        turned = fs[i:] + fs[:i]
        head = em.matmuls.get(tuple(turned[:-1])) if len(fs) > 2 else None
        if head is not None and head != a:
            return head, turned[-1]
    i = next((i for i in range(len(fs)) if _is_matrix_transpose(fs[i - 1])), 0)  # ending in Xᵀ: Σ P ⊙ X
    turned = fs[i:] + fs[:i]
    return (t.MatMul(turned[:-1]) if len(fs) > 2 else turned[0]), turned[-1]


def _parents(em) -> dict:
    """{node: how many nodes of the program have it as a child}."""
    if "_parents" not in em.__dict__:
        count: dict = {}
        for n in {m for r in em.roots for m in t.walk(r)}:
            for c in n.children():
                count[c] = count.get(c, 0) + 1
        em.__dict__["_parents"] = count
    return em.__dict__["_parents"]


def trace_operands(em, n: t.Trace) -> tuple:
    """The nodes the code of tr(P L) reads: P and L (or X, for L = Xᵀ)."""
    p, last = trace_split(em, n)
    return (p, last.arg if _is_matrix_transpose(last) else last)


def _is_matrix_transpose(e) -> bool:
    return isinstance(e, t.Transpose) and _kind(e.arg.shape) == "m"


def emit_trace(em, n: t.Trace) -> tuple[str, bool]:
    """Σ P ⊙ Lᵀ (a sum of products: no conjugate, as vdot would take of a complex P)."""
    p, last = trace_split(em, n)
    left = em.operand(p)
    right = em.operand(last.arg) if _is_matrix_transpose(last) else (
        f"{em.operand(last)}.T" if _kind(last.shape) == "m" else em.operand(last))
    return f"({left} * {right}).sum()", True
