"""Random problems against an independent oracle (tests/oracle.py, tests/finite_differences.py).

Each example is a random well-typed expression written as matcalc text with its declarations,
and a NumPy function of its value built alongside it without matcalc.  matcalc must read the
text to the oracle's value, and its gradient, Jacobian (numerator layout, as a 2-D matrix) or
Hessian must agree with Richardson-refined central differences of the oracle; a point where
the differences cannot resolve is redrawn (``assume``), never judged with a looser tolerance.
A refusal (any MatcalcError) of these valid inputs fails too.  ``bench/fuzz.py`` runs the same
problems by the hundred thousand.
"""

import random

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import finite_differences as fd
from oracle import Problem, problem
from oracle_terms import ONE, Symbol

# A seed drawn by Hypothesis for the campaign's own generator: st.randoms() would draw every
# choice through Hypothesis, which favours the smallest problems (2 + α) again and again.
SEEDS = st.integers(0, 2**64 - 1)


def _agrees(seed, kind=None):
    p = problem(random.Random(seed), kind)
    outcome = fd.judge(p)
    assume(outcome.status != fd.INCONCLUSIVE)
    assert outcome.status == fd.OK, f"{outcome.status}: {p.describe()}\n{outcome.detail}"


@settings(max_examples=60)
@given(SEEDS)
def test_gradients_agree_with_the_oracle(seed):
    _agrees(seed, "grad")


@settings(max_examples=30)
@given(SEEDS)
def test_jacobians_agree_with_the_oracle(seed):
    _agrees(seed, "jacobian")


@settings(max_examples=20)
@given(SEEDS)
def test_hessians_agree_with_the_oracle(seed):
    _agrees(seed, "hessian")


@pytest.mark.slow
@settings(max_examples=500)
@given(SEEDS)
def test_many_more_problems_agree_with_the_oracle(seed):
    _agrees(seed)


# ---- the check itself has teeth --------------------------------------------------------------


def _bump(a: np.ndarray) -> np.ndarray:
    """The largest entry changed by a relative 10⁻⁴."""
    out = a.copy()
    k = int(np.argmax(np.abs(out)))
    out.flat[k] *= 1 + 1e-4
    return out


@pytest.mark.parametrize("kind", ["grad", "jacobian", "hessian"])
def test_a_slightly_wrong_derivative_is_judged_wrong(kind):
    rng = random.Random(1)
    caught = 0
    for _ in range(12):
        p = problem(rng, kind)
        zero = []
        if fd.judge(p, tamper=lambda a: zero.append(not np.any(a)) or a).status != fd.OK or zero[0]:
            continue  # nothing to change in a zero derivative
        tampered = fd.judge(p, tamper=_bump)
        assert tampered.status in (fd.WRONG, fd.INCONCLUSIVE), p.describe()
        caught += tampered.status == fd.WRONG
    assert caught >= 5


def test_a_wrong_value_is_judged_wrong(monkeypatch):
    p = problem(random.Random(5), "grad")
    assert fd.judge(p).status == fd.OK
    exact = p.oracle
    monkeypatch.setattr(p, "oracle", lambda point: exact(point) * (1 + 1e-6) + 1e-6)
    assert fd.judge(p).status == fd.WRONG


def test_finite_differences_of_known_functions():
    """The helpers themselves: ∂ sum(X^{∘3})/∂X = 3X^{∘2}, the Jacobian of AX is I ⊗ A and
    uᵀHv for xᵀMx is uᵀ(M + Mᵀ)v, each within the error estimate they report."""
    rng = np.random.default_rng(0)
    x, a = rng.standard_normal((3, 2)), rng.standard_normal((4, 3))
    g, gap, noise = fd.jacobian_by_differences(lambda y: np.array([[np.sum(y**3)]]), x)
    assert np.linalg.norm(g.reshape(x.shape, order="F") - 3 * x**2) <= 4 * (gap + noise)
    j, gap, noise = fd.jacobian_by_differences(lambda y: a @ y, x)
    assert np.linalg.norm(j - np.kron(np.eye(2), a)) <= 4 * (gap + noise)
    m, v = rng.standard_normal((3, 3)), rng.standard_normal((3, 1))
    pairs = [(rng.standard_normal((3, 1)), rng.standard_normal((3, 1))) for _ in range(3)]
    h, gap, noise = fd.second_differences(lambda y: y.T @ m @ y, v, pairs)
    exact = [(u.T @ (m + m.T) @ w).item() for u, w in pairs]
    assert np.linalg.norm(h - exact) <= 4 * (gap + noise)


def test_a_point_finite_differences_cannot_resolve_is_inconclusive():
    """sin(10⁸x): the two refinements disagree, so no verdict is given."""
    j, gap, noise = fd.jacobian_by_differences(lambda y: np.sin(1e8 * y), np.array([[0.3]]))
    assert fd.compare(np.array([1.0]), j.ravel(), gap, noise).status == fd.INCONCLUSIVE


def _sum_of_abs(x: np.ndarray) -> Problem:
    """sum(abs(x)) for x: n (n = 2) at the point x, as the generator would draw it."""
    p = Problem("grad", "sum(abs(x))", (ONE, ONE), "x", {"x": Symbol("x", ("n", ONE), None)}, {ONE: 1, "n": 2},
                symbolic=True, oracle=lambda point: np.array([[np.sum(np.abs(point["x"]))]]), seed=0,
                kinks=[lambda point: point["x"]])
    p._point = {"x": x.reshape(2, 1)}
    return p


def test_a_kink_within_the_steps_is_inconclusive_not_judged():
    """abs(x) at x = 10⁻⁴: the steps 10⁻³ and 5·10⁻⁴ cross the kink, where finite differences
    are consistent with each other and wrong; away from it the same problem is judged."""
    assert fd.judge(_sum_of_abs(np.array([1e-4, 1.0]))).status == fd.INCONCLUSIVE
    assert fd.judge(_sum_of_abs(np.array([0.3, -1.0]))).status == fd.OK


def test_a_derivative_of_a_function_that_is_zero_near_the_point():
    """√q − q^{∘1/2} is 0: finite differences are exactly 0 and matcalc's Jacobian is
    ½(diag(1 ⊘ √q) − diag(q^{∘−1/2})), 0 up to rounding — judged right; 10⁻⁹ is judged wrong."""
    zero = np.zeros((3, 3))
    assert fd.compare(zero + 1e-17, zero, 0.0, 0.0).status == fd.OK
    assert fd.compare(zero + 1e-9, zero, 0.0, 0.0).status == fd.WRONG
