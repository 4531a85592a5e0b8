"""Properties of the rules for ⊙/⊘ products (matcalc/simplify/quotients.py) over random products,
quotients and sums of a few bases that meet again and again: σ(A), 1 − σ(A), exp(A), A + B,
powers, roots and scalars.  The value never changes where the input is defined, the size never
grows, the result is a fixed point, and the order of the operands of + and ⊙ does not matter."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from matcalc import expr as t
from matcalc.numeric import point
from matcalc.simplify import normal_form, simplify, size
from strategies import shuffled

M, N = t.dim("m"), t.dim("n")
SHAPE = (M, N)
A = t.Symbol("A", SHAPE)
B = t.Symbol("B", SHAPE)
P = t.Symbol("P", SHAPE, frozenset({"positive"}))
ALPHA = t.Symbol("α", t.SCALAR)
ONE = t.broadcast(t.Number(sympy.Integer(1)), SHAPE)
SIGMA = t.Apply("sigmoid", A)
BASES = [A, B, P, SIGMA, t.sub(ONE, SIGMA), t.Apply("exp", A), t.add(A, B), t.Apply("sqrt", P),
         t.Apply("sigmoid", t.neg(A)), t.Transpose(t.Symbol("C", (N, M)))]


@st.composite
def products(draw, depth=3):
    """A random ⊙/⊘ product (with scales, integer powers and sums of products) of the bases."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(BASES))
    op = draw(st.sampled_from(["⊙", "⊘", "pow", "scale", "+", "⊙"]))
    a, b = draw(products(depth - 1)), draw(products(depth - 1))
    if op == "⊙":
        return t.hadamard(a, b)
    if op == "⊘":
        return t.HadamardDiv(a, b)
    if op == "pow":
        return t.hadamard_pow(a, draw(st.sampled_from([2, -1, 3])))
    if op == "scale":
        return t.scale(draw(st.sampled_from([t.Number(sympy.Integer(-2)), ALPHA, t.power(ALPHA, -1)])), a)
    return t.add(a, t.scale(t.Number(sympy.Integer(draw(st.sampled_from([1, -1])))), b))


def _value(e, values, dims):
    return np.asarray(e.evaluate(values, dims=dims), dtype=float)


@pytest.mark.slow
@settings(max_examples=300)
@given(products())
def test_the_value_is_kept_and_the_size_never_grows(e):
    out = simplify(e)
    assert size(out) <= size(e)
    assert simplify(out) == out, (str(e), str(out))
    values, dims = point([e], seed=5)
    before = _value(e, values, dims)
    if not np.all(np.isfinite(before)):
        return  # the input has no value here: nothing to keep
    after = _value(out, values, dims)
    scale = 1 + np.max(np.abs(before))
    assert np.allclose(after, before, rtol=1e-8, atol=1e-8 * scale), (str(e), str(out))


@settings(max_examples=200)
@given(products(), st.randoms(use_true_random=False))
def test_operand_order_does_not_matter(e, rng):
    assert normal_form(shuffled(e, rng)) == normal_form(e), str(e)


def test_the_cases_of_the_convention():
    """A ⊘ A = 1 where A has no zero entry; A ⊙ A ⊘ A = A (defined where A ≠ 0); √P ⊙ √P = P."""
    cases = [
        (t.HadamardDiv(A, A), "𝟙_{m×n}"),
        (t.HadamardDiv(t.hadamard(A, A), A), "A"),
        (t.hadamard(t.Apply("sqrt", P), t.Apply("sqrt", P)), "P"),
        (t.HadamardDiv(t.hadamard_pow(P, sympy.Rational(1, 2)), t.hadamard_pow(P, sympy.Rational(1, 2))), "𝟙_{m×n}"),
        (t.HadamardDiv(t.hadamard(SIGMA, t.sub(ONE, SIGMA)), SIGMA), "1 − σ(A)"),
    ]
    for e, printed in cases:
        assert str(simplify(e)) == printed
