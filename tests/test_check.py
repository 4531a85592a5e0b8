"""Random points that respect domains, and gradients checked against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import matcalc.expr as t
from matcalc.numeric import CheckReport, check_gradient, domains, sample
from matcalc.errors import DomainError, ShapeError
from matcalc.numeric.evaluate import evaluate

X = t.symbol("X", "m", "n")
W = t.symbol("W", "k", "m")
S = t.symbol("S", "n", "n")
a = t.symbol("a", "m")
b = t.symbol("b", "n")
x = t.symbol("x", "n")
alpha, beta = t.symbol("α"), t.symbol("β")
two = t.number(2)
m, n = t.dim("m"), t.dim("n")


def ones_t(d):
    return t.transpose(t.Ones(d))


# ---- right gradients pass ------------------------------------------------------------------

RIGHT = [
    ("aᵀXb", t.matmul(t.transpose(a), X, b), X, t.matmul(a, t.transpose(b))),
    ("log det S", t.LogDet(S), S, t.transpose(t.inverse(S))),
    ("tr(XᵀX)", t.trace(t.matmul(t.transpose(X), X)), X, t.scale(two, X)),
    ("det S", t.Det(S), S, t.scale(t.Det(S), t.transpose(t.inverse(S)))),
    ("‖X‖_F", t.Norm(X), X, t.scale(t.power(t.Norm(X), -1), X)),
    ("xᵀSx", t.matmul(t.transpose(x), S, x), x, t.matmul(t.add(S, t.transpose(S)), x)),
    (
        "aᵀexp(Xb)",
        t.matmul(t.transpose(a), t.Apply("exp", t.matmul(X, b))),
        X,
        t.matmul(t.hadamard(a, t.Apply("exp", t.matmul(X, b))), t.transpose(b)),
    ),
    (
        "𝟙ᵀg(Xb) with the stand-in g",
        t.matmul(ones_t(m), t.Apply("g", t.matmul(X, b))),
        X,
        t.matmul(t.Apply("g", t.matmul(X, b), 1), t.transpose(b)),
    ),
    ("f(WX) opaque", t.Call("f", t.matmul(W, X)), W, t.matmul(t.Grad("f", t.matmul(W, X)), t.transpose(X))),
    ("tr(S⁻¹)", t.trace(t.inverse(S)), S, t.neg(t.transpose(t.matpow(S, -2)))),
    (
        "𝟙ᵀlog(x)",
        t.matmul(ones_t(n), t.Apply("log", x)),
        x,
        t.HadamardDiv(t.Ones(n), x),
    ),
    ("unrelated variable", t.trace(S), X, t.Zero((m, n))),
]


@pytest.mark.parametrize("label, f, wrt, gradient", RIGHT, ids=[r[0] for r in RIGHT])
def test_right_gradients_pass(label, f, wrt, gradient):
    report = check_gradient(f, wrt, gradient)
    assert report, str(report)
    assert report.ok and len(report.trials) == 3
    assert max(report.trials) < 1e-8
    assert str(report).startswith("✓ agrees with central finite differences at 3 random points")


def test_user_formula_function():
    h = "x**3 + sin(x)"
    f = t.matmul(ones_t(m), t.Apply("h", t.matmul(X, b), 0, h))
    g = t.matmul(t.Apply("h", t.matmul(X, b), 1, h), t.transpose(b))
    assert check_gradient(f, X, g)


def test_user_callables_are_used():
    f = t.Call("f", X)
    quartic = {"f": lambda A: float(np.sum(A**4)), "∇f": lambda A: 4 * A**3}
    assert check_gradient(f, X, t.Grad("f", X), functions=quartic)
    wrong = {"f": quartic["f"], "∇f": lambda A: 3 * A**3}
    assert not check_gradient(f, X, t.Grad("f", X), functions=wrong)


# ---- wrong gradients fail, showing the point -----------------------------------------------

WRONG = [
    ("transposed", t.matmul(t.transpose(b), S, x), S, t.matmul(x, t.transpose(b))),
    ("missing factor 2", t.trace(t.matmul(t.transpose(X), X)), X, X),
    ("X⁻¹ for X⁻ᵀ", t.LogDet(S), S, t.inverse(S)),
    (
        "g for g′",
        t.matmul(ones_t(m), t.Apply("g", t.matmul(X, b))),
        X,
        t.matmul(t.Apply("g", t.matmul(X, b)), t.transpose(b)),
    ),
    ("wrong sign", t.Norm(X), X, t.neg(t.scale(t.power(t.Norm(X), -1), X))),
]


@pytest.mark.parametrize("label, f, wrt, gradient", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_gradients_fail(label, f, wrt, gradient):
    report = check_gradient(f, wrt, gradient)
    assert not report
    assert report.error > 1e-2
    text = str(report)
    assert text.startswith("✗ differs from finite differences at a random point (relative error ")
    for name in report.point:
        assert f"  {name} = " in text
    assert "finite differences: " in text and "gradient: " in text
    np.testing.assert_allclose(report.actual, evaluate(gradient, report.point))
    assert np.shape(report.expected) == np.shape(report.actual) == np.shape(report.point[wrt.name])


def test_transposed_gradient_of_square_variable():
    f = t.matmul(t.transpose(b), S, x)
    assert check_gradient(f, S, t.matmul(b, t.transpose(x)))
    assert not check_gradient(f, S, t.matmul(x, t.transpose(b)))


def test_failure_report_values():
    f = t.trace(t.matmul(t.transpose(X), X))
    report = check_gradient(f, X, X, trials=2, seed=5)
    point = report.point["X"]
    np.testing.assert_allclose(report.actual, point)
    np.testing.assert_allclose(report.expected, 2 * point, rtol=1e-8)
    assert report.error == pytest.approx(0.5, rel=1e-6)
    assert len(report.trials) == 2 and report.wrt == "X"


def test_report_is_truthy_only_when_ok():
    assert CheckReport(ok=True, trials=[1e-12])
    assert not CheckReport(ok=False, trials=[0.3])
    assert str(CheckReport(ok=True, trials=[2.1e-10])) == (
        "✓ agrees with central finite differences at 1 random point (max relative error 2.1e-10)"
    )


# ---- shapes and domains of the check -------------------------------------------------------


def test_gradient_shape_must_match():
    with pytest.raises(ShapeError, match="m×n"):
        check_gradient(t.matmul(t.transpose(a), X, b), X, t.matmul(b, t.transpose(a)))
    with pytest.raises(ShapeError, match="scalar"):
        check_gradient(X, X, X)


def test_points_where_values_are_not_finite_are_redrawn():
    # √(αβ) is real only where αβ > 0; nothing marks α or β positive.
    f = t.Apply("sqrt", t.mul(alpha, beta))
    g = t.scale(t.scale(t.number(sympy.Rational(1, 2)), beta), t.power(f, -1))
    assert check_gradient(f, alpha, g, trials=4)


def test_nowhere_finite_raises():
    f = t.Apply("log", t.neg(t.add(t.power(alpha, 2), t.number(1))))
    with pytest.raises(DomainError, match="finite"):
        check_gradient(f, alpha, t.scale(two, alpha))


def test_wrt_by_name():
    f = t.matmul(t.transpose(a), X, b)
    assert check_gradient(f, "X", t.matmul(a, t.transpose(b)))
    with pytest.raises(DomainError):
        check_gradient(f, "Y", t.matmul(a, t.transpose(b)))


# ---- sampling ------------------------------------------------------------------------------


def test_sample_shapes_and_forms():
    f = t.matmul(t.transpose(a), X, b)
    values = sample([f, alpha])
    assert set(values) == {"X", "a", "b", "α"}
    rows, cols = values["X"].shape
    assert values["a"].shape == (rows,) and values["b"].shape == (cols,)
    assert isinstance(values["α"], float)
    assert rows != cols and 2 <= rows <= 5 and 2 <= cols <= 5


def test_sample_dimensions_differ_and_respect_fixed_sizes():
    Z = t.symbol("Z", 3, "r")
    e = t.add(t.trace(t.matmul(X, t.transpose(X))), t.Norm(Z))
    for seed in range(10):
        v = sample(e, seed=seed)
        sizes = {*v["X"].shape, v["Z"].shape[1]}
        assert len(sizes) == 3 and 3 not in sizes and v["Z"].shape[0] == 3
    pinned = sample(e, sizes={"m": 7})
    assert pinned["X"].shape[0] == 7


def test_sample_is_deterministic():
    e = t.matmul(t.transpose(a), X, b)
    v1, v2, v3 = sample(e, seed=3), sample(e, seed=3), sample(e, seed=4)
    np.testing.assert_array_equal(v1["X"], v2["X"])
    assert v1["X"].shape != v3["X"].shape or not np.array_equal(v1["X"], v3["X"])


def test_declared_domains():
    Sigma = t.symbol("Σ", "n", "n", ["spd"])
    M = t.symbol("M", "n", "n", ["symmetric"])
    P = t.symbol("P", "m", "n", ["positive"])
    A = t.symbol("A", "n", "n", ["invertible"])
    e = t.add(t.LogDet(Sigma), t.trace(M), t.Norm(P), t.trace(A))
    for seed in range(20):
        v = sample(e, seed=seed)
        np.testing.assert_allclose(v["Σ"], v["Σ"].T)
        assert np.linalg.eigvalsh(v["Σ"]).min() >= 1.0 - 1e-12
        np.testing.assert_allclose(v["M"], v["M"].T)
        assert np.all((v["P"] >= 0.5) & (v["P"] <= 2.0))
        assert np.linalg.cond(v["A"]) < 100


def test_inferred_domains():
    y = t.symbol("y", "n")
    T = t.symbol("T", "n", "n")
    U = t.symbol("U", "n", "n")
    V = t.symbol("V", "n", "n")
    e = t.add(
        t.matmul(ones_t(n), t.Apply("log", x)),
        t.matmul(ones_t(n), t.HadamardDiv(b, y)),
        t.LogDet(t.transpose(T)),
        t.trace(t.inverse(U)),
        t.trace(t.HadamardPow(V, sympy.Rational(1, 2))),
    )
    doms = domains([e])
    assert doms["x"] == {"positive"} and doms["y"] == {"positive"} and doms["b"] == set()
    assert doms["T"] == {"positive det"} and doms["U"] == {"invertible"} and doms["V"] == {"positive"}
    for seed in range(20):
        v = sample(e, seed=seed)
        assert np.all(v["x"] > 0) and np.all(v["y"] > 0) and np.all(v["V"] > 0)
        assert np.linalg.det(v["T"]) > 0 and not np.allclose(v["T"], v["T"].T)
        assert np.linalg.cond(v["U"]) < 100
        assert np.isfinite(evaluate(e, v))


def test_log_argument_inferred_positive_makes_check_pass():
    f = t.matmul(ones_t(n), t.Apply("log", x))
    report = check_gradient(f, x, t.HadamardDiv(t.Ones(n), x), trials=5)
    assert report and np.all(report.point["x"] > 0)


def test_entries_are_moderate():
    v = sample(t.Norm(X), seed=1)["X"]
    assert 0.0 < np.abs(v).max() < 5.0
