"""matcalc ↔ SymPy matrix expressions: exact round trips, and SymPy's own derivatives read back."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings

import matcalc as mc
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
