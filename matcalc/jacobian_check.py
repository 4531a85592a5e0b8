"""The Jacobian as a result: its value at a point, as a matrix or a tensor, and its check.

``Jacobian`` holds the closed form J of ``matcalc.jacobian`` (numerator layout: vec(dF) =
J vec(dX); denominator layout: Jᵀ; for a Hessian, H with d²f = vec(dX)ᵀ H vec(dX)) and
evaluates it with ``matcalc.evaluate.Evaluator``.  ``finite_difference_jacobian`` and
``finite_difference_hessian`` give central differences, Richardson-refined
((4D(h/2) − D(h))/3) at h and h/4, the finer the value and the gap its error estimate;
``Jacobian.check`` compares them with J at random points and returns a ``JacobianCheck`` (a
``matcalc.check.CheckReport``), truthy iff every point agreed to rtol (with the absolute floor
of ``matcalc.check``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from . import tree as t
from .check import MAX_TRIES, NOISE, STEP, UNRESOLVED, CheckReport
from .errors import DomainError, UnsupportedError
from .evaluate import Evaluator, richardson


# ---- finite differences ---------------------------------------------------------------------

HESSIAN_STEP = 4e-3  # second differences; first differences use check.STEP


def _user_axes(shape: tuple) -> tuple:
    """The axes of a value as ``evaluate`` returns it: () scalar, (n,) column, else (m, n)."""
    if shape == (1, 1):
        return ()
    return (shape[0],) if shape[1] == 1 else shape


def _vec(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, order="F")


def _moved(ev: Evaluator, x: t.Symbol, *moves: tuple[int, float]) -> Evaluator:
    """The point of ``ev`` with entry k (in vec order) of x moved by h, for each (k, h)."""
    base = ev.matrix(x)
    flat = _vec(base).copy()
    for k, h in moves:
        flat[k] += h
    return ev.at(x.name, flat.reshape(base.shape, order="F"))


def finite_difference_jacobian(F, x, values, dims=None, functions=None) -> tuple[np.ndarray, float]:
    """(J_fd, error): central differences of vec(F) in each entry of vec(X), Richardson-refined
    ((4D(h/2) − D(h))/3), at h and h/4; the finer is the value, their gap the error estimate."""
    return _jacobian_differences(Evaluator([F, x], values, dims, functions), F, x)


def _jacobian_differences(ev: Evaluator, F: t.Expr, x: t.Symbol) -> tuple[np.ndarray, float]:
    xv = _vec(ev.matrix(x))
    cols, gaps = [], []
    for k in range(xv.size):
        def d(h):
            return (_vec(_moved(ev, x, (k, h)).matrix(F)) - _vec(_moved(ev, x, (k, -h)).matrix(F))) / (2 * h)

        h = STEP * max(1.0, abs(xv[k]))
        fine, gap = richardson(d, (h, h / 4))
        cols.append(fine)
        gaps.append(gap)
    j = np.column_stack(cols) if cols else np.zeros((0, 0))
    return j, float(np.linalg.norm(np.column_stack(gaps)))


def finite_difference_hessian(f, x, values, dims=None, functions=None) -> tuple[np.ndarray, float]:
    """(H_fd, error): second central differences of the scalar f, Richardson-refined, with
    H_ij(h) = (f(x + heᵢ + heⱼ) − f(x + heᵢ − heⱼ) − f(x − heᵢ + heⱼ) + f(x − heᵢ − heⱼ)) / 4h²."""
    return _hessian_differences(Evaluator([f, x], values, dims, functions), f, x)


def _hessian_differences(ev: Evaluator, f: t.Expr, x: t.Symbol) -> tuple[np.ndarray, float]:
    xv = _vec(ev.matrix(x))
    n = xv.size
    h_fd, gap = np.zeros((n, n)), np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            def second(h):
                total = 0.0
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    moved = _moved(ev, x, (i, si * h), (j, sj * h))
                    total += si * sj * float(moved.matrix(f)[0, 0])
                return total / (4 * h * h)

            h = HESSIAN_STEP * max(1.0, abs(xv[i]), abs(xv[j]))
            fine, gap[i, j] = richardson(second, (h, h / 4))
            h_fd[i, j] = h_fd[j, i] = fine
            gap[j, i] = gap[i, j]
    return h_fd, float(np.linalg.norm(gap))


# ---- the result and its check ---------------------------------------------------------------


class JacobianCheck(CheckReport):
    """A ``CheckReport`` of a Jacobian or Hessian: ``trials`` (also ``errors``) the relative
    error at each point; ``point``, ``expected`` (finite differences) and ``actual`` (the
    closed form, numerator layout) those of the worst point."""

    @property
    def errors(self) -> list:
        return self.trials

    def __str__(self) -> str:
        if self.ok or self.inconclusive:
            return super().__str__()
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

    def _evaluator(self, values: dict, dims: dict | None, functions: dict | None) -> Evaluator:
        return Evaluator([self.F, self.wrt, self.matrix], values, dims, functions)

    def evaluate(self, values: dict, dims: dict | None = None, functions: dict | None = None) -> np.ndarray:
        """The Jacobian's value: a 2-D array, or the tensor when ``as_tensor``."""
        ev = self._evaluator(values, dims, functions)
        j = np.array(ev.matrix(self.matrix))
        if not self.as_tensor:
            return j
        out = self.wrt if self.hessian else self.F
        f_axes, x_axes = _user_axes(ev.shape(out)), _user_axes(ev.shape(self.wrt))
        return j.reshape(f_axes + x_axes if self.layout == "numerator" else x_axes + f_axes, order="F")

    def finite_differences(self, values: dict, dims=None, functions=None) -> tuple[np.ndarray, float]:
        """(the numerator-layout matrix by finite differences, its error estimate)."""
        return self._differences(self._evaluator(values, dims, functions))

    def _differences(self, ev: Evaluator) -> tuple[np.ndarray, float]:
        differences = _hessian_differences if self.hessian else _jacobian_differences
        return differences(ev, self.F, self.wrt)

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
                    worst = (*result, values)
            if len(errors) == trials or tried >= MAX_TRIES * trials:
                break
        if worst is None:
            raise DomainError(f"found no point where the Jacobian and finite differences are finite in {tried} tries")
        return JacobianCheck(ok=bool(max(verdicts) <= rtol), trials=errors, point=worst[4], expected=worst[2],
                             actual=worst[3], wrt=self.wrt.name, rtol=rtol)

    def _compare(self, values, dims, rtol, functions):
        """(relative error, verdict, finite differences, closed form) at one point, or None."""
        try:
            ev = self._evaluator(values, dims, functions)
            j = ev.matrix(self.matrix)
            level = np.max(np.abs(ev.matrix(self.F)))  # F's values that X leaves alone are kept
            fd, fd_error = self._differences(ev)
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
        return float(gap / scale), float(max(gap - 4 * fd_error, 0.0) / scale), fd, np.array(j)
