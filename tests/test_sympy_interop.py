"""matcalc ↔ SymPy matrix expressions: exact round trips, and SymPy's own derivatives read back."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings

import matcalc as mc
import test_cookbook
from golden import ROWS
from matcalc.interop.sympy_nodes import MatrixNorm
from matcalc.numeric import point
from strategies import FUNCTIONS, expressions


def _back(m, decl):
    return mc.from_sympy(m, domains=decl.get("domains"), functions=decl.get("functions"))


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]} wrt {r[1]}" for r in ROWS])
def test_golden_expressions_and_gradients_round_trip_exactly(row):
    expr, wrt, decl, *_ = row
    for e in (mc.parse(expr, **decl), mc.grad(expr, wrt, **decl)):
        assert _back(e.to_sympy(), decl) == e, str(e)


COOKBOOK = [p.values for p in test_cookbook.ROWS]


@pytest.mark.parametrize("row", COOKBOOK, ids=[f"{r[0]} wrt {r[1]}" for r in COOKBOOK])
def test_cookbook_expressions_and_gradients_round_trip_exactly(row):
    expr, wrt, _, decl = row
    for e in (mc.parse(expr, **decl, scalar=True), mc.grad(expr, wrt, **decl)):
        assert _back(e.to_sympy(), decl) == e, str(e)


@settings(max_examples=200)
@given(expressions())
def test_random_expressions_and_their_gradients_round_trip_exactly(case):
    f, wrt, shapes, domains = case
    for e in (f, mc.grad(f, wrt)):
        assert mc.from_sympy(e.to_sympy(), domains=domains or None, functions=FUNCTIONS) == e, str(e)


def test_sympy_vocabulary_is_used_where_sympy_has_it():
    X = sympy.MatrixSymbol("X", *mc.parse("X").shape)
    m = mc.parse("tr(XᵀX) + det(X⁻¹)", shapes="X: n×n").to_sympy()
    assert m.has(sympy.Trace, sympy.Determinant, sympy.Inverse, sympy.Transpose)
    assert isinstance(mc.parse("‖x‖").to_sympy(), MatrixNorm)
    assert X.shape[0].is_positive


SYMPY_DIFFERENTIATES = [
    ("‖X − DR‖²_F", "D", {}),
    ("‖X − DR‖²_F", "R", {}),
    ("aᵀXb", "X", {}),
    ("tr(AXB)", "X", {}),
    ("xᵀAx", "x", {}),
    ("tr(XᵀBX)", "X", {}),
    ("‖Ax − b‖²", "x", {}),
    ("tr(AX⁻¹B)", "X", {}),
]


@pytest.mark.parametrize("expr, wrt, decl", SYMPY_DIFFERENTIATES, ids=[c[0] + " wrt " + c[1] for c in SYMPY_DIFFERENTIATES])
def test_sympys_own_derivative_reads_back_and_agrees_with_the_gradient(expr, wrt, decl):
    f = mc.parse(expr, **decl)
    m = f.to_sympy().doit()
    if isinstance(m, sympy.MatrixExpr):  # SymPy differentiates a 1×1 matrix expression as a trace
        m = sympy.Trace(m)
    variable = next(s for s in m.free_symbols if getattr(s, "name", None) == wrt)
    theirs = mc.from_sympy(m.diff(variable))
    ours = mc.grad(f, wrt)
    values, dims = point([f], seed=3)
    assert np.allclose(theirs.evaluate(values, dims=dims), ours.evaluate(values, dims=dims))


def test_doit_writes_the_norm_as_a_trace():
    m = mc.parse("‖X − DR‖²_F").to_sympy().doit()
    assert isinstance(m, sympy.Trace)


def test_an_array_expression_is_unsupported_and_named():
    a = sympy.MatrixSymbol("a", 3, 1)
    X = sympy.MatrixSymbol("X", 3, 3)
    b = sympy.MatrixSymbol("b", 3, 1)
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

    derivative = (a.T * ElementwiseApplyFunction(sympy.exp, X * b)).diff(X)  # an array expression
    with pytest.raises(mc.UnsupportedError, match=type(derivative).__name__):
        mc.from_sympy(derivative)


def test_unknown_functions_and_complex_numbers_are_unsupported():
    x = sympy.Symbol("x")
    with pytest.raises(mc.UnsupportedError, match="asinh"):
        mc.from_sympy(sympy.asinh(x))
    with pytest.raises(mc.UnsupportedError, match="not real"):
        mc.from_sympy(sympy.I * x)


def test_from_sympy_takes_only_sympy_expressions():
    with pytest.raises(TypeError, match="SymPy expression"):
        mc.from_sympy("X + Y")


PRACTITIONER_WORDS = ["softmax(z)", "logsoftmax(X)", "logsumexp(z)", "logsumexp(X)", "mean(x)", "var(X)", "std(x)",
                      "‖x‖_∞", "max(x, y)", "min(X, 0)", "erf(X) + gelu(X) + log_sigmoid(X)", "λ_min(S)",
                      "K2_expm(X, E)", "pinv_max(S)", "aᵀsoftmax(z) + log(mean(x)²)", "tr(I_n)𝟙_n", "𝟙ᵀx/n + √n"]


@pytest.mark.parametrize("text", PRACTITIONER_WORDS)
def test_the_practitioners_words_and_their_gradients_round_trip(text):
    e = mc.parse(text, shapes="x: n, y: n, z: n")
    assert mc.from_sympy(e.to_sympy()) == e
    for s in sorted(e.free_symbols, key=lambda s: s.name)[:1]:
        try:
            g = mc.grad(e, s) if e.is_scalar else mc.jacobian(e, s).matrix
        except mc.UnsupportedError:
            continue
        assert mc.from_sympy(g.to_sympy()) == g, str(g)


def test_a_dimension_used_as_a_number_reads_back_as_that_number_not_a_symbol():
    e = mc.parse("tr(I_n)𝟙_n + x/n", shapes="x: n")
    assert mc.from_sympy(e.to_sympy()) == e and not any(s.name == "n" for s in mc.from_sympy(e.to_sympy()).free_symbols)
    declared = mc.parse("n·x", shapes="n: scalar, x: m")  # a declared scalar n stays a symbol
    assert mc.from_sympy(declared.to_sympy(), shapes="n: scalar, x: m") == declared


def test_sympys_derivative_of_a_user_function_at_an_expression_reads_back():
    """SymPy writes g′(α²) as Subs(Derivative(g(ξ), ξ), ξ, α²)."""
    f = mc.parse("g(α²) + g(g(α)β)", functions="g: elementwise")
    alpha = next(s for s in f.to_sympy().free_symbols if s.name == "α")
    theirs = mc.from_sympy(f.to_sympy().diff(alpha), functions="g: elementwise")
    assert str(theirs) == "2αg′(α²) + βg′(α)g′(g(α)β)"
    ours = mc.grad(f, "α")
    values = {"α": 0.7, "β": -1.3}
    functions = {"g": np.tanh}
    assert np.isclose(theirs.evaluate(values, functions=functions), ours.evaluate(values, functions=functions))


def test_an_array_expression_sympy_cannot_write_as_a_matrix_is_refused_clearly():
    f = mc.parse("𝟙ᵀg(Ax)", functions="g: elementwise")
    m = sympy.Trace(f.to_sympy().doit())
    x = next(s for s in m.free_symbols if getattr(s, "name", None) == "x")
    with pytest.raises(mc.UnsupportedError, match="no matrix form"):
        mc.from_sympy(m.diff(x), functions="g: elementwise")
