"""Stationary points in closed form: the normal equations and their relatives.

Each answer is checked at random data: the gradient evaluated at the returned point vanishes,
and for the least-squares problems the point equals NumPy's lstsq / solve.
"""

from __future__ import annotations

import numpy as np
import pytest

import matcalc as mc
from matcalc.numeric import point

# (f, wrt, declarations, printed stationary point)
CASES = [
    ("‖Xw − y‖²", "w", {}, "(XᵀX)⁻¹Xᵀy"),  # seed 003, (44)
    ("‖Xw − y‖² + λ‖w‖²", "w", {}, "(XᵀX + λI)⁻¹Xᵀy"),  # ridge
    ("½xᵀAx − bᵀx", "x", {"domains": "A: symmetric"}, "A⁻¹b"),
    ("½xᵀAx − bᵀx", "x", {}, "2(A + Aᵀ)⁻¹b"),
    ("‖XW − Y‖²_F", "W", {}, "(XᵀX)⁻¹XᵀY"),  # left multiplications
    ("‖WX − Y‖²_F", "W", {"shapes": "W: k×n, X: n×m"}, "YXᵀ(XXᵀ)⁻¹"),  # right multiplications
    ("‖AWB − C‖²_F", "W", {"shapes": "A: m×n, W: n×k, B: k×p"}, "(AᵀA)⁻¹AᵀCBᵀ(BBᵀ)⁻¹"),  # one AWB
    ("tr(AWBWᵀ) − tr(CᵀW)", "W", {"domains": "A: spd, B: spd"}, "½A⁻¹CB⁻¹"),
    ("(Xw − y)ᵀΣ(Xw − y)", "w", {"domains": "Σ: spd"}, "(XᵀΣX)⁻¹XᵀΣy"),  # weighted
    ("(aᵀw)² + ‖w‖² − bᵀw", "w", {}, "½(aaᵀ + I)⁻¹b"),  # a scalar factor aᵀdw
    ("‖Xw‖²", "w", {}, "0_n"),
]

# Sizes that make the least-squares problems overdetermined (m > n).
SIZES = {"m": 7, "n": 3, "k": 2, "p": 5}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} wrt {c[1]}")
def test_printed_form(case):
    f, wrt, decl, printed = case
    assert str(mc.solve(f, wrt, **decl)) == printed


def _at_solution(f, wrt, decl, seed):
    """(values, w*, ∇f at w*, ∇f at w = 0) at a random point."""
    e = mc.parse(f, **decl)
    g = mc.grad(e, wrt)
    w = mc.solve(e, wrt)
    values, dims = point([e, w], seed=seed, sizes=SIZES)
    dims = {str(k): v for k, v in dims.items()}
    solution = w.evaluate(values, dims=dims)
    at_zero = g.evaluate({**values, wrt: np.zeros_like(values[wrt])}, dims=dims)
    return values, solution, g.evaluate({**values, wrt: solution}, dims=dims), at_zero


@pytest.mark.parametrize("case", CASES[:-1], ids=lambda c: f"{c[0]} wrt {c[1]}")
@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_vanishes_at_the_point(case, seed):
    f, wrt, decl, _ = case
    _, _, residual, at_zero = _at_solution(f, wrt, decl, seed)
    assert np.linalg.norm(residual) <= 1e-9 * max(1.0, np.linalg.norm(at_zero))
    assert np.linalg.norm(at_zero) > 1e-3  # the point is not trivially 0


def test_least_squares_agrees_with_lstsq():
    values, w, _, _ = _at_solution("‖Xw − y‖²", "w", {}, 3)
    expected = np.linalg.lstsq(values["X"], values["y"], rcond=None)[0]
    np.testing.assert_allclose(w, expected, rtol=1e-9)


def test_matrix_least_squares_agrees_with_lstsq():
    values, W, _, _ = _at_solution("‖XW − Y‖²_F", "W", {}, 4)
    expected = np.linalg.lstsq(values["X"], values["Y"], rcond=None)[0]
    np.testing.assert_allclose(W, expected, rtol=1e-9)


def test_ridge_agrees_with_numpy():
    values, w, _, _ = _at_solution("‖Xw − y‖² + λ‖w‖²", "w", {}, 5)
    X, y, lam = values["X"], values["y"], values["λ"]
    expected = np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)
    np.testing.assert_allclose(w, expected, rtol=1e-9)


def test_quadratic_agrees_with_numpy_solve():
    values, x, _, _ = _at_solution("½xᵀAx − bᵀx", "x", {"domains": "A: symmetric"}, 6)
    np.testing.assert_allclose(x, np.linalg.solve(values["A"], values["b"]), rtol=1e-9)


def test_scalar_unknown():
    e = mc.parse("(αa − b)ᵀ(αa − b)")
    alpha = mc.solve(e, "α")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=4), rng.normal(size=4)
    assert alpha.evaluate({"a": a, "b": b}) == pytest.approx(a @ b / (a @ a))


def test_latex():
    assert mc.solve("‖Xw − y‖²", "w").latex() == r"\left(X^{\top}X\right)^{-1}X^{\top}y"


@pytest.mark.parametrize(
    "f, wrt, message",
    [
        ("‖w‖⁴", "w", r"the gradient 4‖w‖²w is not affine in w"),
        ("wᵀAw + 𝟙ᵀexp(w)", "w", r"not affine in w"),
        ("‖AW − C‖²_F + ‖WB − D‖²_F", "W", r"W ↦ 2\(AᵀAW \+ WBBᵀ\).*AWB \+ CWD"),
        ("tr(WᵀAWB) − tr(CᵀW)", "W", r"W ↦ AWB \+ AᵀWBᵀ.*no closed-form inverse"),
        ("tr(W²) − tr(CW)", "W", r"W ↦ 2Wᵀ involves Wᵀ"),
        ("‖W ⊙ A − C‖²_F", "W", r"no closed-form inverse.*⊙"),
        ("tr(W)² − tr(CW)", "W", r"no closed-form inverse"),
        ("bᵀw", "w", r"the gradient b does not depend on w"),
    ],
)
def test_unsupported_says_why(f, wrt, message):
    with pytest.raises(mc.UnsupportedError, match=message):
        mc.solve(f, wrt)


def test_bad_input():
    with pytest.raises(mc.ShapeError, match="must be scalar"):
        mc.solve("Xw − y", "w")
    with pytest.raises(mc.DomainError, match="not a symbol of the expression"):
        mc.solve("‖Xw − y‖²", "v")
    with pytest.raises(mc.ParseError):
        mc.solve("‖Xw − y", "w")
