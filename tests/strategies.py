"""Hypothesis strategies: random well-typed matrix expressions over every operator.

``expressions()`` draws a scalar function of matrices of depth ≤ 5 over random symbolic
dimensions (m, n, k), built with the same builders the parser uses, so that the printed form
parses back to the same tree.  Arguments that need a domain get one by construction: inverses,
determinants and log-determinants take SPD matrices (a declared ``spd`` symbol or AAᵀ + I);
logs, roots, divisions and negative powers take positive values (a declared ``positive``
symbol, exp(·) or A^{∘2} + 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from hypothesis import strategies as st

from matcalc import expr as t

DIMS = [t.dim("m"), t.dim("n"), t.dim("k")]
ONE = t.ONE
MATRIX_NAMES = list("ABCDEFGHJKLMNPQRTUVWXYZ")
VECTOR_NAMES = list("abcdhpquvwxyz")
SCALAR_NAMES = ["α", "β", "γ", "δ", "λ", "μ"]
SAFE_FUNCTIONS = ["exp", "sin", "cos", "tanh", "sigmoid", "softplus", "relu", "abs", "sign", "g", "erf", "gelu",
                  "softsign", "arctan", "log_sigmoid", "sinh", "cosh", "expm1"]
GROWING = ("exp", "sinh", "cosh", "expm1")  # f(f(·)²) overflows: their argument stays shallow


@dataclass
class Context:
    """The symbols drawn so far: a name has one shape and one domain."""

    draw: object
    symbols: dict = field(default_factory=dict)  # (shape, domain) -> [Symbol]
    used: set = field(default_factory=set)

    def symbol(self, shape, domain=None) -> t.Symbol:
        key = (shape, domain)
        existing = self.symbols.setdefault(key, [])
        if existing and self.draw(st.booleans()):
            return self.draw(st.sampled_from(existing))
        if shape == t.SCALAR:
            pool = SCALAR_NAMES
        elif shape[1] == ONE:
            pool = VECTOR_NAMES
        else:
            pool = MATRIX_NAMES
        free = [n for n in pool if n not in self.used]
        if not free:
            return existing[0] if existing else self._reuse(shape, domain)
        name = free[0]
        self.used.add(name)
        assumptions = {"spd": {"spd", "symmetric", "invertible"}, "positive": {"positive"}}.get(domain, set())
        s = t.Symbol(name, shape, frozenset(assumptions))
        existing.append(s)
        return s

    def _reuse(self, shape, domain):
        for (s_shape, _), syms in self.symbols.items():
            if s_shape == shape and syms:
                return syms[0]
        raise RuntimeError("symbol pool exhausted")


def _shape_kind(shape):
    r, c = shape
    if r == ONE and c == ONE:
        return "scalar"
    if c == ONE:
        return "vector"
    if r == ONE:
        return "row"
    return "square" if r == c else "matrix"


def gen(ctx: Context, shape, depth: int) -> t.Expr:
    """A random expression of the given shape."""
    draw = ctx.draw
    kind = _shape_kind(shape)
    if depth <= 0 or (depth <= 2 and draw(st.integers(0, 2)) == 0):
        return leaf(ctx, shape)
    d = depth - 1
    options = ["add", "sub", "scale", "matmul", "hadamard", "hdiv", "hpow", "apply", "logsqrt", "root"]
    if kind != "row":
        options.append("transpose")
    if kind in ("matrix", "square"):
        options += ["broadcast", "softmax"]
    if kind != "scalar":
        options.append("extremum")
    if kind == "square":
        options += ["inverse", "matpow", "adj", "diagmat"]
    if kind == "vector":
        options += ["diagvec", "softmax", "rowwise"]
    if kind == "scalar":
        options += ["trace", "det", "logdet", "norm2", "normsq", "norm1", "sum", "call", "power", "kron", "vec",
                    "spectral", "statistics"]
    op = draw(st.sampled_from(options))
    out = BUILD[op](ctx, shape, d)
    # A − A is the zero matrix, which prints as 0 and reads back as a number: draw a leaf.
    return leaf(ctx, shape) if t.is_zero(out) else out


def leaf(ctx: Context, shape) -> t.Expr:
    draw = ctx.draw
    kind = _shape_kind(shape)
    if kind == "row":
        return t.transpose(ctx.symbol((shape[1], ONE)))
    if kind == "scalar" and draw(st.integers(0, 3)) == 0:
        return t.Number(sympy.Rational(draw(st.sampled_from([1, 2, 3, -1, -2])), draw(st.sampled_from([1, 1, 2, 3]))))
    return ctx.symbol(shape, draw(st.sampled_from([None, None, None, "positive"])))


def positive(ctx: Context, shape, d: int) -> t.Expr:
    choice = ctx.draw(st.integers(0, 2))
    if choice == 0 or d <= 0:
        return ctx.symbol(shape, "positive")
    if choice == 1:
        return t.Apply("exp", gen(ctx, shape, min(d, 1)))
    one = t.broadcast(t.Number(ONE), shape)
    return t.add(t.hadamard_pow(gen(ctx, shape, d), 2), one)


def spd(ctx: Context, n, d: int) -> t.Expr:
    if d <= 0 or ctx.draw(st.booleans()):
        return ctx.symbol((n, n), "spd")
    k = ctx.draw(st.sampled_from(DIMS))
    a = gen(ctx, (n, k), d)
    return t.add(t.matmul(a, t.transpose(a)), t.Identity(n))


def _dim(ctx):
    return ctx.draw(st.sampled_from(DIMS))


def _binary(fn):
    return lambda ctx, shape, d: fn(gen(ctx, shape, d), gen(ctx, shape, d))


def _scale(ctx, shape, d):
    return t.mul(gen(ctx, t.SCALAR, d), gen(ctx, shape, d))


def _matmul(ctx, shape, d):
    k = _dim(ctx)
    return t.mul(gen(ctx, (shape[0], k), d), gen(ctx, (k, shape[1]), d))


def _hadamard(ctx, shape, d):
    a, b = gen(ctx, shape, d), gen(ctx, shape, d)
    return t.mul(a, b) if shape == t.SCALAR else t.hadamard(a, b)


def _hdiv(ctx, shape, d):
    num, den = gen(ctx, shape, d), positive(ctx, shape, d)
    if shape == t.SCALAR:
        return t.scale(t.power(den, -1), num)
    return t.HadamardDiv(num, den)


def _hpow(ctx, shape, d):
    return t.hadamard_pow(gen(ctx, shape, d), ctx.draw(st.sampled_from([2, 3])))


def _apply(ctx, shape, d):
    name = ctx.draw(st.sampled_from(SAFE_FUNCTIONS))
    arg = gen(ctx, shape, min(d, 1 if name in GROWING else 3))  # exp(exp(·)²) overflows
    if not arg.free_symbols:  # exp(exp(4)²) overflows at every point
        arg = ctx.symbol(shape)
    return t.Apply(name, arg)


def _logsqrt(ctx, shape, d):
    return t.Apply(ctx.draw(st.sampled_from(["log", "sqrt", "log1p"])), positive(ctx, shape, d))


def _broadcast(ctx, shape, d):
    small = ctx.draw(st.sampled_from([(ONE, shape[1]), (shape[0], ONE), t.SCALAR]))
    return t.add(gen(ctx, shape, d), t.broadcast(gen(ctx, small, d), shape))


def _sum(ctx, shape, d):
    a = gen(ctx, (_dim(ctx), _dim(ctx)), d)
    return t.matmul(t.transpose(t.Ones(a.rows)), a, t.Ones(a.cols))


def _kron(ctx, shape, d):
    m, n = t.dim("m"), t.dim("n")
    return t.trace(t.Kron(gen(ctx, (m, m), min(d, 2)), gen(ctx, (n, n), min(d, 2))))


def _vec(ctx, shape, d):
    s = (_dim(ctx), _dim(ctx))
    return t.matmul(t.transpose(t.Vec(gen(ctx, s, min(d, 2)))), t.Vec(gen(ctx, s, min(d, 2))))


def _spectral(ctx, shape, d):
    """λ_max of a symmetric positive definite matrix, the spectral norm of a matrix, the nuclear norm
    of a symbol (full rank), tr expm of a symbol: where each is differentiable."""
    n, k = _dim(ctx), _dim(ctx)
    choice = ctx.draw(st.integers(0, 6))
    if choice in (0, 4):
        return t.EigenValue(spd(ctx, n, min(d, 1)), "max" if choice == 0 else "min")
    if choice == 1:
        return t.SpectralNorm(gen(ctx, (n, k), min(d, 1)))
    if choice == 2:
        return t.NuclearNorm(ctx.symbol((n, k)))
    if choice == 5:  # logm and sqrtm of a symmetric positive definite matrix
        return t.trace(t.MatrixFunction(ctx.draw(st.sampled_from(["logm", "sqrtm"])), ctx.symbol((n, n), "spd")))
    if choice == 6:  # ⟨G, expm(X)⟩
        return t.inner(ctx.symbol((n, n)), t.MatrixFunction("expm", ctx.symbol((n, n))))
    return t.trace(t.MatrixFunction("expm", ctx.symbol((n, n))))


def _statistics(ctx, shape, d):
    """logsumexp(z), aᵀsoftmax(z), aᵀlogsoftmax(z), mean(z), var(z) and the max-norm ‖z‖_∞ of a vector."""
    n = _dim(ctx)
    z = gen(ctx, (n, ONE), min(d, 2))
    choice = ctx.draw(st.integers(0, 5))
    if choice in (1, 2):
        return t.inner(gen(ctx, (n, ONE), min(d, 2)), (t.Softmax if choice == 1 else t.LogSoftmax)(z))
    return {0: t.LogSumExp, 3: t.Mean, 4: t.Var, 5: lambda z: t.Norm(z, t.INF)}[choice](z)


def _softmax(ctx, shape, d):
    """softmax of a vector, or of a matrix row by row (log softmax too)."""
    return ctx.draw(st.sampled_from([t.Softmax, t.LogSoftmax]))(gen(ctx, shape, min(d, 2)))


def _rowwise(ctx, shape, d):
    """logsumexp, mean and var of each row of a matrix: a vector."""
    x = gen(ctx, (shape[0], _dim(ctx)), min(d, 2))
    return ctx.draw(st.sampled_from([t.LogSumExp, t.Mean, t.Var]))(x)


def _extremum(ctx, shape, d):
    """max(a, b) = a + relu(b − a) and min(a, b) = a − relu(a − b), as the parser reads them."""
    a, b = gen(ctx, shape, min(d, 2)), gen(ctx, shape, min(d, 2))
    if a == b or t.is_zero(t.sub(b, a)) or not t.sub(b, a).free_symbols:  # a kink everywhere: max(a, a) = a
        return a
    if ctx.draw(st.booleans()):
        return t.add(a, t.Apply("relu", t.sub(b, a)))
    return t.sub(a, t.Apply("relu", t.sub(a, b)))


def _any_shape(ctx):
    return ctx.draw(st.sampled_from([(_dim(ctx), _dim(ctx)), (_dim(ctx), ONE)]))


BUILD = {
    "add": _binary(t.add),
    "sub": _binary(t.sub),
    "scale": _scale,
    "matmul": _matmul,
    "hadamard": _hadamard,
    "hdiv": _hdiv,
    "hpow": _hpow,
    "apply": _apply,
    "logsqrt": _logsqrt,
    "transpose": lambda ctx, shape, d: t.transpose(gen(ctx, (shape[1], shape[0]), d)),
    "broadcast": _broadcast,
    "inverse": lambda ctx, shape, d: t.inverse(spd(ctx, shape[0], d)),
    "matpow": lambda ctx, shape, d: t.matpow(gen(ctx, shape, min(d, 2)), ctx.draw(st.sampled_from([2, 3]))),
    "adj": lambda ctx, shape, d: t.Adj(spd(ctx, shape[0], min(d, 2))),
    "diagmat": lambda ctx, shape, d: t.DiagMat(gen(ctx, (shape[0], ONE), d)),
    "diagvec": lambda ctx, shape, d: t.DiagVec(gen(ctx, (shape[0], shape[0]), d)),
    "trace": lambda ctx, shape, d: t.trace(gen(ctx, (_dim(ctx),) * 2, d)),
    "det": lambda ctx, shape, d: t.Det(spd(ctx, _dim(ctx), min(d, 2))),
    "logdet": lambda ctx, shape, d: t.LogDet(spd(ctx, _dim(ctx), d)),
    "norm2": lambda ctx, shape, d: t.Norm(positive(ctx, _any_shape(ctx), d), 2),
    "normsq": lambda ctx, shape, d: t.power(t.Norm(gen(ctx, _any_shape(ctx), d), 2), 2),
    "norm1": lambda ctx, shape, d: t.Norm(positive(ctx, (_dim(ctx), ONE), d), 1),
    "sum": _sum,
    "call": lambda ctx, shape, d: t.Call("f", gen(ctx, _any_shape(ctx), d)),
    "power": lambda ctx, shape, d: t.power(
        positive(ctx, t.SCALAR, d), ctx.draw(st.sampled_from([2, 3, -1, sympy.Rational(1, 2), sympy.Rational(-3, 2)]))
    ),
    "root": lambda ctx, shape, d: t.hadamard_pow(positive(ctx, shape, d), sympy.Rational(1, 2)),
    "kron": _kron,
    "vec": _vec,
    "spectral": _spectral,
    "statistics": _statistics,
    "softmax": _softmax,
    "rowwise": _rowwise,
    "extremum": _extremum,
}

FUNCTIONS = {"g": "elementwise", "f": "scalar"}


@st.composite
def expressions(draw, max_depth: int = 5):
    """(f, wrt, shapes, domains): a random scalar function and one of its variables."""
    ctx = Context(draw)
    f = gen(ctx, t.SCALAR, draw(st.integers(2, max_depth)))
    symbols = sorted(f.free_symbols, key=lambda s: s.name)
    if not symbols:
        f = t.add(f, t.trace(ctx.symbol((DIMS[0], DIMS[0]))))
        symbols = sorted(f.free_symbols, key=lambda s: s.name)
    wrt = draw(st.sampled_from(symbols))
    shapes = {s.name: tuple(str(d) if not d.is_Integer else int(d) for d in s.dims) for s in symbols}
    domains = {s.name: sorted(s.assumptions) for s in symbols if s.assumptions}
    return f, wrt, shapes, domains


def shuffled(e: t.Expr, rng) -> t.Expr:
    """e with the operands of every sum and Hadamard product permuted by ``rng`` (the same
    value; the nodes are built directly, so nothing is re-sorted or merged)."""
    memo: dict = {}

    def walk(n: t.Expr) -> t.Expr:
        if n in memo:
            return memo[n]
        args = []
        for a in n.args():
            if isinstance(a, t.Expr):
                args.append(walk(a))
            elif isinstance(a, tuple) and a and isinstance(a[0], t.Expr):
                items = [walk(x) for x in a]
                if isinstance(n, (t.Add, t.Hadamard)):
                    rng.shuffle(items)
                args.append(tuple(items))
            else:
                args.append(a)
        memo[n] = out = type(n)(*args)
        return out

    return walk(e)
