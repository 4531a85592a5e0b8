"""Property tests over random well-typed expressions (tests/strategies.py)."""

from hypothesis import assume, given, settings

import matcalc as mc
from matcalc.adjoint import gradient
from matcalc.check import point
from matcalc.differential import differential
from matcalc.simplify import simplify, size
from strategies import FUNCTIONS, expressions

import numpy as np


@settings(max_examples=300)
@given(expressions())
def test_gradient_agrees_with_finite_differences(case):
    f, wrt, shapes, domains = case
    report = mc.check(f, wrt)
    assert report, f"{f} wrt {wrt.name}: {report}"


@settings(max_examples=300)
@given(expressions())
def test_printed_form_parses_back_to_the_same_tree(case):
    f, wrt, shapes, domains = case
    text = str(f)
    assert mc.parse(text, shapes=shapes, domains=domains or None, functions=FUNCTIONS) == f, text


@settings(max_examples=150)
@given(expressions())
def test_simplification_keeps_the_value_and_never_grows(case):
    f, wrt, shapes, domains = case
    raw = gradient(differential(f, wrt), wrt)
    simple = simplify(raw)
    assert size(simple) <= size(raw)
    assert simplify(simple) == simple
    values, dims = point([f], seed=1)
    a, b = raw.evaluate(values, dims=dims), simple.evaluate(values, dims=dims)
    assume(np.all(np.isfinite(a)))  # e.g. exp(e²ˢ)^{−½}: the raw form can overflow where the simple one does not
    assert np.allclose(a, b, rtol=1e-9, atol=1e-9 * (1 + np.max(np.abs(a)))), (str(raw), str(simple))
