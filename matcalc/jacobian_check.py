"""The Jacobian as a result: its value at a point, as a matrix or a tensor, and its check.

``Jacobian`` holds the closed form J of ``matcalc.jacobian`` (numerator layout: vec(dF) =
J vec(dX); denominator layout: Jᵀ; for a Hessian, H with d²f = vec(dX)ᵀ H vec(dX)) and
evaluates it with ``Expr.evaluate``.  ``finite_difference_jacobian`` and
``finite_difference_hessian`` give central differences, Richardson-refined
((4D(h/2) − D(h))/3) at h and h/4, the finer the value and the gap its error estimate;
``Jacobian.check`` compares them with J at random points and returns a ``JacobianCheck``,
truthy iff every point agreed to rtol (with the absolute floor of ``matcalc.check``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
import sympy

from . import tree as t
from .check import MAX_TRIES, NOISE, STEP, UNRESOLVED
from .errors import DomainError, UnsupportedError


# ---- finite differences ---------------------------------------------------------------------

HESSIAN_STEP = 4e-3  # second differences; first differences use check.STEP


def _user_axes(shape: tuple) -> tuple:
    """The axes of a value as ``evaluate`` returns it: () scalar, (n,) column, else (m, n)."""
    if shape == (1, 1):
        return ()
    return (shape[0],) if shape[1] == 1 else shape


def _value_shape(s: t.Symbol, value) -> tuple:
    """The 2-D shape of a value given for s (a 1-D array is a column, or a declared row)."""
    shape = np.shape(value)
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (1, shape[0]) if s.rows == t.ONE and s.cols != t.ONE else (shape[0], 1)
    return shape


def _sizes(e: t.Expr, values: dict, dims: dict | None) -> dict:
    """Dimension sizes: ``dims`` and those the values of e's symbols show."""
    out = {str(k): int(v) for k, v in (dims or {}).items()}
    named = {(k.name if isinstance(k, t.Symbol) else k): v for k, v in values.items()}
    for s in e.free_symbols:
        if s.name in named:
            for d, size in zip(s.dims, _value_shape(s, named[s.name])):
                if isinstance(d, sympy.Symbol):
                    out.setdefault(d.name, int(size))
    return out


def _numeric_shape(shape: tuple, sizes: dict) -> tuple[int, int]:
    subs = {sympy.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
    try:
        return tuple(int(sympy.sympify(d).subs(subs)) for d in shape)
    except (TypeError, ValueError):
        raise DomainError(f"the size of {t.show_shape(shape)} is not known: give dims") from None


def _vec_value(value) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    return a.reshape(-1, order="F")


def _moved(values: dict, name: str, k: int, step: float) -> dict:
    """values with entry k (in vec order) of ``name`` moved by ``step``."""
    a = np.array(values[name], dtype=float)
    flat = a.reshape(-1, order="F").copy()
    flat[k] += step
    moved = dict(values)
    moved[name] = flat.reshape(a.shape, order="F") if a.ndim else float(flat[0])
    return moved


def _x_vec(values: dict, x: t.Symbol) -> np.ndarray:
    if x.name not in values:
        raise DomainError(f"no value for {x.name}")
    return _vec_value(values[x.name])


def finite_difference_jacobian(F, x, values, dims=None, functions=None) -> tuple[np.ndarray, float]:
    """(J_fd, error): central differences of vec(F) in each entry of vec(X), Richardson-refined
    ((4D(h/2) − D(h))/3), at h and h/4; the finer is the value, their gap the error estimate."""
    sizes = _sizes(F, values, dims) | _sizes(x, values, dims)

    def value(vals):
        return _vec_value(F.evaluate(vals, dims=sizes, functions=functions))

    xv = _x_vec(values, x)
    cols, gaps = [], []
    for k in range(xv.size):
        def d(h):
            return (value(_moved(values, x.name, k, h)) - value(_moved(values, x.name, k, -h))) / (2 * h)

        def richardson(h):
            return (4 * d(h / 2) - d(h)) / 3

        h = STEP * max(1.0, abs(xv[k]))
        coarse, fine = richardson(h), richardson(h / 4)
        cols.append(fine)
        gaps.append(fine - coarse)
    j = np.column_stack(cols) if cols else np.zeros((0, 0))
    return j, float(np.linalg.norm(np.column_stack(gaps)))


def finite_difference_hessian(f, x, values, dims=None, functions=None) -> tuple[np.ndarray, float]:
    """(H_fd, error): second central differences of the scalar f, Richardson-refined, with
    H_ij(h) = (f(x + heᵢ + heⱼ) − f(x + heᵢ − heⱼ) − f(x − heᵢ + heⱼ) + f(x − heᵢ − heⱼ)) / 4h²."""
    sizes = _sizes(f, values, dims) | _sizes(x, values, dims)

    def value(vals):
        return float(f.evaluate(vals, dims=sizes, functions=functions))

    xv = _x_vec(values, x)
    n = xv.size
    h_fd, gap = np.zeros((n, n)), np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            def second(h):
                total = 0.0
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    moved = _moved(_moved(values, x.name, i, si * h), x.name, j, sj * h)
                    total += si * sj * value(moved)
                return total / (4 * h * h)

            def richardson(h):
                return (4 * second(h / 2) - second(h)) / 3

            h = HESSIAN_STEP * max(1.0, abs(xv[i]), abs(xv[j]))
            coarse, fine = richardson(h), richardson(h / 4)
            h_fd[i, j] = h_fd[j, i] = fine
            gap[i, j] = gap[j, i] = fine - coarse
    return h_fd, float(np.linalg.norm(gap))


# ---- the result and its check ---------------------------------------------------------------


@dataclass
class JacobianCheck:
    """Closed form against finite differences: truthy iff every point agreed to ``rtol``."""

    ok: bool
    errors: list = field(default_factory=list)
    expected: object = None  # finite differences at the worst point
    actual: object = None  # the closed form there
    rtol: float = 1e-6

    def __bool__(self) -> bool:
        return self.ok

    @property
    def error(self) -> float:
        return max(self.errors) if self.errors else 0.0

    def __str__(self) -> str:
        k = len(self.errors)
        where = "1 random point" if k == 1 else f"{k} random points"
        if self.ok:
            return f"✓ agrees with central finite differences at {where} (max relative error {self.error:.2g})"
        return "\n".join([
            f"✗ differs from finite differences at a random point (relative error {self.error:.2g})",
            "  finite differences: " + np.array2string(np.asarray(self.expected), precision=4, prefix=" " * 22),
            "  closed form:        " + np.array2string(np.asarray(self.actual), precision=4, prefix=" " * 22),
        ])


@dataclass(frozen=True)
class Jacobian:
    """∂vec(F)/∂vec(X)ᵀ in closed form (``matrix``), J with vec(dF) = J vec(dX); in the
    denominator layout its transpose.  For a Hessian (``hessian=True``) F is the scalar f and
    ``matrix`` is H with d²f = vec(dX)ᵀ H vec(dX).

    ``str`` is the Unicode form of the matrix, ``latex()`` its LaTeX.  ``evaluate(values)``
    gives the 2-D array, or with ``as_tensor`` the array with F's axes then X's (numerator
    layout) or X's then F's (denominator layout), each value's axes as ``evaluate`` gives them
    (none for a scalar, one for a column vector, two for a matrix).
    """

    F: t.Expr
    wrt: t.Symbol
    matrix: t.Expr
    layout: str = "numerator"
    as_tensor: bool = False
    hessian: bool = False
    sampler: Callable | None = field(default=None, compare=False, repr=False)  # seed → (values, dims)

    @property
    def shape(self) -> tuple:
        return self.matrix.shape

    def __str__(self) -> str:
        return str(self.matrix)

    def latex(self) -> str:
        return self.matrix.latex()

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"

    def _axes(self) -> tuple[tuple, tuple]:
        out = self.wrt if self.hessian else self.F
        return out.shape, self.wrt.shape

    def evaluate(self, values: dict, dims: dict | None = None, functions: dict | None = None) -> np.ndarray:
        """The Jacobian's value: a 2-D array, or the tensor when ``as_tensor``."""
        sizes = _sizes(self.F, values, dims) | _sizes(self.wrt, values, dims)
        rows, cols = _numeric_shape(self.matrix.shape, sizes)
        j = np.asarray(self.matrix.evaluate(values, dims=sizes, functions=functions), dtype=float)
        j = j.reshape((rows, cols), order="F")
        return self._tensor(j, sizes) if self.as_tensor else j

    def _tensor(self, j: np.ndarray, sizes: dict) -> np.ndarray:
        f_shape, x_shape = (_user_axes(_numeric_shape(s, sizes)) for s in self._axes())
        axes = f_shape + x_shape if self.layout == "numerator" else x_shape + f_shape
        return j.reshape(axes, order="F")

    def finite_differences(self, values: dict, dims=None, functions=None) -> tuple[np.ndarray, float]:
        """(the numerator-layout matrix by finite differences, its error estimate)."""
        if self.hessian:
            return finite_difference_hessian(self.F, self.wrt, values, dims, functions)
        return finite_difference_jacobian(self.F, self.wrt, values, dims, functions)

    def check(self, trials: int = 3, seed: int = 0, *, points: Iterable | None = None,
              rtol: float = 1e-6, functions: dict | None = None) -> JacobianCheck:
        """Compare with finite differences at ``trials`` points: ``points`` yields (values, dims),
        by default the random points of seeds seed, seed + 1, … (a point where a value is not
        finite, or that finite differences cannot resolve, is passed over)."""
        if trials < 1:
            raise DomainError(f"a check needs at least one trial, not {trials}")
        if points is None:
            if self.sampler is None:
                raise UnsupportedError("no random points: pass points=[(values, dims), …]")
            points = (self.sampler(s) for s in range(seed, seed + MAX_TRIES * trials))
        errors, verdicts, worst, tried = [], [], None, 0
        for values, dims in points:
            tried += 1
            result = self._compare(values, dims, rtol, functions)
            if result is not None:
                errors.append(result[0])
                verdicts.append(result[1])
                if worst is None or result[0] >= worst[0]:
                    worst = result
            if len(errors) == trials or tried >= MAX_TRIES * trials:
                break
        if worst is None:
            raise DomainError(f"found no point where the Jacobian and finite differences are finite in {tried} tries")
        return JacobianCheck(bool(max(verdicts) <= rtol), errors, worst[2], worst[3], rtol)

    def _compare(self, values, dims, rtol, functions):
        """(relative error, verdict, finite differences, closed form) at one point, or None."""
        numerator = Jacobian(self.F, self.wrt, self.matrix, self.layout, False, self.hessian)
        try:
            j = numerator.evaluate(values, dims, functions)
            fd, fd_error = self.finite_differences(values, dims, functions)
            sizes = _sizes(self.F, values, dims)
            level = np.max(np.abs(_vec_value(self.F.evaluate(values, dims=sizes, functions=functions))))
        except DomainError:
            return None
        if self.layout == "denominator":
            j = j.T
        if not (np.all(np.isfinite(j)) and np.all(np.isfinite(fd)) and np.isfinite(level)):
            return None
        step = HESSIAN_STEP**2 if self.hessian else STEP
        atol = NOISE * np.finfo(float).eps * (1 + level) / step * math.sqrt(max(j.size, 1))
        scale = max(float(np.linalg.norm(j)), float(np.linalg.norm(fd)), atol / rtol)
        if fd_error > UNRESOLVED * scale:
            return None
        gap = float(np.linalg.norm(j - fd))
        return float(gap / scale), float(max(gap - 4 * fd_error, 0.0) / scale), fd, j
