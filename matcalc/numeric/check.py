"""Numeric checks: gradients, Jacobians and Hessians against finite differences at the random
points of ``matcalc.numeric.sampling``.

``check_gradient`` compares a claimed gradient G with the central finite-difference gradient
of f, refined by Richardson extrapolation: with D(h) = (f(x + h) − f(x − h)) / 2h per entry,
(4·D(h/2) − D(h)) / 3 has error O(h⁴).  Steps h = 10⁻³·max(1, |xᵢⱼ|)·{1, ¼, 1/16, 1/64} are
tried; the two consecutive estimates that agree best give the value and its error estimate E.
A point where E exceeds 10⁻⁴ of the finite differences' own size cannot judge the claim (f
varies faster than the steps can follow, as sin(10⁸·…) does) and is redrawn; when no point of
a trial can be resolved the report is *inconclusive* (falsy, ``inconclusive`` set).  Otherwise
up to 4E of the difference is put down to the finite differences.

Tolerance.  At each point the error is

    err = ‖G − G_fd‖_F / max(‖G‖_F, ‖G_fd‖_F, atol / rtol),
    atol = 1000 · ε · (1 + |f(x)|) / 10⁻³ · √N        (ε machine epsilon, N entries of x),

so the check passes when ‖G − G_fd‖ ≤ max(rtol·max(‖G‖, ‖G_fd‖), atol): relative where the
gradient is of normal size, absolute (at the rounding noise of a difference quotient of f,
with a margin of 1000 for the rounding inside f) where the gradient vanishes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import expr as t
from ..errors import DomainError, ShapeError
from ..expr.structure import TextRepr
from ..language.names import canonical_name
from ..printing.prose import latex_number
from .evaluate import Evaluator, NumericError, richardson, user_form
from .sampling import point
from .sweep import report_html, sweep

STEP = 1e-3
REFINE = (1.0, 1 / 4, 1 / 16, 1 / 64)  # the steps tried, as fractions of STEP
UNRESOLVED = 1e-4  # finite differences less certain than this (relative) redraw the point
UNRESOLVED_POINT = "unresolved"  # what a trial at such a point returns
NOISE = 1000.0
LATEX_MARKS = {"✓": r"\checkmark", "✗": r"\times", "?": "?"}
MAX_TRIES = 20
KINKED = ("relu", "abs", "sign", "step")  # functions with a kink (or a jump) at 0
MAX_NORM_KINK = "‖·‖_∞ (ties of the largest |xᵢ|)"
KINK_MARGIN = 0.02  # a point whose kink argument is this close to 0 (relative) is redrawn


# --------------------------------------------------------------------------------------------
# The gradient check


@dataclass(repr=False)
class CheckReport(TextRepr):
    """The result of a check: truthy iff every trial agreed.

    ``trials`` holds the relative error at each random point; ``point``, ``expected`` (finite
    differences) and ``actual`` (the gradient) are those of the worst point.
    """

    ok: bool
    trials: list = field(default_factory=list)
    point: dict = field(default_factory=dict)
    expected: object = None
    actual: object = None
    wrt: str = "X"
    rtol: float = 1e-6
    inconclusive: bool = False  # no point where finite differences resolve the gradient
    along: str = ""  # where the finite differences were taken: "along symmetric perturbations", …
    # () → [(h, relative error)] of finite differences of step h at the worst point (matcalc.numeric.sweep)
    steps: Callable | None = field(default=None, compare=False, repr=False)
    sweep_kind: str = field(default="gradient", repr=False)  # "gradient", "jacobian" or "hessian"
    kinks: tuple = ()  # the functions with a kink whose arguments the points keep away from 0

    def __bool__(self) -> bool:
        return self.ok

    @property
    def error(self) -> float:
        return max(self.trials) if self.trials else 0.0

    def verdict(self) -> tuple[str, str, float | None]:
        """(mark, words, error) of the first line: ✓ agrees … (max relative error e), ✗ differs …
        (relative error e) or ? inconclusive …; the words end where the error goes."""
        if self.inconclusive:
            return "?", "inconclusive: finite differences cannot resolve the gradient at any random point tried", None
        along = f" {self.along}" if self.along else ""
        if self.ok:
            k = len(self.trials)
            where = "1 random point" if k == 1 else f"{k} random points"
            away = f" away from the kinks of {', '.join(self.kinks)}" if self.kinks else ""
            return "✓", f"agrees with central finite differences{along} at {where}{away} (max relative error ", self.error
        return "✗", f"differs from finite differences{along} at a random point (relative error ", self.error

    def headline(self) -> str:
        """The first line of ``str``: the verdict."""
        mark, words, error = self.verdict()
        return f"{mark} {words}" + ("" if error is None else f"{error:.2g})")

    def latex(self) -> str:
        """The verdict line in LaTeX (ASCII): ``\\checkmark\\ \\text{agrees with …}6.2 \\times 10^{-12}\\text{)}``."""
        mark, words, error = self.verdict()
        tex = rf"{LATEX_MARKS[mark]}\ \text{{{words}}}"
        return tex if error is None else tex + latex_number(error) + r"\text{)}"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"

    def _repr_html_(self) -> str:
        """The verdict, a table of the trials and the plot of the finite-difference error
        against the step size (``matcalc.numeric.sweep``)."""
        return report_html(self)

    def __str__(self) -> str:
        if self.ok or self.inconclusive:
            return self.headline()
        lines = [self.headline()]
        lines += [_show(f"  {name} = ", v) for name, v in self.point.items()]
        lines.append(_show("  finite differences: ", self.expected))
        lines.append(_show("  gradient:           ", self.actual))
        return "\n".join(lines)


def _show(prefix: str, value) -> str:
    if np.ndim(value) == 0:
        return prefix + np.format_float_positional(float(value), precision=4, trim="-")
    return prefix + np.array2string(np.asarray(value), precision=4, prefix=prefix, suppress_small=True)


def _same_shape(a: t.Shape, b: t.Shape) -> bool:
    return all(t.same_dim(x, y) for x, y in zip(a, b))


def _resolve_wrt(wrt, exprs) -> t.Symbol:
    if isinstance(wrt, t.Symbol):
        return wrt
    name = canonical_name(str(wrt))
    for root in exprs:
        for s in root.free_symbols:
            if s.name == name:
                return s
    raise DomainError(f"{wrt} is not a variable of the expression")


def _scalar(a: np.ndarray) -> float:
    """The value of a real-valued f (a complex evaluation of it has a rounding-size imaginary part)."""
    return float(np.real(a[0, 0]))


def _finite_differences(ev: Evaluator, f: t.Expr, name: str, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Richardson-extrapolated central differences of f with respect to every entry of x, and
    an estimate of their error.

    For each entry, R(h) = (4·D(h/2) − D(h)) / 3 is formed for the steps h, h/4, h/16, h/64;
    the pair of consecutive estimates that agree best gives the value (the finer one) and its
    error (their difference), so that neither truncation nor rounding dominates.  A complex
    entry z = u + iv is moved in both directions: ∂f/∂z̄ = ½(∂f/∂u + i ∂f/∂v).
    """
    g = np.empty_like(x)
    spread = np.zeros(x.shape)
    directions = (1.0, 1j) if np.iscomplexobj(x) else (1.0,)
    for idx in np.ndindex(x.shape):
        parts = []
        for direction in directions:

            def quotient(step):  # D(step) = (f(x + step) − f(x − step)) / 2·step in entry idx
                sides = []
                for sign in (1.0, -1.0):
                    xs = x.copy()
                    xs[idx] += sign * step * direction
                    sides.append(_scalar(ev.at(name, xs).matrix(f)))
                return (sides[0] - sides[1]) / (2 * step)

            value, gap = richardson(quotient, [STEP * max(1.0, abs(x[idx])) * r for r in REFINE])
            parts.append(value)
            spread[idx] += abs(gap)
        g[idx] = parts[0] if len(parts) == 1 else (parts[0] + 1j * parts[1]) / 2
    return g, _norm(spread)


def _norm(a: np.ndarray) -> float:
    """The Frobenius norm, without overflow for huge entries."""
    big = float(np.max(np.abs(a))) if np.size(a) else 0.0
    return big * float(np.linalg.norm(a / big)) if big > 0 and np.isfinite(big) else big


def kinks(exprs) -> list:
    """The nodes with a kink in ``exprs``: relu, |·|, sign, step (at 0 of their argument) and
    the max-norm ‖x‖_∞ (at a tie of the largest |xᵢ|)."""
    return [n for e in exprs for n in t.walk(e)
            if (isinstance(n, t.Apply) and n.formula is None and n.order == 0 and n.name in KINKED)
            or (isinstance(n, t.Norm) and n.p == t.INF)]


def kink_name(n: t.Expr) -> str:
    """How a check's report names the kink of ``n``."""
    return MAX_NORM_KINK if isinstance(n, t.Norm) else n.name


def _near_a_kink(ev: Evaluator, nodes) -> bool:
    """Whether an entry of a kinked function's argument is within KINK_MARGIN of its kink, or
    the two largest |xᵢ| of a max-norm are that close.  The step of the arg-max indicator
    𝟙 − step(‖x‖_∞𝟙 − |x|) is 0 at the arg-max by construction: its other entries are the gaps."""
    for n in nodes:
        a = np.abs(ev.matrix(n.arg))
        scale = KINK_MARGIN * np.maximum(1.0, np.max(a))
        if isinstance(n, t.Norm):
            top = np.sort(a, axis=None)[::-1]
            if top.size > 1 and top[0] - top[1] < scale:
                return True
            continue
        if any(isinstance(m, t.Norm) and m.p == t.INF for m in t.walk(n.arg)):
            a = a[a != 0]
        if np.any(a < scale):
            return True
    return False


def _trial(f, wrt, gradient, seed, sizes, functions, rtol, space=None):
    """(error, values, G_fd, G, verdict error) at one random point; None where f or G is not
    finite; UNRESOLVED_POINT where finite differences cannot resolve the gradient: their error
    estimate exceeds 10⁻⁴ of their own size (never of the claimed G's, which may be wrong).
    With a ``space`` (``matcalc.numeric.structures``) the point and the differences are inside it."""
    values, dims = point([f, gradient, wrt], seed, sizes, {wrt.name: space} if space else None)
    try:
        ev = Evaluator([f, gradient, wrt], values, dims, functions)
        fx, g = _scalar(ev.matrix(f)), ev.matrix(gradient)
        if not (np.isfinite(fx) and np.all(np.isfinite(g))) or _near_a_kink(ev, kinks([f, gradient])):
            return None
        differences = space.differences if space else _finite_differences
        fd, fd_error = differences(ev, f, wrt.name, ev.matrix(wrt))
    except NumericError:
        return None
    if not np.all(np.isfinite(fd)):
        return None
    atol = NOISE * np.finfo(float).eps * (1 + abs(fx)) / STEP * np.sqrt(g.size)
    if fd_error > UNRESOLVED * max(_norm(fd), atol / rtol):
        return UNRESOLVED_POINT
    scale = max(_norm(g), _norm(fd), atol / rtol)
    # The relative error as reported; the verdict allows for the finite differences' own error.
    error = _norm(g - fd) / scale
    verdict = float(max(_norm(g - fd) - 4 * fd_error, 0.0) / scale)
    return float(error), values, user_form(wrt.shape, fd), user_form(wrt.shape, g), verdict, dims


def check_gradient(
    f: t.Expr,
    wrt: t.Symbol,
    gradient: t.Expr,
    *,
    trials: int = 3,
    seed: int = 0,
    rtol: float = 1e-6,
    functions: dict | None = None,
    sizes: dict | None = None,
    space=None,
) -> CheckReport:
    """Compare ``gradient`` with finite differences of ``f`` w.r.t. ``wrt`` at ``trials`` random
    points (seeds seed, seed + 1, …; a point where a value is not finite is redrawn); with a
    ``space`` (``matcalc.numeric.structures``), at points inside it and along its tangent vectors."""
    if not f.is_scalar:
        raise ShapeError(f"only a scalar function has a gradient, got a {t.show_shape(f.shape)} one")
    wrt = _resolve_wrt(wrt, [f, gradient])
    if not _same_shape(gradient.shape, wrt.shape):
        raise ShapeError(
            f"the gradient is {t.show_shape(gradient.shape)} but {wrt.name} is {t.show_shape(wrt.shape)}"
        )
    if trials < 1:
        raise DomainError(f"a check needs at least one trial, not {trials}")
    errors, verdicts, worst = [], [], None
    for i in range(trials):
        unresolved = False
        for attempt in range(MAX_TRIES):
            result = _trial(f, wrt, gradient, seed + i + attempt * trials, sizes, functions, rtol, space)
            if isinstance(result, tuple):
                break
            unresolved = unresolved or result is UNRESOLVED_POINT
        else:
            if unresolved:
                return CheckReport(ok=False, wrt=wrt.name, rtol=rtol, inconclusive=True, along=_along(space))
            raise DomainError(
                f"found no point where the function and the gradient are finite in {MAX_TRIES} tries"
            )
        errors.append(result[0])
        verdicts.append(result[4])
        if worst is None or result[0] > worst[0]:
            worst = result
    return CheckReport(
        ok=bool(max(verdicts) <= rtol),
        trials=errors,
        point=worst[1],
        expected=worst[2],
        actual=worst[3],
        wrt=wrt.name,
        rtol=rtol,
        along=_along(space),
        steps=lambda: sweep("gradient", f, wrt, gradient, worst[1], worst[5], functions, space=space),
        kinks=tuple(sorted({kink_name(n) for n in kinks([f, gradient])})),
    )


def _along(space) -> str:
    return space.along if space is not None else ""


# --------------------------------------------------------------------------------------------
# Jacobians and Hessians

HESSIAN_STEP = 4e-3  # second differences; first differences use check.STEP


def _vec(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, order="F")


def _moved(ev: Evaluator, x: t.Symbol, *moves: tuple) -> Evaluator:
    """The point of ``ev`` with x moved by h, for each (k, h): entry k (in vec order) for an
    int k, along the vec'd direction k for an array."""
    base = ev.matrix(x)
    flat = _vec(base).copy()
    for k, h in moves:
        if isinstance(k, np.ndarray):
            flat += h * k
        else:
            flat[k] += h
    return ev.at(x.name, flat.reshape(base.shape, order="F"))


def finite_difference_jacobian(F, x, values, dims=None, functions=None) -> tuple[np.ndarray, float]:
    """(J_fd, error): central differences of vec(F) in each entry of vec(X), Richardson-refined
    ((4D(h/2) − D(h))/3), at h and h/4; the finer is the value, their gap the error estimate."""
    return _jacobian_differences(Evaluator([F, x], values, dims, functions), F, x)


def _jacobian_differences(ev: Evaluator, F: t.Expr, x: t.Symbol, conjugate: bool = False) -> tuple[np.ndarray, float]:
    """Central differences in each entry of vec(X); for a complex X, in its real and its imaginary
    direction, combined as the Wirtinger derivatives ½(∂/∂Re − i∂/∂Im), or ½(∂/∂Re + i∂/∂Im)
    (the part in dX̄) with ``conjugate``."""
    complex_x = not t.is_real(x)
    if complex_x:
        ev = ev.at(x.name, np.asarray(ev.matrix(x), dtype=complex))
    xv = _vec(ev.matrix(x))
    cols, gaps = [], []
    for k in range(xv.size):
        def d(h, unit=1):
            return (_vec(_moved(ev, x, (k, unit * h)).matrix(F)) - _vec(_moved(ev, x, (k, -unit * h)).matrix(F))) / (2 * h)

        h = STEP * max(1.0, abs(xv[k]))
        fine, gap = richardson(d, (h, h / 4))
        if complex_x:
            along_imag, gap_imag = richardson(lambda h: d(h, 1j), (h, h / 4))
            fine, gap = (fine + (1j if conjugate else -1j) * along_imag) / 2, (gap + gap_imag) / 2
        cols.append(fine)
        gaps.append(gap)
    j = np.column_stack(cols) if cols else np.zeros((0, 0))
    return j, float(np.linalg.norm(np.column_stack(gaps)))


def finite_difference_hessian(f, x, values, dims=None, functions=None) -> tuple[np.ndarray, float]:
    """(H_fd, error): second central differences of the scalar f, Richardson-refined, with
    H_ij(h) = (f(x + heᵢ + heⱼ) − f(x + heᵢ − heⱼ) − f(x − heᵢ + heⱼ) + f(x − heᵢ − heⱼ)) / 4h²."""
    return _hessian_differences(Evaluator([f, x], values, dims, functions), f, x)


def _wirtinger_hessian(ev: Evaluator, f: t.Expr, z: t.Symbol, conjugate: bool) -> tuple[np.ndarray, float]:
    """H = ∂vec(G)/∂vec(Z)ᵀ (or H̃ = ∂vec(G)/∂vec(Z̄)ᵀ with ``conjugate``) of G = ∂f/∂Z̄, from the
    real Hessian [[A, B], [Bᵀ, C]] of f in (Re vec Z, Im vec Z) by second differences:
    H = ¼(A + C + i(Bᵀ − B)), H̃ = ¼(A − C + i(B + Bᵀ))."""
    ev = ev.at(z.name, np.asarray(ev.matrix(z), dtype=complex))
    n = ev.matrix(z).size
    real, gap = _hessian_differences(ev, f, z, np.hstack([np.eye(n), 1j * np.eye(n)]), project=False)
    a, b, c = real[:n, :n], real[:n, n:], real[n:, n:]
    h = (a - c + 1j * (b + b.T)) / 4 if conjugate else (a + c + 1j * (b.T - b)) / 4
    return h, gap / 2


def _hessian_differences(ev: Evaluator, f: t.Expr, x: t.Symbol, basis: np.ndarray | None = None,
                         project: bool = True) -> tuple[np.ndarray, float]:
    """Second differences in each pair of entries of vec(X); with ``basis`` (orthonormal
    columns B, the vec'd directions of a subspace), in each pair of its directions, giving
    B H_B Bᵀ: the Hessian on the subspace (H_B itself unless ``project``)."""
    xv = _vec(ev.matrix(x))
    directions = list(range(xv.size)) if basis is None else [basis[:, k] for k in range(basis.shape[1])]
    n = len(directions)
    h_fd, gap = np.zeros((n, n)), np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            def second(h):
                total = 0.0
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    moved = _moved(ev, x, (directions[i], si * h), (directions[j], sj * h))
                    total += si * sj * float(np.real(moved.matrix(f)[0, 0]))
                return total / (4 * h * h)

            near = (abs(xv[i]), abs(xv[j])) if basis is None else (float(np.max(np.abs(xv))),)
            h = HESSIAN_STEP * max(1.0, *near)
            fine, gap[i, j] = richardson(second, (h, h / 4))
            h_fd[i, j] = h_fd[j, i] = fine
            gap[j, i] = gap[i, j]
    if basis is not None and project:
        h_fd, gap = basis @ h_fd @ basis.T, basis @ gap @ basis.T
    return h_fd, float(np.linalg.norm(gap))


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
            self.headline(),
            "  finite differences: " + np.array2string(np.asarray(self.expected), precision=4, prefix=" " * 22),
            "  closed form:        " + np.array2string(np.asarray(self.actual), precision=4, prefix=" " * 22),
        ])




def check_jacobian(F: t.Expr, wrt: t.Symbol, matrix: t.Expr, points, *, layout: str = "numerator",
                   hessian: bool = False, trials: int = 3, rtol: float = 1e-6,
                   functions: dict | None = None, space=None, conjugate: bool = False) -> JacobianCheck:
    """Compare the closed form ``matrix`` (J of F, or H of a scalar F when ``hessian``) with
    finite differences at the first ``trials`` of ``points`` (an iterable of (values, dims))
    where both are finite and finite differences resolve (the others are passed over); a
    Hessian with a ``space`` (a linear structure), by second differences inside it; for a
    complex X, along the real and the imaginary direction of each entry (``conjugate``: the
    matrix is ∂vec(F)/∂vec(X̄)ᵀ)."""
    if trials < 1:
        raise DomainError(f"a check needs at least one trial, not {trials}")
    errors, verdicts, worst, tried = [], [], None, 0
    for values, dims in points:
        tried += 1
        result = _compare_jacobian(F, wrt, matrix, layout, hessian, Evaluator([F, wrt, matrix], values, dims, functions),
                                   rtol, space, conjugate)
        if result is not None:
            errors.append(result[0])
            verdicts.append(result[1])
            if worst is None or result[0] >= worst[0]:
                worst = (*result, values, dims)
        if len(errors) == trials or tried >= MAX_TRIES * trials:
            break
    if worst is None:
        raise DomainError(f"found no point where the Jacobian and finite differences are finite in {tried} tries")
    kind = "hessian" if hessian else "jacobian"
    return JacobianCheck(ok=bool(max(verdicts) <= rtol), trials=errors, point=worst[4], expected=worst[2],
                         actual=worst[3], wrt=wrt.name, rtol=rtol, sweep_kind=kind, along=_along(space),
                         steps=lambda: sweep(kind, F, wrt, matrix, worst[4], worst[5], functions, layout, space=space))


def jacobian_differences(ev: Evaluator, F: t.Expr, wrt: t.Symbol, hessian: bool, space=None,
                         conjugate: bool = False) -> tuple[np.ndarray, float]:
    """(the numerator-layout Jacobian of F, or the Hessian of a scalar F, by finite differences;
    its error estimate) at the point of ``ev``; a Hessian with a ``space``, inside it; for a
    complex X, ∂vec(F)/∂vec(X)ᵀ, or ∂vec(F)/∂vec(X̄)ᵀ with ``conjugate``."""
    if hessian and space is not None:
        return _hessian_differences(ev, F, wrt, space.vectors(ev.matrix(wrt)))
    if hessian and not t.is_real(wrt):
        return _wirtinger_hessian(ev, F, wrt, conjugate)
    if hessian:
        return _hessian_differences(ev, F, wrt)
    return _jacobian_differences(ev, F, wrt, conjugate)


def _compare_jacobian(F, wrt, matrix, layout, hessian, ev: Evaluator, rtol, space=None, conjugate=False):
    """(relative error, verdict, finite differences, closed form) at one point, or None."""
    try:
        j = ev.matrix(matrix)
        level = np.max(np.abs(ev.matrix(F)))  # F's values that X leaves alone are kept
        fd, fd_error = jacobian_differences(ev, F, wrt, hessian, space, conjugate)
    except DomainError:
        return None
    if layout == "denominator":
        j = j.T
    if not (np.all(np.isfinite(j)) and np.all(np.isfinite(fd)) and np.isfinite(level)):
        return None
    step = HESSIAN_STEP**2 if hessian else STEP
    atol = NOISE * np.finfo(float).eps * (1 + level) / step * math.sqrt(max(j.size, 1))
    scale = max(float(np.linalg.norm(j)), float(np.linalg.norm(fd)), atol / rtol)
    if fd_error > UNRESOLVED * scale:
        return None
    gap = float(np.linalg.norm(j - fd))
    return float(gap / scale), float(max(gap - 4 * fd_error, 0.0) / scale), fd, np.array(j)
