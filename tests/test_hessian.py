"""Hessians in closed form: d²f = vec(dX)ᵀ H vec(dX), H symmetric, against second differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings

import matcalc as mc
from matcalc import expr as t
from matcalc.numeric import point
from matcalc.errors import DomainError, ShapeError, UnsupportedError
from matcalc.numeric.check import finite_difference_hessian
from matcalc.results.jacobian import Jacobian
from strategies import expressions

SIZES = {"m": 3, "n": 2, "p": 2, "q": 2, "k": 2, "r": 2}
LOGISTIC = "𝟙ᵀsoftplus(Xw) − yᵀXw"

# (f, wrt, declarations, H)
CASES = [
    ("xᵀAx", "x", {}, "A + Aᵀ"),
    ("‖Ax − b‖²", "x", {}, "2AᵀA"),
    (LOGISTIC, "w", {}, "Xᵀdiag(σ(Xw) ⊙ (1 − σ(Xw)))X"),
    ("sum(softplus(Xw)) − yᵀXw", "w", {}, "Xᵀdiag(σ(Xw) ⊙ (1 − σ(Xw)))X"),
    ("tr(XᵀAX)", "X", {}, "I_n ⊗ (A + Aᵀ)"),
    ("log det X", "X", {}, "−K_{m,m}(X⁻ᵀ ⊗ X⁻¹)"),
    ("log det X", "X", {"domains": "X: spd"}, "−K_{m,m}(X⁻¹ ⊗ X⁻¹)"),
    ("log det X", "X", {"domains": "X: symmetric"}, "−K_{m,m}(X⁻¹ ⊗ X⁻¹)"),
    ("xᵀSx", "x", {"domains": "S: symmetric"}, "2S"),
    ("½xᵀAx − bᵀx", "x", {"domains": "A: symmetric"}, "A"),
    ("xᵀx", "x", {}, "2I_m"),
    ("tr(XᵀX)", "X", {}, "2I_{mn}"),
    ("aᵀXᵀXb", "X", {}, "(abᵀ + baᵀ) ⊗ I_n"),
    ("tr(AXBXᵀ)", "X", {}, "B ⊗ Aᵀ + Bᵀ ⊗ A"),
    ("‖XW − Y‖²_F", "W", {}, "2(I_p ⊗ (XᵀX))"),
    ("‖X − DR‖²_F", "D", {}, "2((RRᵀ) ⊗ I_m)"),
    ("𝟙ᵀexp(Xw)", "w", {}, "Xᵀdiag(exp(Xw))X"),
    ("aᵀexp(Xb)", "b", {}, "Xᵀdiag(a ⊙ exp(Xb))X"),
    ("aᵀexp(Xb)", "X", {}, "(b ⊗ I)diag(a ⊙ exp(Xb))(bᵀ ⊗ I)"),
    ("exp(aᵀx)", "x", {}, "exp(aᵀx)aaᵀ"),
    ("g(aᵀx)", "x", {"functions": "g: elementwise"}, "g″(aᵀx)aaᵀ"),
    ("xᵀAx + ‖x‖⁴", "x", {}, "A + Aᵀ + 8xxᵀ + 4‖x‖²I"),
    ("‖x‖", "x", {}, "(I − xxᵀ/‖x‖²)/‖x‖"),
    ("sum(exp(X))", "X", {}, "diag(vec(exp(X)))"),
    ("tr(X²)", "X", {}, "2K_{m,m}"),
    ("tr(X³)", "X", {}, "3K_{m,m}(Xᵀ ⊗ I + I ⊗ X)"),
    ("tr(X⁻¹)", "X", {}, "K_{m,m}((Xᵀ)⁻² ⊗ X⁻¹ + X⁻ᵀ ⊗ X⁻²)"),
    ("det(X)", "X", {}, "det(X)(vec(X⁻ᵀ)vec(X⁻ᵀ)ᵀ − K_{m,m}(X⁻ᵀ ⊗ X⁻¹))"),
    ("tr(XᵀX)²", "X", {}, "4(2vec(X)vec(X)ᵀ + tr(XᵀX)I)"),
    ("tr(AX)tr(BX)", "X", {}, "vec(Aᵀ)vec(Bᵀ)ᵀ + vec(Bᵀ)vec(Aᵀ)ᵀ"),
    ("λ²", "λ", {}, "2"),
]


def _hessian(text, wrt, decl, as_tensor=False) -> Jacobian:
    return mc.hessian(text, wrt, as_tensor=as_tensor, **decl)


def _points(h: Jacobian, sizes=SIZES):
    return (point([h.F, h.matrix], s, sizes) for s in itertools.count())


@pytest.mark.parametrize("text, wrt, decl, expected", CASES)
def test_printed_forms(text, wrt, decl, expected):
    assert str(_hessian(text, wrt, decl)) == expected


@pytest.mark.parametrize("text, wrt, decl, expected", CASES)
def test_agrees_with_second_differences_and_is_symmetric(text, wrt, decl, expected):
    h = _hessian(text, wrt, decl)
    report = h.check(trials=2, points=_points(h))
    assert report, f"{text} wrt {wrt}: {report}"
    values, dims = point([h.F, h.matrix], 7, SIZES)
    matrix = h.evaluate(values, dims)
    n = np.size(values[wrt])
    assert matrix.shape == (n, n)
    np.testing.assert_allclose(matrix, matrix.T, rtol=1e-9, atol=1e-9 * (1 + np.max(np.abs(matrix))))


def test_second_differential_is_the_quadratic_form():
    """d²f = vec(dX)ᵀ H vec(dX): f(X + εV) = f + ε⟨G, V⟩ + ½ε² vec(V)ᵀ H vec(V) + O(ε³)."""
    h = mc.hessian("log det X", "X")
    values, dims = point([h.F], 3, {"m": 3})
    v = np.random.default_rng(0).standard_normal((3, 3))
    hv = h.evaluate(values, dims)
    eps = 1e-3
    f = lambda x: h.F.evaluate({"X": x})  # noqa: E731
    x = values["X"]
    second = (f(x + eps * v) - 2 * f(x) + f(x - eps * v)) / eps**2
    quadratic = v.reshape(-1, order="F") @ hv @ v.reshape(-1, order="F")
    assert second == pytest.approx(quadratic, rel=1e-5)


def test_logistic_hessian_by_hand():
    h = mc.hessian(LOGISTIC, "w")
    rng = np.random.default_rng(1)
    x, w, y = rng.standard_normal((6, 3)), rng.standard_normal(3), rng.integers(0, 2, 6).astype(float)
    s = 1 / (1 + np.exp(-x @ w))
    np.testing.assert_allclose(h.evaluate({"X": x, "w": w, "y": y}), x.T @ np.diag(s * (1 - s)) @ x, rtol=1e-12)


def test_tensor_has_the_variable_axes_twice():
    h = _hessian("tr(XᵀAX)", "X", {}, as_tensor=True)
    a, x = np.arange(9.0).reshape(3, 3), np.ones((3, 2))
    tensor = h.evaluate({"A": a, "X": x})
    assert tensor.shape == (3, 2, 3, 2)
    expected = np.einsum("ik,jl->ijkl", a + a.T, np.eye(2))  # ∂²f/∂X_ij∂X_kl = (A + Aᵀ)_ik δ_jl
    np.testing.assert_allclose(tensor, expected)
    vector = _hessian("xᵀAx", "x", {}, as_tensor=True).evaluate({"A": a, "x": np.ones(3)})
    np.testing.assert_allclose(vector, a + a.T)


def test_finite_difference_hessian_of_a_quadratic():
    f = mc.parse("xᵀAx")
    a = np.array([[1.0, 2.0], [0.0, 3.0]])
    fd, error = finite_difference_hessian(f, next(s for s in f.free_symbols if s.name == "x"),
                                          {"A": a, "x": np.array([0.3, -0.7])})
    np.testing.assert_allclose(fd, a + a.T, atol=1e-7)
    assert error < 1e-6


def test_wrong_hessian_fails_the_check():
    h = mc.hessian("xᵀAx", "x")
    assert str(h.matrix.terms[0]) == "A"
    wrong = Jacobian(h.F, h.wrt, t.scale(t.number(2), h.matrix.terms[0]), hessian=True)  # 2A, not A + Aᵀ
    report = wrong.check(points=_points(h))
    assert not report and report.error > 0.1


def test_errors():
    with pytest.raises(ShapeError, match="only a scalar function has a Hessian"):
        mc.hessian("AX", "X")
    with pytest.raises(UnsupportedError, match="opaque function f"):
        mc.hessian("f(X)", "X", functions="f: scalar")
    with pytest.raises(DomainError, match="Q"):
        mc.hessian("xᵀAx", "Q")


@settings(max_examples=60)
@given(expressions(max_depth=4))
def test_random_hessians_agree_with_second_differences(case):
    f, wrt, shapes, domains = case
    assume(not any(isinstance(n, t.Apply) and n.name in {"relu", "abs", "sign", "step"} for n in t.walk(f)))
    assume(not any(isinstance(n, t.Call) for n in t.walk(f)))  # opaque: no second derivative
    try:
        h = mc.hessian(f, wrt)
    except UnsupportedError:
        assume(False)
    try:
        report = h.check(trials=1, points=_points(h))
    except DomainError:
        assume(False)
    assert report, f"{f} wrt {wrt.name}: {h}\n{report}"
