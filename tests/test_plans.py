"""Expr.evaluate remembers the binding of a call (numeric/plans.py): a later call with values of
the same names and shapes runs the compiled program at once, and every error the checked way
reports is still reported, by the checked way, with its message."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import matcalc as mc
from matcalc.numeric import plans


def _plan_of(e, values, dims=None):
    return plans._PLANS.get(plans._signature(e, values, dims))


def test_a_second_call_of_the_same_shapes_runs_by_the_plan_and_agrees():
    g = mc.grad("‖Ax − b‖²", "x")
    rng = np.random.default_rng(0)
    values = {"x": rng.standard_normal(3), "A": rng.standard_normal((5, 3)), "b": rng.standard_normal(5)}
    first = g.evaluate(values)
    assert _plan_of(g, values) is not None
    values2 = {k: v + 1.0 for k, v in values.items()}
    second = g.evaluate(values2)
    a, b, x = values2["A"], values2["b"], values2["x"]
    np.testing.assert_allclose(second, 2 * a.T @ (a @ x - b), rtol=1e-12)
    assert not np.allclose(first, second)
    assert isinstance(mc.parse("‖Ax − b‖²").evaluate(values), float)


def test_the_result_is_never_the_callers_array():
    g = mc.grad("aᵀx", "x")  # the gradient is a itself
    a = np.array([1.0, 2.0, 3.0])
    for _ in range(2):
        out = g.evaluate({"a": a, "x": np.zeros(3)})
        out[0] = 99.0
        assert a[0] == 1.0
    xt = mc.parse("Xᵀ")
    x = np.arange(6.0).reshape(2, 3)
    for _ in range(2):
        out = xt.evaluate({"X": x})
        out[0, 0] = 99.0
        assert x[0, 0] == 0.0


def test_errors_after_a_plan_are_the_checked_ones():
    f = mc.parse("tr(X⁻¹A)")
    rng = np.random.default_rng(1)
    good = {"X": np.eye(3) + 0.1 * rng.standard_normal((3, 3)), "A": rng.standard_normal((3, 3))}
    f.evaluate(good)
    f.evaluate(good)
    with pytest.raises(mc.DomainError, match="[Ss]ingular"):
        f.evaluate({"X": np.zeros((3, 3)), "A": good["A"]})
    with pytest.raises(mc.ShapeError, match="declared"):
        f.evaluate({"X": good["X"], "A": np.ones((3, 4))})
    with pytest.raises(mc.DomainError, match="not a real number"):
        f.evaluate({"X": good["X"], "A": [["a", "b", "c"]] * 3})
    log_det = mc.parse("log det X")
    log_det.evaluate({"X": np.eye(2)})
    with pytest.raises(mc.DomainError, match="positive determinant"):
        log_det.evaluate({"X": np.diag([1.0, -1.0])})


def test_dims_are_part_of_the_plan_and_checked_as_given():
    f = mc.parse("𝟙ᵀ(x ⊙ x)", shapes="x: n")
    assert f.evaluate({"x": np.ones(3)}, dims={"n": 3}) == 3.0
    assert f.evaluate({"x": np.ones(3)}, dims={"n": 3}) == 3.0
    with pytest.raises(mc.ShapeError):
        f.evaluate({"x": np.ones(3)}, dims={"n": 4})
    with pytest.raises(TypeError):  # an ArgumentTypeError, as without a plan
        f.evaluate({"x": np.ones(3)}, dims={"n": 3.0})


def test_equal_trees_of_different_origins_bind_their_own_dimensions():
    identity = mc.grad("tr(X)", "X")  # its size comes from X, a symbol of its origin
    np.testing.assert_allclose(identity.evaluate({"X": np.zeros((2, 2))}), np.eye(2))
    np.testing.assert_allclose(identity.evaluate({"X": np.zeros((3, 3))}), np.eye(3))
    again = mc.grad("tr(X)", "X")
    np.testing.assert_allclose(again.evaluate({"X": np.zeros((2, 2))}), np.eye(2))


def test_user_functions_always_go_the_checked_way():
    f = mc.parse("𝟙ᵀg(x)", functions={"g": "elementwise"}, shapes="x: 3")
    x = np.array([1.0, 2.0, 3.0])
    assert f.evaluate({"x": x}, functions={"g": np.exp}) == pytest.approx(np.exp(x).sum())
    assert f.evaluate({"x": x}, functions={"g": np.sin}) == pytest.approx(np.sin(x).sum())
    assert _plan_of(f, {"x": x}) is None


def test_a_planned_call_is_as_quiet_as_a_checked_one():
    f = mc.parse("𝟙ᵀlog(x)", shapes="x: 2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2):
            assert np.isnan(f.evaluate({"x": np.array([-1.0, 1.0])}))


def test_complex_values_always_go_the_checked_way():
    """A complex value for a real symbol is refused on every call, never cast to its real part;
    an expression of complex symbols gives the same value on every call."""
    f = mc.parse("xᵀx", shapes="x: 2")
    assert f.evaluate({"x": np.array([1.0, 2.0])}) == 5.0
    for _ in range(2):
        with pytest.raises(mc.DomainError, match="value of x is complex"):
            f.evaluate({"x": np.array([1j, 2.0])})
    rng = np.random.default_rng(8)
    z = {k: rng.standard_normal(s) + 1j * rng.standard_normal(s) for k, s in (("Y", (3, 4)), ("H", (3, 5)), ("X", (5, 4)))}
    g = mc.parse("‖Y − HX‖²_F", shapes="Y: m×n complex, H: m×k complex, X: k×n complex")
    expected = np.linalg.norm(z["H"] @ z["X"] - z["Y"]) ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [g.evaluate(z) for _ in range(3)] == pytest.approx([expected] * 3, rel=1e-12)
    assert _plan_of(g, z) is None
