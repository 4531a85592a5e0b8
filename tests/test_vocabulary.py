"""The practitioner's words: more elementwise functions (log1p, expm1, erf, gelu, softsign,
cosh, sinh, arctan, logσ), each parsed, differentiated, printed, read back and checked against
central finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import matcalc as mc
import matcalc.expr as t
from matcalc.numeric.functions import NUMERIC

# name → (the printed gradient of aᵀg(Xb) wrt X, the LaTeX of g)
ELEMENTWISE = {
    "log1p": ("(a ⊘ (1 + Xb))bᵀ", r"\operatorname{log1p}"),
    "expm1": ("(a ⊙ exp(Xb))bᵀ", r"\operatorname{expm1}"),
    "erf": ("(a ⊙ erf′(Xb))bᵀ", r"\operatorname{erf}"),
    "gelu": ("(a ⊙ gelu′(Xb))bᵀ", r"\operatorname{gelu}"),
    "softsign": ("(a ⊘ (1 + abs(Xb))^{∘2})bᵀ", r"\operatorname{softsign}"),
    "cosh": ("(a ⊙ sinh(Xb))bᵀ", r"\cosh"),
    "sinh": ("(a ⊙ cosh(Xb))bᵀ", r"\sinh"),
    "arctan": ("(a ⊘ (1 + (Xb)^{∘2}))bᵀ", r"\arctan"),
    "log_sigmoid": ("(a ⊙ σ(−Xb))bᵀ", r"\log\sigma"),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_an_elementwise_function_parses_prints_and_reads_back(name):
    e = mc.parse(f"{name}(X)")
    assert e == t.Apply(name, t.symbol("X", "m", "n"))
    assert mc.parse(str(e)) == e
    assert e.latex().startswith(ELEMENTWISE[name][1])


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_an_elementwise_gradient_is_the_textbook_one_and_checks(name):
    f = f"aᵀ{name}(Xb)"
    g = mc.grad(f, "X")
    assert str(g) == ELEMENTWISE[name][0]
    assert mc.check(f, "X").ok
    assert mc.parse(str(g), shapes="a: m, X: m×k, b: k") == g


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_an_elementwise_hessian_checks(name):
    h = mc.hessian(f"𝟙ᵀ{name}(x)", "x")
    assert h.check().ok


def test_log_sigma_is_log_sigmoid_unless_sigma_is_a_symbol():
    assert mc.parse("logσ(x)") == mc.parse("log_sigmoid(x)")
    assert str(mc.parse("log_sigmoid(x)")) == "logσ(x)"
    e = mc.parse("σ·log_sigmoid(x)", shapes="σ: scalar")
    assert str(e) == "σ·log_sigmoid(x)"
    assert mc.parse(str(e), shapes="σ: scalar") == e


@pytest.mark.parametrize("name", ["erf", "gelu"])
def test_a_derivative_named_by_a_prime_reads_back_and_evaluates(name):
    e = mc.parse(f"{name}″(x)")
    assert e == t.Apply(name, t.symbol("x", "m"), 2)
    assert mc.parse(str(e)) == e
    x = np.array([-1.3, 0.2, 2.0])
    h = 1e-4
    second = (NUMERIC[name](x + h) - 2 * NUMERIC[name](x) + NUMERIC[name](x - h)) / h**2
    assert np.allclose(e.evaluate({"x": x}), second, rtol=1e-5, atol=1e-6)


def test_the_numeric_forms_are_stable_far_out():
    big = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.allclose(NUMERIC["log_sigmoid"](big), [-800.0, -40.0, -math.log(2), -math.exp(-40.0), 0.0])
        assert np.allclose(NUMERIC["softsign"](big), big / (1 + np.abs(big)))
        assert np.allclose(NUMERIC["gelu"](big), [0.0, 0.0, 0.0, 40.0, 800.0])
    assert NUMERIC["log1p"](np.array([1e-18]))[0] == 1e-18
    assert NUMERIC["expm1"](np.array([1e-18]))[0] == 1e-18
