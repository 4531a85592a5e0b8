"""Property tests over random well-typed expressions (tests/strategies.py)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import matcalc as mc
from matcalc import expr as t
from matcalc.calculus.adjoint import gradient
from matcalc.numeric import point
from matcalc.calculus.differential import differential
from matcalc.simplify import normal_form, simplify, size
from strategies import FUNCTIONS, expressions, shuffled


@pytest.mark.slow
@settings(max_examples=300)
@given(expressions())
def test_gradient_agrees_with_finite_differences(case):
    f, wrt, shapes, domains = case
    report = mc.check(f, wrt)
    # f may vary faster than any finite-difference step can follow (sin of a huge value):
    # such a check cannot judge, and says so
    assume(not report.inconclusive)
    assert report, f"{f} wrt {wrt.name}: {report}"


def test_a_check_finite_differences_cannot_resolve_is_inconclusive_not_failed():
    """sin(det(A^{∘2}(A^{∘2})ᵀ + I)³): the argument of sin is ~10⁸, so the steps of finite
    differences see noise; those points are redrawn, never counted against the gradient."""
    a = t.symbol("A", "n", "n")
    a2 = t.hadamard_pow(a, 2)
    f = t.Apply("sin", t.power(t.Det(t.add(t.matmul(a2, t.transpose(a2)), t.Identity(a.rows))), 3))
    report = mc.check(f, a)
    assert report.inconclusive or report, str(report)
    assert not mc.check(f, a, expected=t.scale(t.Number(2), mc.grad(f, a)))


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


@settings(max_examples=150)
@given(expressions())
def test_simplifying_a_function_never_grows_it_and_is_idempotent(case):
    f, wrt, shapes, domains = case
    simple = simplify(f)
    assert size(simple) <= size(f)
    assert simplify(simple) == simple
    assert str(simplify(f)) == str(simple)  # the same answer again


@pytest.mark.slow
@settings(max_examples=200)
@given(expressions(), st.randoms(use_true_random=False))
def test_operand_order_of_sums_and_hadamard_products_does_not_matter(case, rng):
    """Confluence: + and ⊙ are commutative, so their operands in any order give one answer."""
    f, wrt, shapes, domains = case
    raw = gradient(differential(f, wrt), wrt)
    for e in (f, raw):
        other = shuffled(e, rng)
        a, b = normal_form(e), normal_form(other)
        assert a == b, (str(e), str(other), str(a), str(b))
        assert simplify(e) == simplify(other) or size(a) > size(e)
