"""The public API: grad, differential, check, parse, and the errors they raise."""

import numpy as np
import pytest

import matcalc as mc
from matcalc import expr as t
from matcalc.calculus.adjoint import TRANSPOSE_RULES
from matcalc.calculus.differential import RULES


def test_every_node_class_has_a_differential_rule():
    classes = {c for c in vars(t).values() if isinstance(c, type) and issubclass(c, t.Expr) and c is not t.Expr}
    assert classes <= set(RULES), classes - set(RULES)


def test_every_linear_node_class_has_a_transpose_rule():
    linear = {t.Add, t.Scale, t.MatMul, t.Transpose, t.Trace, t.Hadamard, t.HadamardDiv, t.Kron,
              t.KronFactor, t.Broadcast, t.DiagMat, t.DiagVec, t.Vec, t.Unvec}
    assert linear <= set(TRANSPOSE_RULES)


def test_grad_of_the_dictionary_learning_objective():
    g = mc.grad("‖X − DR‖²_F", "D")
    assert str(g) == "2(DR − X)Rᵀ"
    d = next(s for s in mc.parse("‖X − DR‖²_F").free_symbols if s.name == "D")
    assert g.shape == d.shape
    assert mc.check("‖X − DR‖²_F", "D")


def test_grad_accepts_an_expression_and_a_symbol():
    f = mc.parse("aᵀXb")
    x = next(s for s in f.free_symbols if s.name == "X")
    assert str(mc.grad(f, x)) == "abᵀ"


def test_grad_evaluates_to_the_finite_difference_gradient():
    g = mc.grad("aᵀexp(Xb)", "X")
    rng = np.random.default_rng(0)
    a, b, X = rng.normal(size=3), rng.normal(size=4), rng.normal(size=(3, 4))
    expected = np.outer(a * np.exp(X @ b), b)
    assert np.allclose(g.evaluate({"a": a, "b": b, "X": X}), expected)


def test_differential_prints_the_trace_form():
    d = mc.differential("aᵀXb", "X")
    assert str(d).startswith("df = ")
    assert "dX" in str(d)
    assert str(d.gradient) == "abᵀ"
    assert "\\mathrm{d}" in d.latex()


def test_differential_of_a_vector_variable_has_no_trace():
    d = mc.differential("‖Xw − y‖²", "w")
    assert "tr" not in str(d)
    assert str(d.gradient) == "2Xᵀ(Xw − y)"


def test_check_rejects_a_wrong_claim_and_shows_a_point():
    report = mc.check("tr(AXB)", "X", expected="2AᵀBᵀ")
    assert not report
    assert "✗" in str(report)
    assert mc.check("tr(AXB)", "X", expected="AᵀBᵀ")


def test_check_of_a_claim_of_the_wrong_shape_is_a_shape_error():
    with pytest.raises(mc.ShapeError):
        mc.check("aᵀXb", "X", expected="a")


@pytest.mark.parametrize(
    "f, wrt, error, fragment",
    [
        ("AX", "X", mc.ShapeError, "scalar"),
        ("aᵀXb", "Y", mc.DomainError, "not a symbol"),
        ("aᵀXb", "", mc.MatcalcError, "symbol"),
        ("aᵀXb", 3, mc.MatcalcError, "symbol"),
        ("aᵀXb +", "X", mc.ParseError, "column"),
    ],
)
def test_grad_errors(f, wrt, error, fragment):
    with pytest.raises(error) as info:
        mc.grad(f, wrt)
    assert fragment in str(info.value)


def test_parse_rejects_a_non_string():
    with pytest.raises(mc.MatcalcError):
        mc.parse(42)


def test_gradient_with_respect_to_a_symmetric_matrix_is_unstructured():
    # f = aᵀMb with M symmetric: the unstructured gradient is abᵀ, not (abᵀ + baᵀ)/2.
    g = mc.grad("aᵀMb", "M", domains={"M": "symmetric"})
    assert str(g) == "abᵀ"
    assert mc.check("aᵀMb", "M", domains={"M": "symmetric"})


def test_symmetric_declaration_simplifies_the_answer():
    assert str(mc.grad("xᵀAx", "x")) == "(A + Aᵀ)x"
    assert str(mc.grad("xᵀAx", "x", domains={"A": "symmetric"})) == "2Ax"


def test_declarations_may_be_given_as_text_in_any_keyword():
    by_text = mc.grad("‖g(XW) − Y‖²_F + xᵀMx", "W", shapes="X: m×n", domains="M: symmetric", functions="g: elementwise")
    by_dict = mc.grad(
        "‖g(XW) − Y‖²_F + xᵀMx", "W", shapes={"X": ("m", "n")}, domains={"M": ["symmetric"]},
        functions={"g": "elementwise"},
    )
    assert by_text == by_dict
    assert str(by_text) == "2Xᵀ((g(XW) − Y) ⊙ g′(XW))"
    assert str(mc.grad("xᵀMx", "x", domains="M: symmetric")) == "2Mx"
