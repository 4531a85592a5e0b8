"""Numeric checks: random points that respect domains, and gradients against finite differences.

``sample`` draws a value for every free symbol: each dimension a size in 2..5 (different
dimensions different sizes where possible, so that a transposition error shows), entries
standard normal scaled by 0.5–1, and the declared or inferred domain respected.  A symbol
under log det that is not declared spd gets a positive determinant from a positive definite
symmetric part plus a skew part — not symmetric, so that X⁻¹ in place of X⁻ᵀ shows.

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

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import sympy

from . import tree as t
from .errors import DomainError, ShapeError
from .evaluate import Evaluator, NumericError, canonical, richardson, user_form

STEP = 1e-3
REFINE = (1.0, 1 / 4, 1 / 16, 1 / 64)  # the steps tried, as fractions of STEP
UNRESOLVED = 1e-4  # finite differences less certain than this (relative) redraw the point
UNRESOLVED_POINT = "unresolved"  # what a trial at such a point returns
NOISE = 1000.0
MAX_TRIES = 20
SIZES = (2, 3, 4, 5)


# --------------------------------------------------------------------------------------------
# Domains inferred from where a symbol stands: (node class) → [(operand, domain)].


def _not_whole(p) -> bool:
    p = sympy.sympify(p)
    return not (p.is_integer and p.is_nonnegative)


INFERRED = {
    t.Apply: lambda n: [(n.arg, "positive")] if n.name in ("log", "sqrt") and n.formula is None else [],
    t.HadamardDiv: lambda n: [(n.den, "positive")],
    t.HadamardPow: lambda n: [(n.base, "positive")] if _not_whole(n.exponent) else [],
    t.Power: lambda n: [(n.base, "positive")] if _not_whole(n.exponent) else [],
    t.LogDet: lambda n: [(n.arg, "positive det")],
    t.Inverse: lambda n: [(n.arg, "invertible")],
    t.Det: lambda n: [(n.arg, "invertible")],
    t.Adj: lambda n: [(n.arg, "invertible")],
}


def _bare_symbol(e: t.Expr) -> t.Symbol | None:
    while isinstance(e, t.Transpose):
        e = e.arg
    return e if isinstance(e, t.Symbol) else None


def domains(exprs) -> dict[str, set]:
    """{symbol name: declared and inferred domains}."""
    out: dict[str, set] = defaultdict(set)
    for root in exprs:
        for n in t.walk(root):
            if isinstance(n, t.Symbol):
                out[n.name] |= set(n.assumptions)
            for operand, domain in INFERRED.get(type(n), lambda n: [])(n):
                s = _bare_symbol(operand)
                if s is not None:
                    out[s.name].add(domain)
    return dict(out)


# --------------------------------------------------------------------------------------------
# Random points


def _exprs(exprs) -> list:
    return [exprs] if isinstance(exprs, t.Expr) else list(exprs)


def _dimension_names(exprs) -> tuple[set, set]:
    """(names of dimension symbols, integer sizes already fixed) over all nodes."""
    names, fixed = set(), set()
    for root in exprs:
        for n in t.walk(root):
            parts = list(n.shape)
            if isinstance(n, t.Number):
                parts.append(n.value)
            if isinstance(n, (t.Power, t.HadamardPow)):
                parts.append(sympy.sympify(n.exponent))
            for d in parts:
                if isinstance(d, sympy.Integer):
                    fixed.add(int(d))
                names |= {s.name for s in d.free_symbols}
    return names, fixed


def _choose_sizes(names, fixed, sizes, rng) -> dict[str, int]:
    chosen = {str(k): int(v) for k, v in (sizes or {}).items()}
    pool = [s for s in SIZES if s not in fixed and s not in chosen.values()]
    pool = list(rng.permutation(pool)) if pool else []
    for i, name in enumerate(sorted(n for n in names if n not in chosen)):
        chosen[name] = int(pool[i]) if i < len(pool) else int(rng.integers(SIZES[0], SIZES[-1] + 1))
    return chosen


def _draw(shape: tuple[int, int], doms: set, rng) -> np.ndarray:
    """A random matrix in the given domains."""
    r, c = shape
    scale = rng.uniform(0.5, 1.0)
    positive = "positive" in doms
    m = rng.uniform(0.5, 2.0, shape) if positive else scale * rng.standard_normal(shape)
    if r != c:
        return m
    if "spd" in doms:
        return m @ m.T / r + np.eye(r)
    if "positive det" in doms and "symmetric" not in doms:  # eigenvalues in the right half-plane
        skew = scale * rng.standard_normal(shape)
        return m @ m.T / r + np.eye(r) + (skew - skew.T) / 2
    if "positive det" in doms:
        return m @ m.T / r + np.eye(r)
    if "symmetric" in doms:
        m = (m + m.T) / 2
    if "invertible" in doms:  # eigenvalues moved at least √n·scale away from 0
        m = m + 3 * (1.0 if positive else scale) * np.sqrt(r) * np.eye(r)
    return m


def point(exprs, seed: int = 0, sizes: dict | None = None) -> tuple[dict, dict]:
    """(values, dims): a random point for ``exprs`` as ``sample`` draws it, with the size of
    every dimension (to evaluate expressions such as I or 𝟙 whose size no value shows)."""
    exprs = _exprs(exprs)
    rng = np.random.default_rng(seed)
    names, fixed = _dimension_names(exprs)
    dims = _choose_sizes(names, fixed, sizes, rng)
    ev = Evaluator((), None, dims)
    symbols = {}
    for root in exprs:
        for s in root.free_symbols:
            symbols.setdefault(s.name, s)
    doms = domains(exprs)
    values = {
        name: user_form(s.shape, _draw(ev.shape(s), doms.get(name, set()), rng))
        for name, s in sorted(symbols.items())
    }
    return values, dims


def sample(exprs, seed: int = 0, sizes: dict | None = None) -> dict:
    """Random values {name: array} for every free symbol of ``exprs``, respecting domains.

    ``sizes`` pins dimensions ({"n": 3}); the others get random sizes in 2..5.
    """
    return point(exprs, seed, sizes)[0]


# --------------------------------------------------------------------------------------------
# The gradient check


@dataclass
class CheckReport:
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

    def __bool__(self) -> bool:
        return self.ok

    @property
    def error(self) -> float:
        return max(self.trials) if self.trials else 0.0

    def __str__(self) -> str:
        if self.inconclusive:
            return "? inconclusive: finite differences cannot resolve the gradient at any random point tried"
        if self.ok:
            k = len(self.trials)
            where = "1 random point" if k == 1 else f"{k} random points"
            return f"✓ agrees with central finite differences at {where} (max relative error {self.error:.2g})"
        lines = [f"✗ differs from finite differences at a random point (relative error {self.error:.2g})"]
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
    name = canonical(str(wrt))
    for root in exprs:
        for s in root.free_symbols:
            if s.name == name:
                return s
    raise DomainError(f"{wrt} is not a variable of the expression")


def _scalar(a: np.ndarray) -> float:
    return float(a[0, 0])


def _finite_differences(ev: Evaluator, f: t.Expr, name: str, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Richardson-extrapolated central differences of f with respect to every entry of x, and
    an estimate of their error.

    For each entry, R(h) = (4·D(h/2) − D(h)) / 3 is formed for the steps h, h/4, h/16, h/64;
    the pair of consecutive estimates that agree best gives the value (the finer one) and its
    error (their difference), so that neither truncation nor rounding dominates.
    """
    g = np.empty_like(x)
    spread = np.empty_like(x)
    for idx in np.ndindex(x.shape):

        def quotient(step):  # D(step) = (f(x + step) − f(x − step)) / 2·step in entry idx
            sides = []
            for sign in (1.0, -1.0):
                xs = x.copy()
                xs[idx] += sign * step
                sides.append(_scalar(ev.at(name, xs).matrix(f)))
            return (sides[0] - sides[1]) / (2 * step)

        g[idx], gap = richardson(quotient, [STEP * max(1.0, abs(x[idx])) * r for r in REFINE])
        spread[idx] = abs(gap)
    return g, _norm(spread)


def _norm(a: np.ndarray) -> float:
    """The Frobenius norm, without overflow for huge entries."""
    big = float(np.max(np.abs(a))) if np.size(a) else 0.0
    return big * float(np.linalg.norm(a / big)) if big > 0 and np.isfinite(big) else big


def _trial(f, wrt, gradient, seed, sizes, functions, rtol):
    """(error, values, G_fd, G, verdict error) at one random point; None where f or G is not
    finite; UNRESOLVED_POINT where finite differences cannot resolve the gradient: their error
    estimate exceeds 10⁻⁴ of their own size (never of the claimed G's, which may be wrong)."""
    values, dims = point([f, gradient, wrt], seed, sizes)
    try:
        ev = Evaluator([f, gradient, wrt], values, dims, functions)
        fx, g = _scalar(ev.matrix(f)), ev.matrix(gradient)
        if not (np.isfinite(fx) and np.all(np.isfinite(g))):
            return None
        fd, fd_error = _finite_differences(ev, f, wrt.name, ev.matrix(wrt))
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
    return float(error), values, user_form(wrt.shape, fd), user_form(wrt.shape, g), verdict


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
) -> CheckReport:
    """Compare ``gradient`` with finite differences of ``f`` w.r.t. ``wrt`` at ``trials`` random
    points (seeds seed, seed + 1, …; a point where a value is not finite is redrawn)."""
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
            result = _trial(f, wrt, gradient, seed + i + attempt * trials, sizes, functions, rtol)
            if isinstance(result, tuple):
                break
            unresolved = unresolved or result is UNRESOLVED_POINT
        else:
            if unresolved:
                return CheckReport(ok=False, wrt=wrt.name, rtol=rtol, inconclusive=True)
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
    )
