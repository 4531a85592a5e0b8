"""Numeric evaluation of expressions with NumPy, by compiled code.

``Evaluator([e], {"X": array, …}).value(e)`` binds every dimension symbol from the shapes of the given
arrays (or from ``dims``): of e's symbols and of the symbols its root remembers
(``Expr.origin``, the expression a result came from: ``grad("tr(X)", "X").evaluate({"X": X})``
is the identity of X's size).  The value is computed by e's NumPy program (``matcalc.codegen``:
each distinct node once, as straight-line code), built once per expression and cached; the
``Evaluator`` is its runtime for what code cannot compute itself (a user's functions given as
callables, the stand-ins of opaque functions, d(E) by finite differences).  It returns a float
for a 1×1 result, a 1-D array for an n×1 result and a 2-D array otherwise; ``Evaluator.matrix``
gives every value as a 2-D float (or complex) array of its node's shape.  A complex value is
taken only by a symbol declared complex (hermitian, unitary).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
import sympy

from .. import expr as t
from ..calculus.elementwise import formula_derivative
from ..codegen import NUMPY, build, kind, load
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
        a = fn.as_array(value)
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
        self._entries: dict = {}  # symbolic shape → number of entries

    # ---- binding ---------------------------------------------------------------------------

    def _leaves(self) -> dict:
        return _leaves_of(self.exprs, tuple(r.origin for r in self.exprs))  # equal trees may remember different origins

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
        if isinstance(d, sympy.Symbol) and d.name in self.sizes:
            return self.sizes[d.name]
        return int(self.number(d))

    def number(self, value: sympy.Expr) -> float | complex:
        """A float (complex with i) from a SymPy number that may involve dimension symbols."""
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
        """The value of ``e`` as a 2-D array of its shape, by e's compiled NumPy program."""
        if e not in self.memo:
            prog, run = compiled(e)
            self._limit(prog)
            args = [self._argument(p) for p in prog.params]
            try:
                with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
                    (out,) = run(self, self.sizes, *args)
            except np.linalg.LinAlgError as exc:
                raise NumericError(f"cannot evaluate {_show(e)}: {exc}") from None
            except (ValueError, IndexError) as exc:
                raise ShapeError(f"cannot evaluate {_show(e)}: {exc}") from None
            except KeyError as exc:
                raise DomainError(f"the dimension {exc.args[0]} is not known: give a value of that size or "
                                  f"dims={{'{exc.args[0]}': …}}") from None
            self.memo[e] = _as_2d(out, self.shape(e) if _known(self, e) else None)
        return self.memo[e]

    def value(self, e: t.Expr):
        """The value of ``e`` in the public form (float, 1-D or 2-D array)."""
        return user_form(e.shape, self.matrix(e))

    def __getitem__(self, e: t.Expr) -> np.ndarray:
        return self.memo[e]

    def _argument(self, p):
        a = self.values.get(p.key)
        if a is None:
            raise DomainError(f"no value for {p.name}")
        k = kind(p.leaf.shape)
        return a if k == "m" else a[:, 0] if k == "c" else a[0, :] if k == "r" else a[0, 0]

    def _limit(self, prog) -> None:
        """Draw the work of the program's values from the budget (language.limits)."""
        spend(self.units(prog))

    def units(self, prog) -> int:
        """The work of the program's values, refusing a value of more than MAX_ENTRIES entries
        before anything is computed."""
        units = 0
        for n in prog.materialized:
            entries = self._entries.get(n.shape)
            if entries is None:
                try:
                    entries = self._entries[n.shape] = self.size(n.rows) * self.size(n.cols)
                except DomainError:  # a size only the value shows
                    entries = 1
            if entries > MAX_ENTRIES:
                raise UnsupportedError(f"the value of {_show(n)} would have {entries:,} entries (the limit is {MAX_ENTRIES:,})")
            units += 1 + entries // ENTRIES_PER_UNIT
        return units

    def at(self, name: str, array: np.ndarray) -> "Evaluator":
        """The same point with symbol ``name`` set to ``array`` (2-D); the compiled programs are kept."""
        other = Evaluator.__new__(Evaluator)
        other.exprs, other.functions = self.exprs, self.functions
        other.sizes, other.origin, other._entries = self.sizes, self.origin, self._entries
        other.values = dict(self.values)
        other.values[("sym", name)] = array
        other.memo = {}
        return other

    # ---- the runtime of compiled programs: what code cannot compute itself --------------------

    def apply(self, n: t.Apply, a):
        """A user's elementwise function given as a callable, else its stand-in."""
        f = _user_callable(self, n.name, n.order) or _numeric(fn.STAND_IN_ELEMENTWISE, n.order)
        try:
            value = f(a)
        except UnsupportedError as exc:
            raise UnsupportedError(f"cannot evaluate the function {n.name}: {exc}") from None
        return np.broadcast_to(fn.as_array(value), np.shape(a)).copy()

    def call(self, n: t.Call, a):
        f = self.functions.get(n.name, fn.stand_in_scalar)
        r = np.asarray(f(_public(n.arg.shape, a)), dtype=float)
        if r.size != 1:
            raise ShapeError(f"{n.name} must return a scalar, got an array of shape {r.shape}")
        return float(r.reshape(-1)[0])

    def grad(self, n: t.Grad, a):
        g = self.functions.get("∇" + n.name, fn.stand_in_gradient)
        r = np.asarray(g(_public(n.arg.shape, a)), dtype=float)
        if r.size != np.size(a):
            raise ShapeError(f"∇{n.name} must return an array of shape {np.shape(a)}, got {r.shape}")
        return r.reshape(np.shape(a))

    def differential_of(self, n: DifferentialOf):
        """d(E) along dX, numerically: central differences (E(X + h dX) − E(X − h dX)) / 2h refined
        by Richardson extrapolation (4D(h/2) − D(h)) / 3, for h = 10⁻³·{1, ¼, 1/16} (relative to X
        and dX); of two consecutive estimates, the finer of the pair that agrees best."""
        name, dx = n.direction.var.name, self.matrix(n.direction)
        x = self.values.get(("sym", name))
        if x is None:
            raise DomainError(f"no value for {name}, needed for d({_show(n.arg)})")
        size = float(np.max(np.abs(dx))) if dx.size else 0.0
        if size == 0.0:
            return _kind_form(np.zeros(self.shape(n)), n.shape)
        h0 = 1e-3 * max(1.0, float(np.max(np.abs(x)))) / size

        def quotient(h):
            return (self.at(name, x + h * dx).matrix(n.arg) - self.at(name, x - h * dx).matrix(n.arg)) / (2 * h)

        return _kind_form(richardson(quotient, (h0, h0 / 4, h0 / 16))[0], n.shape)


@lru_cache(maxsize=2048)
def _leaves_of(exprs: tuple, origins: tuple) -> dict:
    """{(kind, name): the Symbol or Differential node} over all expressions, then the symbols
    their roots remember (``origin``), whose values only bind dimensions (read, never changed)."""
    leaves: dict = {}
    for root in exprs:
        for n in t.walk(root):
            if isinstance(n, t.Symbol):
                leaves.setdefault(("sym", n.name), n)
            elif isinstance(n, t.Differential):
                leaves.setdefault(("diff", n.var.name), n)
    for origin in origins:
        for s in origin:
            leaves.setdefault(("sym", s.name), s)
    return leaves


def _known(ev: Evaluator, e: t.Expr) -> bool:
    return all({s.name for s in d.free_symbols} <= set(ev.sizes) for d in e.shape)


def _as_2d(value, shape) -> np.ndarray:
    a = fn.as_array(value)
    if a.ndim == 2:
        return a
    if shape is not None:
        return np.broadcast_to(a, shape[0] * shape[1]).reshape(shape) if a.ndim == 1 else np.full(shape, a)
    return a.reshape(1, 1) if a.ndim == 0 else a.reshape(-1, 1)


def _kind_form(a: np.ndarray, shape):
    k = kind(shape)
    return a if k == "m" else a[:, 0] if k == "c" else a[0, :] if k == "r" else a[0, 0]


def _public(shape, a):
    """A kind-form value as ``evaluate`` gives it to a user's function (a float, 1-D or 2-D array)."""
    k = kind(shape)
    if k == "s":
        return float(a)
    if k == "r":
        return np.asarray(a).reshape(1, -1)
    return np.array(a)


# --------------------------------------------------------------------------------------------
# Compiled programs, one per expression, cached


def _inv(a: np.ndarray) -> np.ndarray:
    if np.all(np.isfinite(a)) and np.linalg.cond(a) >= SINGULAR_CONDITION:
        raise NumericError(f"the inverse of a singular matrix does not exist:\n{np.array2string(a, precision=4)}")
    return np.linalg.inv(a)


def _logdet(a: np.ndarray) -> float:
    sign, logabs = np.linalg.slogdet(a)
    if sign <= 0:
        raise NumericError(f"log det needs a positive determinant, got det = {sign * np.exp(logabs):.4g}")
    return logabs


def _logdet_spd(a: np.ndarray) -> float:
    return _logdet(a)


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


RUNTIME_HELPERS = {"np": np, "_inv": _inv, "_logdet": _logdet, "_logdet_spd": _logdet_spd, "_adj": _adj}


@lru_cache(maxsize=2048)
def compiled(e: t.Expr):
    """(the Program of e's value on NumPy, its function), built once per expression."""
    prog = build([e], NUMPY, flavor="internal")
    run = load(prog, dict(RUNTIME_HELPERS, _N=prog.nodes))
    return prog, run


@lru_cache(maxsize=None)
def _numeric(formula: Formula | sympy.Expr, order: int) -> Callable:
    """The NumPy function of the order-th derivative of a formula in x."""
    return fn.numeric_formula(formula_derivative(formula, order))


def _user_callable(ev: Evaluator, name: str, order: int):
    keys = ([(name, order)] + [name + p for p in PRIMES.get(order, ())]) if order else [name, (name, 0)]
    return next((ev.functions[k] for k in keys if k in ev.functions), None)


def richardson(quotient, steps):
    """(value, gap) of a difference quotient D(h) refined by Richardson extrapolation
    R(h) = (4D(h/2) − D(h)) / 3 at each step h: of consecutive estimates, the pair that agrees
    best (largest entry of their difference) gives the value, the finer one, and the gap,
    finer minus coarser, as its error.  D may return a number or an array."""
    estimates = [(4 * quotient(h / 2) - quotient(h)) / 3 for h in steps]
    gaps = [np.max(np.abs(b - a)) for a, b in zip(estimates, estimates[1:])]
    j = 0 if all(np.isnan(gaps)) else int(np.nanargmin(gaps))
    return estimates[j + 1], estimates[j + 1] - estimates[j]


def evaluate(e: t.Expr, values: dict | None = None, *, dims: dict | None = None, functions: dict | None = None):
    """The value of ``e`` at ``values``, every binding checked (``numeric.evaluate``, in ``plans``,
    remembers the binding of a call for the next one)."""
    return Evaluator([e], values, dims, functions).value(e)
