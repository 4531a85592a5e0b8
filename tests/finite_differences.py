"""Checking a problem of tests/oracle.py against its oracle, with NumPy alone.

``judge(problem)`` parses the problem's text with matcalc, compares matcalc's value with the
oracle's, takes the derivative (``mc.grad``, ``mc.jacobian`` in the numerator layout evaluated
as a 2-D matrix, or ``mc.hessian``) and compares its value with central finite differences of
the oracle computed here:

* first derivatives: D(h) = (F(x + h·eₖ) − F(x − h·eₖ)) / 2h at h, h/2, h/4 with
  h = 10⁻³·max(1, |xₖ|); Richardson's R(h) = (4·D(h/2) − D(h)) / 3 (error O(h⁴)) at h and
  h/2; the finer is the value, the gap between the two the error estimate;
* Hessians: the second difference along directions u, v (three random pairs),
  S(h) = (f(x + hu + hv) − f(x + hu − hv) − f(x − hu + hv) + f(x − hu − hv)) / 4h² → uᵀHv,
  refined the same way, with h = 10⁻² (u, v scaled to a largest entry of max(1, ‖x‖_max)).

The estimate E adds the rounding of the difference quotients.  A point where E exceeds
``RESOLVE`` of the compared size cannot judge (``INCONCLUSIVE``); otherwise the derivative is
right when ‖matcalc − finite differences‖ ≤ ``RTOL``·size + 4·E.  The size is the larger norm of
the two, at least the level at which rounding swamps a quotient (so that a derivative that is
exactly 0 compares with the rounding noise).  For a variable declared symmetric (or spd) only
symmetric directions count: the symmetric parts are compared.

Four more kinds of point cannot judge: one where a step of the differences crosses a kink of
abs, relu, max, min, softsign, ‖·‖₁ or ‖·‖_∞ (the quotients then agree with each other and are
wrong); one near a point where λ_max, λ_min, ‖X‖₂, ‖X‖_*, ‖x‖_∞ or std is not differentiable (a
repeated eigenvalue or largest singular value, a rank-deficient argument, a tie of the largest
|xᵢ|, a constant row: ``Problem.near_a_tie``), at the point or at a step; one where a ‖·‖ of
the text has the argument 0 and matcalc's derivative is not finite (the norm is not
differentiable there; its chain rule is 0/0 even where f happens to be constant); and one
where matcalc's derivative and the differences are both below ``ROUNDING_LEVEL`` (rounding
residue: (log(exp(E)) − E)^{∘3} is 0, its float is not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import matcalc as mc
from oracle import Problem, user_value

OK, WRONG, CRASHED, REFUSED, INCONCLUSIVE = "ok", "wrong", "crashed", "refused", "inconclusive"
NOT_FINITE = "matcalc's derivative is not finite where the oracle's differences are"
EPS = np.finfo(float).eps
STEP = 1e-3
HESSIAN_STEP = 1e-2
RTOL = 1e-6
RESOLVE = 1e-5
VALUE_RTOL = 1e-9
ROUNDING_LEVEL = 1e-9  # a derivative this small, at points of order 1, is rounding residue
ZERO = 1e3 * EPS  # the rounding of a derivative that is 0 made of terms of size ≈ 1
PAIRS = 3


@dataclass
class Outcome:
    status: str
    detail: str = ""
    error: float = 0.0  # ‖matcalc − reference‖ / size of the derivative check
    answer: str = ""  # matcalc's derivative as printed
    read_back: str = ""  # with judge(read_back=True): "same", "different" or "unreadable: <error>"


class Refused(Exception):
    """matcalc raised a MatcalcError."""


class Crashed(Exception):
    """matcalc raised an exception that is not a MatcalcError."""


class Misshapen(Exception):
    """matcalc's value does not have the oracle's shape."""


class CrossesKink(Exception):
    """A step of finite differences crossed a kink (abs, relu, max, ‖·‖₁, …) or came near a tie."""


def _vec(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=float).reshape(-1, order="F")


def _matrix(value, shape: tuple) -> np.ndarray:
    """matcalc's value (float, 1-D or 2-D) as a 2-D array of ``shape``."""
    a = np.asarray(value, dtype=float)
    if a.size != shape[0] * shape[1]:
        raise Misshapen(f"matcalc's value has shape {a.shape}, the oracle's is {shape}")
    return a.reshape(shape)


def _norm(a) -> float:
    return float(np.linalg.norm(np.asarray(a, dtype=float).ravel()))


# ---- finite differences -----------------------------------------------------------------------


def jacobian_by_differences(fun, x: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(J, gap, noise): the Jacobian of vec(fun(X)) w.r.t. vec(X) (columns in vec order) by
    Richardson-refined central differences, the gap between the two refined estimates and the
    rounding noise of the quotients (norms over all entries)."""
    columns, gaps, noise, level = [], [], [], 0.0
    for k in range(x.size):
        idx = np.unravel_index(k, x.shape, order="F")
        h = STEP * max(1.0, abs(x[idx]))
        quotients = []
        for step in (h, h / 2, h / 4):
            sides = []
            for sign in (1.0, -1.0):
                moved = x.copy()
                moved[idx] += sign * step
                sides.append(_vec(fun(moved)))
            level = max(level, float(np.max(np.abs(sides[0]))), float(np.max(np.abs(sides[1]))))
            quotients.append((sides[0] - sides[1]) / (2 * step))
        coarse = (4 * quotients[1] - quotients[0]) / 3
        fine = (4 * quotients[2] - quotients[1]) / 3
        columns.append(fine)
        gaps.append(np.abs(fine - coarse))
        noise.append(8 * EPS * level / (h / 4) * np.ones_like(fine))
    return np.column_stack(columns), _norm(np.column_stack(gaps)), _norm(np.column_stack(noise))


def second_differences(fun, x: np.ndarray, pairs: list) -> tuple[np.ndarray, float, float]:
    """(uᵀHv for each (u, v), gap, noise) by Richardson-refined second differences of fun."""
    scale = max(1.0, float(np.max(np.abs(x))))
    out, gaps, noise, level = [], [], [], 0.0
    for u, v in pairs:
        estimates = []
        for h in (HESSIAN_STEP, HESSIAN_STEP / 2, HESSIAN_STEP / 4):
            total = 0.0
            for su, sv in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                value = float(fun(x + scale * h * (su * u + sv * v))[0, 0])
                level = max(level, abs(value))
                total += su * sv * value
            estimates.append(total / (4 * h * h))
        coarse = (4 * estimates[1] - estimates[0]) / 3
        fine = (4 * estimates[2] - estimates[1]) / 3
        out.append(fine / scale**2)
        gaps.append(abs(fine - coarse) / scale**2)
        noise.append(16 * EPS * level / (scale * HESSIAN_STEP / 4) ** 2)
    return np.array(out), _norm(gaps), _norm(noise)


def compare(actual: np.ndarray, reference: np.ndarray, gap: float, noise: float) -> Outcome:
    """matcalc's ``actual`` against finite differences ``reference``, whose error estimate is
    the ``gap`` of two refinements plus the rounding ``noise``.  Derivatives smaller than
    10·noise/RESOLVE compare with that size (rounding is all there is to resolve there).
    Where the function was exactly 0 at every step (noise 0: √q − q^{∘1/2}, X − X), its
    derivative is 0 and matcalc's must vanish up to the rounding of its terms, ``ZERO``."""
    if not np.all(np.isfinite(reference)):
        return Outcome(INCONCLUSIVE, "finite differences are not finite")
    if not np.all(np.isfinite(actual)):
        return Outcome(WRONG, NOT_FINITE)
    if noise == 0 and gap == 0 and not np.any(reference):
        if _norm(actual) <= ZERO * np.sqrt(actual.size):
            return Outcome(OK, error=_norm(actual))
        return Outcome(WRONG, f"the function is 0 near the point, matcalc's derivative has norm {_norm(actual):.3g}",
                       error=_norm(actual))
    estimate = gap + noise
    size = max(_norm(actual), _norm(reference), 10 * noise / RESOLVE, np.finfo(float).tiny)
    error = _norm(actual - reference)
    if estimate > RESOLVE * size:
        return Outcome(INCONCLUSIVE, f"finite differences cannot resolve (estimate {estimate / size:.1e})")
    if error <= RTOL * size + 4 * estimate:
        return Outcome(OK, error=error / size)
    if _norm(actual) <= ROUNDING_LEVEL and _norm(reference) <= ROUNDING_LEVEL:
        # rounding residue on both sides: (log(exp(E)) − E) ⊙ B is 0, but its floating-point
        # value is ~1e-16·B and so are its differences; var(c𝟙)³ is 0, matcalc's Hessian 1e-60
        return Outcome(INCONCLUSIVE, "finite differences and matcalc's derivative are both rounding residue")
    return Outcome(WRONG, f"relative error {error / size:.3g} (finite-difference error ≤ {estimate / size:.1e})",
                   error=error / size)


# ---- the checks --------------------------------------------------------------------------------


def _symmetric(problem: Problem) -> bool:
    return problem.symbols[problem.wrt].domain in ("symmetric", "spd")


def _oracle_at(problem: Problem, values: dict):
    """The oracle as a function of the variable alone (a 2-D array), the others fixed; it
    raises CrossesKink at a point on the other side of a kink (abs, relu, max, ‖·‖₁, …) than
    ``values``, or near a tie (``Problem.near_a_tie``): the function is not smooth between them."""
    signs = problem.signs(values)

    def fun(x):
        point = dict(values)
        point[problem.wrt] = x
        if any(not np.array_equal(a, b) for a, b in zip(problem.signs(point), signs)) or problem.near_a_tie(point):
            raise CrossesKink
        with np.errstate(all="ignore"):
            return np.asarray(problem.oracle(point), dtype=float)

    return fun


def _call(fn, *args, **kwargs):
    """fn(...) of matcalc: a MatcalcError raises Refused, any other exception Crashed."""
    try:
        return fn(*args, **kwargs)
    except mc.MatcalcError as exc:
        raise Refused(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise Crashed(f"{type(exc).__name__}: {exc}") from exc


def check_value(problem: Problem, values: dict, user: dict) -> Outcome | None:
    """matcalc's value of the text against the oracle's (None when they agree)."""
    e = _call(mc.parse, problem.text, **problem.declarations())
    expected = np.asarray(problem.oracle(values), dtype=float)
    actual = _matrix(_call(e.evaluate, user, dims=problem.dims), expected.shape)
    if not np.all(np.isfinite(actual)):
        return Outcome(WRONG, "matcalc's value is not finite where the oracle's is")
    gap = _norm(actual - expected)
    tol = VALUE_RTOL * max(_norm(actual), _norm(expected)) + 1e3 * EPS * max(1.0, _norm(expected))
    if gap > tol:
        return Outcome(WRONG, f"value {actual.ravel()[:4]} differs from the oracle's {expected.ravel()[:4]}",
                       error=gap / max(_norm(expected), 1e-300))
    return None


def check_derivative(problem: Problem, values: dict, user: dict, tamper=None, read_back=False) -> Outcome:
    """matcalc's derivative against finite differences of the oracle; ``tamper`` (a function
    of an array), if given, alters matcalc's numbers first (to show that the check sees it);
    with ``read_back`` the printed derivative is parsed again and evaluated."""
    tamper = tamper or (lambda a: a)

    def _answered(outcome: Outcome, result) -> Outcome:
        outcome.answer = _call(str, result)
        if read_back:
            outcome.read_back = _read_back(problem, result, user)
        return outcome

    decl = problem.declarations()
    x = values[problem.wrt]
    fun = _oracle_at(problem, values)
    n = x.size
    sym = _symmetric(problem)
    if problem.kind == "grad":
        g = _call(mc.grad, problem.text, problem.wrt, **decl)
        actual = tamper(_matrix(_call(g.evaluate, user, dims=problem.dims), x.shape))
        j, gap, noise = jacobian_by_differences(fun, x)
        reference = j.reshape(x.shape, order="F")
        if sym:
            actual, reference = (actual + actual.T) / 2, (reference + reference.T) / 2
        return _answered(compare(actual, reference, gap, noise), g)
    if problem.kind == "jacobian":
        jac = _call(mc.jacobian, problem.text, problem.wrt, **decl)
        rows = int(np.prod(problem.sized(problem.shape)))
        actual = tamper(_matrix(_call(jac.evaluate, user, dims=problem.dims), (rows, n)))
        reference, gap, noise = jacobian_by_differences(fun, x)
        if sym:
            s = _symmetrizer(x.shape[0])
            actual, reference = actual @ s, reference @ s
        return _answered(compare(actual, reference, gap, noise), jac)
    hes = _call(mc.hessian, problem.text, problem.wrt, **decl)
    h = tamper(_matrix(_call(hes.evaluate, user, dims=problem.dims), (n, n)))
    rng = np.random.default_rng(problem.seed + 1)
    pairs = []
    for i in range(PAIRS):
        u = rng.standard_normal(x.shape)
        v = u if i == 0 else rng.standard_normal(x.shape)
        if sym:
            u, v = (u + u.T) / 2, (v + v.T) / 2
        pairs.append((u / np.max(np.abs(u)), v / np.max(np.abs(v))))
    actual = np.array([_vec(u) @ h @ _vec(v) for u, v in pairs])
    reference, gap, noise = second_differences(fun, x, pairs)
    return _answered(compare(actual, reference, gap, noise), hes)


def _read_back(problem: Problem, result, user: dict) -> str:
    """Whether the printed ``result`` parses, with the problem's declarations, to the same
    numbers: "same", "different" or "unreadable: <the error>"."""
    value = np.asarray(result.evaluate(user, dims=problem.dims), dtype=float)
    try:
        again = mc.parse(str(result), **problem.declarations()).evaluate(user, dims=problem.dims)
    except Exception as exc:  # a MatcalcError or not: counted, never raised
        return f"unreadable: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    again = np.asarray(again, dtype=float)
    if again.size != value.size:
        return f"different: shape {again.shape} for {value.shape}"
    level = np.max(np.abs(value[np.isfinite(value)]), initial=0.0)
    same = np.allclose(again.ravel(), value.ravel(), rtol=1e-9, atol=1e-12 * (1 + level), equal_nan=True)
    return "same" if same else "different"


def _symmetrizer(n: int) -> np.ndarray:
    """S with S·vec(A) = vec((A + Aᵀ)/2)."""
    k = np.zeros((n * n, n * n))
    for i in range(n):
        for j in range(n):
            k[i * n + j, j * n + i] = 1.0
    return (np.eye(n * n) + k) / 2


def judge(problem: Problem, tamper=None, read_back=False) -> Outcome:
    """The outcome of a problem: ok, wrong, crashed, refused or inconclusive (``tamper``,
    ``read_back``: see ``check_derivative``)."""
    values = problem.point()
    with np.errstate(all="ignore"):
        value = np.asarray(problem.oracle(values), dtype=float)
    if not np.all(np.isfinite(value)):
        return Outcome(INCONCLUSIVE, "the oracle's value is not finite")
    user = {name: user_value(a, a.shape) for name, a in values.items()}
    try:
        wrong = check_value(problem, values, user)
        if wrong is not None:
            return wrong
        if problem.near_a_tie(values):
            return Outcome(INCONCLUSIVE, "near a repeated eigenvalue or singular value, a rank deficiency, a tie of the "
                                         "largest |xᵢ| or a constant row: not differentiable there")
        outcome = check_derivative(problem, values, user, tamper, read_back)
        if outcome.detail == NOT_FINITE and problem.at_a_kink(values):
            outcome.status, outcome.detail = INCONCLUSIVE, "a ‖·‖ of an exact 0: not differentiable there (0/0)"
        return outcome
    except Refused as exc:
        return Outcome(REFUSED, str(exc))
    except Crashed as exc:
        return Outcome(CRASHED, str(exc))
    except Misshapen as exc:
        return Outcome(WRONG, str(exc))
    except CrossesKink:
        return Outcome(INCONCLUSIVE, "a kink of abs, relu, max, ‖·‖₁ or ‖·‖_∞, or a near tie, within the "
                                     "finite-difference steps")
