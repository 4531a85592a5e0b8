"""Numeric evaluation of expressions with NumPy.

``evaluate(e, {"X": array, …})`` binds every dimension symbol from the shapes of the given
arrays (or from ``dims``): of e's symbols and of the symbols its root remembers
(``Expr.origin``, the expression a result came from: ``grad("tr(X)", "X").evaluate({"X": X})``
is the identity of X's size).  It evaluates each distinct node of the tree once — children
before parents, without recursion — and returns a float for a 1×1 result, a 1-D array for an
n×1 result and a 2-D array otherwise.  Inside, every value is a 2-D float array of its node's
shape.  The rules are data: ``RULES`` maps each node class to a function of (node, Evaluator).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
import sympy

from .. import expr as t
from ..calculus.elementwise import builtin_formula, formula_derivative
from ..errors import DomainError, ShapeError, UnsupportedError
from ..expr.nodes import DifferentialOf
from ..language.limits import ENTRIES_PER_UNIT, MAX_ENTRIES, spend
from ..language.names import canonical_name
from ..language.formula import Formula
from . import functions as fn

PRIMES = {1: ("′", "'"), 2: ("″", "''", "′′"), 3: ("‴", "'''", "′′′")}
SINGULAR_CONDITION = 1.0 / np.finfo(float).eps


class NumericError(DomainError):
    """The point is outside an operation's domain (a singular matrix, a non-positive det)."""


def _show(e: t.Expr) -> str:
    try:
        return str(e)
    except Exception:
        return type(e).__name__


# --------------------------------------------------------------------------------------------
# Values in and out


def _as_matrix(label: str, value, symbolic: t.Shape) -> np.ndarray:
    """``value`` as a 2-D float (or complex) array; a 1-D array fills a column (or a declared row)."""
    try:
        a = np.asarray(value, dtype=complex if np.iscomplexobj(value) else float)
    except (TypeError, ValueError):
        raise DomainError(f"the value of {label} is not a real number or array: {value!r}") from None
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        row = symbolic[0] == t.ONE and symbolic[1] != t.ONE
        return a.reshape(1, -1) if row else a.reshape(-1, 1)
    if a.ndim == 2:
        return a
    raise ShapeError(f"the value of {label} has {a.ndim} axes; a matrix has 2 (shape {a.shape})")


def user_form(shape: t.Shape, a: np.ndarray):
    """A float for a 1×1 shape, a 1-D array for n×1, else a 2-D array (always a fresh copy)."""
    if t.is_scalar_shape(shape):
        return complex(a[0, 0]) if np.iscomplexobj(a) else float(a[0, 0])
    if shape[1] == t.ONE:
        return np.array(a[:, 0])
    return np.array(a)


def user_axes(shape: tuple) -> tuple:
    """The axes of a value as ``evaluate`` returns it: () scalar, (n,) column, else (m, n)."""
    if shape == (1, 1):
        return ()
    return (shape[0],) if shape[1] == 1 else shape


def _shape_text(shape) -> str:
    return "×".join(str(s) for s in shape) if len(shape) else "scalar"


# --------------------------------------------------------------------------------------------
# The evaluator


def _operands(n: t.Expr) -> tuple:
    """The children whose values a node's rule reads (dX does not read X; a product reads the
    vector v of a diag(v) factor, not the dense diagonal matrix)."""
    if isinstance(n, t.MatMul):
        return tuple(f.arg if isinstance(f, t.DiagMat) else f for f in n.factors)
    return () if isinstance(n, t.Differential) else n.children()


class Evaluator:
    """Values of expressions at one point: dimensions bound, each distinct node computed once."""

    def __init__(self, exprs, values=None, dims=None, functions=None):
        self.exprs = tuple(exprs)
        self.functions = dict(functions or {})
        self.memo: dict = {}
        self.sizes: dict[str, int] = {}
        self.origin: dict[str, str] = {}
        for name, size in (dims or {}).items():
            self._bind(str(name), size, "dims")
        self.values = self._resolve(values or {})
        self._depends: dict[str, set] = {}
        self._entries: dict = {}  # symbolic shape → number of entries

    # ---- binding ---------------------------------------------------------------------------

    def _leaves(self) -> dict:
        """{(kind, name): the Symbol or Differential node} over all expressions, then the
        symbols their roots remember (``origin``), whose values only bind dimensions."""
        leaves: dict = {}
        for root in self.exprs:
            for n in t.walk(root):
                if isinstance(n, t.Symbol):
                    leaves.setdefault(("sym", n.name), n)
                elif isinstance(n, t.Differential):
                    leaves.setdefault(("diff", n.var.name), n)
        for root in self.exprs:
            for s in root.origin:
                leaves.setdefault(("sym", s.name), s)
        return leaves

    def _key(self, key, leaves) -> tuple:
        if isinstance(key, t.Symbol):
            return ("sym", key.name)
        if isinstance(key, t.Differential):
            return ("diff", key.var.name)
        if not isinstance(key, str):
            raise DomainError(f"a value must be keyed by a symbol or its name, not {key!r}")
        name = canonical_name(key)
        if ("sym", name) in leaves or len(key) < 2 or not key.startswith("d"):
            return ("sym", name)
        return ("diff", canonical_name(key[1:]))

    def _resolve(self, values: dict) -> dict:
        leaves = self._leaves()
        out: dict = {}
        for key, value in values.items():
            k = self._key(key, leaves)
            if k in leaves:
                label = ("d" if k[0] == "diff" else "") + k[1]
                out[k] = (label, value)
        resolved = {}
        for k, (label, value) in out.items():
            node = leaves[k]
            a = _as_matrix(label, value, node.shape)
            if np.iscomplexobj(a) and t.is_real(node):
                raise DomainError(f"the value of {label} is complex but {label} is real: declare it complex")
            self._bind_shape(label, node.shape, a.shape, np.shape(value))
            resolved[k] = a
        for k, a in resolved.items():  # dims that are expressions (m·n) once all are known
            self._check_shape(out[k][0], leaves[k].shape, a.shape, np.shape(out[k][1]))
        return resolved

    def _bind(self, name: str, size, source: str) -> None:
        if not isinstance(size, (int, np.integer)) or size < 1:
            raise DomainError(f"the size of dimension {name} must be a positive integer, not {size!r}")
        old = self.sizes.get(name)
        if old is not None and old != size:
            raise ShapeError(f"dimension {name} is {old} (from {self.origin[name]}) but {source} makes it {size}")
        self.sizes[name] = int(size)
        self.origin.setdefault(name, source)

    def _bind_shape(self, label: str, shape: t.Shape, actual: tuple, given: tuple) -> None:
        for d, n in zip(shape, actual):
            if isinstance(d, sympy.Symbol):
                if d.name in self.sizes and self.sizes[d.name] != n:
                    self._conflict(label, shape, given, d.name)
                self._bind(d.name, n, label)
        self._check_shape(label, shape, actual, given)

    def _check_shape(self, label, shape, actual, given) -> None:
        for d, n in zip(shape, actual):
            known = {s.name for s in d.free_symbols} <= set(self.sizes)
            if known and self.size(d) != n:
                culprit = next(iter(sorted(s.name for s in d.free_symbols)), None)
                self._conflict(label, shape, given, culprit)

    def _conflict(self, label, shape, actual, dim_name) -> None:
        where = ""
        if dim_name is not None and dim_name in self.origin and self.origin[dim_name] != label:
            where = f" ({dim_name} = {self.sizes[dim_name]} from {self.origin[dim_name]})"
        raise ShapeError(
            f"{label} is declared {t.show_shape(shape)} but its value has shape "
            f"{_shape_text(actual)}{where}"
        )

    def size(self, d) -> int:
        """The integer size of a dimension expression."""
        if isinstance(d, sympy.Integer):
            return int(d)
        return int(self.number(d))

    def number(self, value: sympy.Expr) -> float:
        """A float from a SymPy number that may involve dimension symbols."""
        subs = {}
        for s in value.free_symbols:
            if s.name not in self.sizes:
                raise DomainError(
                    f"the dimension {s.name} is not known: give a value of that size or dims={{'{s.name}': …}}"
                )
            subs[s] = self.sizes[s.name]
        try:
            value = value.subs(subs) if subs else value
            return complex(value) if value.has(sympy.I) else float(value)
        except (TypeError, ValueError):
            raise DomainError(f"{value} is not a real number") from None

    def shape(self, e: t.Expr) -> tuple[int, int]:
        return (self.size(e.rows), self.size(e.cols))

    # ---- evaluation ------------------------------------------------------------------------

    def matrix(self, e: t.Expr) -> np.ndarray:
        """The value of ``e`` as a 2-D array of its shape."""
        if e not in self.memo:
            with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
                for n in t.postorder(e, self.memo, _operands):
                    self.memo[n] = self._rule(n)
        return self.memo[e]

    def value(self, e: t.Expr):
        """The value of ``e`` in the public form (float, 1-D or 2-D array)."""
        return user_form(e.shape, self.matrix(e))

    def __getitem__(self, e: t.Expr) -> np.ndarray:
        return self.memo[e]

    def _rule(self, n: t.Expr) -> np.ndarray:
        rule = RULES.get(type(n))
        if rule is None:
            raise UnsupportedError(f"cannot evaluate a {type(n).__name__} node")
        self._spend(n)
        try:
            return fn.as_array(rule(n, self))
        except np.linalg.LinAlgError as exc:
            raise NumericError(f"cannot evaluate {_show(n)}: {exc}") from None
        except ValueError as exc:
            raise ShapeError(f"cannot evaluate {_show(n)}: {exc}") from None

    def _spend(self, n: t.Expr) -> None:
        """Draw the work of n's value from the budget (language.limits), refusing a value of more
        than MAX_ENTRIES entries before it is made."""
        entries = self._entries.get(n.shape)
        if entries is None:
            try:
                entries = self._entries[n.shape] = self.size(n.rows) * self.size(n.cols)
            except DomainError:  # a size only the value shows
                entries = 1
        if entries > MAX_ENTRIES:
            raise UnsupportedError(f"the value of {_show(n)} would have {entries:,} entries (the limit is {MAX_ENTRIES:,})")
        spend(1 + entries // ENTRIES_PER_UNIT)

    def at(self, name: str, array: np.ndarray) -> "Evaluator":
        """The same point with symbol ``name`` set to ``array`` (2-D); values that do not
        depend on ``name`` are kept."""
        other = Evaluator.__new__(Evaluator)
        other.exprs, other.functions = self.exprs, self.functions
        other.sizes, other.origin, other._entries = self.sizes, self.origin, self._entries
        other.values = dict(self.values)
        other.values[("sym", name)] = array
        other._depends = self._depends
        if name not in self._depends:
            depends: set = set()
            done: set = set()
            for root in self.exprs:
                for n in t.postorder(root, done, _operands):
                    done.add(n)
                    if (isinstance(n, t.Symbol) and n.name == name) or any(c in depends for c in _operands(n)):
                        depends.add(n)
            self._depends[name] = depends
        other.memo = {n: v for n, v in self.memo.items() if n not in self._depends[name]}
        return other


# --------------------------------------------------------------------------------------------
# Rules, one per node class


def _leaf(kind: str):
    def rule(n, ev: Evaluator):
        name = n.name if kind == "sym" else n.var.name
        a = ev.values.get((kind, name))
        if a is None:
            label = name if kind == "sym" else "d" + name
            raise DomainError(f"no value for {label}")
        return a

    return rule


def _inverse(a: np.ndarray, what: str = "the inverse") -> np.ndarray:
    if np.all(np.isfinite(a)) and np.linalg.cond(a) >= SINGULAR_CONDITION:
        raise NumericError(f"{what} of a singular matrix does not exist:\n{np.array2string(a, precision=4)}")
    return np.linalg.inv(a)


def _logdet(a: np.ndarray) -> float:
    sign, logabs = np.linalg.slogdet(a)
    if np.iscomplexobj(a):  # the principal logarithm of a complex determinant
        return np.log(sign) + logabs
    if sign <= 0:
        raise NumericError(f"log det needs a positive determinant, got det = {sign * np.exp(logabs):.4g}")
    return logabs


def _adj(a: np.ndarray) -> np.ndarray:
    """adj A = det(A)A⁻¹, by cofactors when A is (nearly) singular."""
    n = a.shape[0]
    if n == 1:
        return np.ones((1, 1))
    if np.linalg.cond(a) < 1e8:
        return np.linalg.det(a) * np.linalg.inv(a)
    cof = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, axis=0), j, axis=1)
            cof[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return cof.T


def _power(base: np.ndarray, p: float | int) -> np.ndarray:
    return base**p if isinstance(p, int) else np.power(base, p)


def _exponent(ev: Evaluator, p: sympy.Expr):
    return int(p) if isinstance(p, sympy.Integer) else ev.number(p)


@lru_cache(maxsize=None)
def _numeric(formula: Formula | sympy.Expr, order: int) -> Callable:
    """The NumPy function of the order-th derivative of a formula in x."""
    return fn.numeric_formula(formula_derivative(formula, order))


def _user_callable(ev: Evaluator, name: str, order: int):
    keys = ([(name, order)] + [name + p for p in PRIMES.get(order, ())]) if order else [name, (name, 0)]
    return next((ev.functions[k] for k in keys if k in ev.functions), None)


def _apply(n: t.Apply, ev: Evaluator) -> np.ndarray:
    a = ev[n.arg]
    if n.formula is not None:
        f = _numeric(n.formula, n.order)
    elif n.name in fn.NUMERIC:
        f = fn.NUMERIC[n.name] if n.order == 0 else _numeric(builtin_formula(n.name), n.order)
    else:
        f = _user_callable(ev, n.name, n.order) or _numeric(fn.STAND_IN_ELEMENTWISE, n.order)
    try:
        value = f(a)
    except UnsupportedError as exc:
        raise UnsupportedError(f"cannot evaluate the function {n.name}: {exc}") from None
    return np.broadcast_to(fn.as_array(value), a.shape)


def _call(n: t.Call, ev: Evaluator) -> np.ndarray:
    f = ev.functions.get(n.name, fn.stand_in_scalar)
    r = np.asarray(f(user_form(n.arg.shape, ev[n.arg])), dtype=float)
    if r.size != 1:
        raise ShapeError(f"{n.name} must return a scalar, got an array of shape {r.shape}")
    return r.reshape(1, 1)


def _grad(n: t.Grad, ev: Evaluator) -> np.ndarray:
    g = ev.functions.get("∇" + n.name, fn.stand_in_gradient)
    a = ev[n.arg]
    r = np.asarray(g(user_form(n.arg.shape, a)), dtype=float)
    if r.size != a.size:
        raise ShapeError(f"∇{n.name} must return an array of shape {a.shape}, got {r.shape}")
    return r.reshape(a.shape)


def _commutation(m: int, n: int) -> np.ndarray:
    """K with K vec(A) = vec(Aᵀ) for an m×n A: row k of K picks entry k of vec(Aᵀ)."""
    where = np.arange(m * n).reshape((m, n), order="F")  # position of A[i, j] in vec(A)
    return np.eye(m * n)[where.T.reshape(-1, order="F")]


def _kron_factor(n: t.KronFactor, ev: Evaluator) -> np.ndarray:
    """left: R[i,j] = Σₖₗ C[(i,k),(j,l)] B[k,l]; right: R[k,l] = Σᵢⱼ C[(i,k),(j,l)] A[i,j]."""
    c, o = ev[n.arg], ev[n.other]
    (rows, cols), (p, q) = c.shape, o.shape
    if rows % p or cols % q:
        raise ShapeError(f"a {rows}×{cols} matrix is not a Kronecker product with a {p}×{q} factor")
    if n.side == "left":
        return np.einsum("ikjl,kl->ij", c.reshape(rows // p, p, cols // q, q), o)
    return np.einsum("ikjl,ij->kl", c.reshape(p, rows // p, q, cols // q), o)


def _differential_of(n: DifferentialOf, ev: Evaluator) -> np.ndarray:
    """d(E) along dX, numerically: central differences (E(X + h dX) − E(X − h dX)) / 2h refined
    by Richardson extrapolation (4D(h/2) − D(h)) / 3, for h = 10⁻³·{1, ¼, 1/16} (relative to X
    and dX); of two consecutive estimates, the finer of the pair that agrees best."""
    name, dx = n.direction.var.name, ev[n.direction]
    x = ev.values.get(("sym", name))
    if x is None:
        raise DomainError(f"no value for {name}, needed for d({_show(n.arg)})")
    size = float(np.max(np.abs(dx))) if dx.size else 0.0
    if size == 0.0:
        return np.zeros(ev.shape(n))
    h0 = 1e-3 * max(1.0, float(np.max(np.abs(x)))) / size

    def quotient(h):
        return (ev.at(name, x + h * dx).matrix(n.arg) - ev.at(name, x - h * dx).matrix(n.arg)) / (2 * h)

    return richardson(quotient, (h0, h0 / 4, h0 / 16))[0]


def richardson(quotient, steps):
    """(value, gap) of a difference quotient D(h) refined by Richardson extrapolation
    R(h) = (4D(h/2) − D(h)) / 3 at each step h: of consecutive estimates, the pair that agrees
    best (largest entry of their difference) gives the value, the finer one, and the gap,
    finer minus coarser, as its error.  D may return a number or an array."""
    estimates = [(4 * quotient(h / 2) - quotient(h)) / 3 for h in steps]
    gaps = [np.max(np.abs(b - a)) for a, b in zip(estimates, estimates[1:])]
    j = 0 if all(np.isnan(gaps)) else int(np.nanargmin(gaps))
    return estimates[j + 1], estimates[j + 1] - estimates[j]


def _chain(arrays: list) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.linalg.multi_dot(arrays)


def _matmul(n: t.MatMul, ev: Evaluator) -> np.ndarray:
    """The product, with a diag(v) factor applied as a scaling: diag(v)B = v[:, None] * B and
    B diag(v) = B * v[None, :] (the dense diagonal matrix is never built)."""
    done, rows = [], None  # the product so far; a diagonal not yet applied to the next factor
    for f in n.factors:
        if isinstance(f, t.DiagMat):
            v = ev[f.arg][:, 0]
            if done:
                done = [_chain(done) * v[None, :]]
            else:
                rows = v if rows is None else rows * v
            continue
        a = ev[f]
        done.append(a if rows is None else rows[:, None] * a)
        rows = None
    return _chain(done) if done else np.diag(rows)


def _norm(n: t.Norm, ev: Evaluator) -> float:
    a = np.abs(ev[n.arg])  # |a|² = a² for a real a, āa for a complex one
    return np.sqrt(np.sum(a * a)) if n.p == 2 else np.sum(a)


RULES: dict[type, Callable[[t.Expr, Evaluator], np.ndarray]] = {
    t.Symbol: _leaf("sym"),
    t.Differential: _leaf("diff"),
    t.Number: lambda n, ev: np.full((1, 1), ev.number(n.value)),
    t.Identity: lambda n, ev: np.eye(ev.size(n.n)),
    t.Ones: lambda n, ev: np.ones((ev.size(n.n), 1)),
    t.Zero: lambda n, ev: np.zeros(ev.shape(n)),
    t.Add: lambda n, ev: sum(ev[x] for x in n.terms),
    t.Scale: lambda n, ev: ev[n.factor][0, 0] * ev[n.operand],
    t.MatMul: _matmul,
    t.Transpose: lambda n, ev: ev[n.arg].T,
    t.Inverse: lambda n, ev: _inverse(ev[n.arg]),
    t.MatPow: lambda n, ev: np.linalg.matrix_power(ev[n.arg], n.exponent),
    t.Power: lambda n, ev: _power(ev[n.base], _exponent(ev, n.exponent)),
    t.Trace: lambda n, ev: np.trace(ev[n.arg]).reshape(1, 1),
    t.Det: lambda n, ev: np.full((1, 1), np.linalg.det(ev[n.arg])),
    t.LogDet: lambda n, ev: np.full((1, 1), _logdet(ev[n.arg])),
    t.Adj: lambda n, ev: _adj(ev[n.arg]),
    t.Hadamard: lambda n, ev: np.prod([ev[x] for x in n.factors], axis=0),
    t.HadamardDiv: lambda n, ev: ev[n.num] / ev[n.den],
    t.HadamardPow: lambda n, ev: _power(ev[n.base], _exponent(ev, n.exponent)),
    t.Apply: _apply,
    t.Kron: lambda n, ev: np.kron(ev[n.left], ev[n.right]),
    t.Norm: lambda n, ev: np.full((1, 1), _norm(n, ev)),
    t.Call: _call,
    t.Grad: _grad,
    t.DiagMat: lambda n, ev: np.diag(ev[n.arg][:, 0]),
    t.DiagVec: lambda n, ev: np.diag(ev[n.arg]).reshape(-1, 1),
    t.TriangularPart: lambda n, ev: (np.tril if n.side == "lower" else np.triu)(ev[n.arg]),
    t.Vec: lambda n, ev: ev[n.arg].reshape(-1, 1, order="F"),
    t.Unvec: lambda n, ev: ev[n.arg].reshape(ev.shape(n), order="F"),
    t.KronFactor: _kron_factor,
    t.Broadcast: lambda n, ev: np.broadcast_to(ev[n.arg], ev.shape(n)),
    t.Commutation: lambda n, ev: _commutation(ev.size(n.m), ev.size(n.n)),
    DifferentialOf: _differential_of,
    t.Conj: lambda n, ev: np.conj(ev[n.arg]),
    t.Real: lambda n, ev: np.real(ev[n.arg]),
    t.Imag: lambda n, ev: np.imag(ev[n.arg]),
}


def evaluate(e: t.Expr, values: dict | None = None, *, dims: dict | None = None, functions: dict | None = None):
    """The value of ``e`` at ``values`` ({"X": array, "dX": array, symbol: array, …}).

    ``dims`` pins dimension sizes ({"n": 3}) that no value determines; ``functions`` gives
    callables for user functions ("g", "g′" or ("g", 1), "f", "∇f"), else stand-ins are used.
    Returns a float for a 1×1 result, a 1-D array for an n×1 result, else a 2-D array.
    """
    return Evaluator([e], values, dims, functions).value(e)
