"""Gradients of the standard objectives of machine learning reach the form a textbook prints, and
no answer over the golden tables is more than twice as long as the textbook's own.

Each objective is written the way a user types it (docs/language.md); the test asserts the exact
printed gradient and checks it against central finite differences.  More objectives, with the
textbook's answer beside matcalc's, are rows of the golden table (tests/golden.py), whose tests
read both answers numerically.
"""

import re

import numpy as np
import pytest

import matcalc as mc
from golden import ROWS
from matcalc.numeric import point
from matcalc.simplify import simplify, size
from test_cookbook import ROWS as COOKBOOK

POSITIVE_NMF = {"domains": "W: positive, H: positive, V: positive"}


def case(f, wrt, printed, **decl):
    return pytest.param(f, wrt, decl, printed, id=f"{f} wrt {wrt}")


OBJECTIVES = [
    # entropic optimal transport: ε⟨P, log P⟩ − ε sum(P) + ⟨C, P⟩; P ⊘ P = 𝟙𝟙ᵀ cancels the −ε𝟙𝟙ᵀ
    case("ε·tr(Pᵀlog(P)) − ε·sum(P) + tr(CᵀP)", "P", "C + ε·log(P)", domains="P: positive"),
    case("tr(CᵀP) + ε·sum(P ⊙ (log(P) − 1))", "P", "C + ε·log(P)", domains="P: positive"),
    # negative entropy, elementwise X ⊙ log X summed
    case("tr(Xᵀlog(X))", "X", "1 + log(X)", domains="X: positive"),
    case("sum(X ⊙ log(X))", "X", "1 + log(X)", domains="X: positive"),
    case("𝟙ᵀ(x ⊙ log(x))", "x", "1 + log(x)", domains="x: positive"),
    # Kullback–Leibler divergence and cross-entropy
    case("sum(p ⊙ log(p ⊘ q))", "p", "1 + log(p ⊘ q)", domains="p: positive, q: positive"),
    case("sum(p ⊙ log(p ⊘ q))", "q", "−(p ⊘ q)", domains="p: positive, q: positive"),
    case("−yᵀlog(p)", "p", "−(y ⊘ p)", domains="p: positive"),
    # NMF: generalised KL divergence (the quotient chain collapses to V ⊘ WH) and Frobenius loss
    case("sum(V ⊙ log(V ⊘ (WH)) − V + WH)", "W", "(1 − (V ⊘ (WH)))Hᵀ", **POSITIVE_NMF),
    case("sum(V ⊙ log(V ⊘ (WH)) − V + WH)", "H", "Wᵀ(1 − (V ⊘ (WH)))", **POSITIVE_NMF),
    case("sum(WH − V ⊙ log(WH))", "W", "(1 − (V ⊘ (WH)))Hᵀ", **POSITIVE_NMF),
    case("sum(V ⊘ (WH) + log(WH))", "W", "((WH − V) ⊘ (WH)^{∘2})Hᵀ", **POSITIVE_NMF),  # Itakura–Saito
    case("‖V − WH‖²_F", "W", "2(WH − V)Hᵀ"),
    case("‖V − WH‖²_F", "H", "2Wᵀ(WH − V)"),
    # logistic regression: binary cross-entropy (σ′ = σ ⊙ (1 − σ) cancels), softplus, likelihood
    case("−yᵀlog(σ(Xw)) − (𝟙 − y)ᵀlog(𝟙 − σ(Xw))", "w", "Xᵀ(σ(Xw) − y)"),
    case("−yᵀlog(σ(Xw)) − (𝟙 − y)ᵀlog(𝟙 − σ(Xw))", "X", "(σ(Xw) − y)wᵀ"),
    case("−yᵀlog(σ(Xw)) − (𝟙 − y)ᵀlog(𝟙 − σ(Xw)) + λ‖w‖²", "w", "Xᵀ(σ(Xw) − y) + 2λw"),
    case("−y·log(σ(aᵀx)) − (1 − y)·log(1 − σ(aᵀx))", "x", "(σ(aᵀx) − y)a", shapes="y: scalar"),
    case("−yᵀlog(σ(z)) − (𝟙 − y)ᵀlog(σ(−z))", "z", "σ(z) − y"),
    case("𝟙ᵀsoftplus(Xw) − yᵀXw", "w", "Xᵀ(σ(Xw) − y)"),
    case("𝟙ᵀlog(𝟙 + exp(Xw)) − yᵀXw", "w", "Xᵀ(σ(Xw) − y)"),
    case("sum(log(σ(y ⊙ (Xw))))", "w", "Xᵀ(y ⊙ (1 − σ(y ⊙ (Xw))))"),
    case("sum(log(1 + exp(−y ⊙ (Xw))))", "w", "−Xᵀ(y ⊙ σ(−(y ⊙ (Xw))))"),
    # Poisson regression
    case("𝟙ᵀexp(Xw) − yᵀXw", "w", "Xᵀ(exp(Xw) − y)"),
    case("sum(exp(XW)) − tr(YᵀXW)", "W", "Xᵀ(exp(XW) − Y)"),
    case("sum(y ⊙ log(y ⊘ exp(Xw)) − y + exp(Xw))", "w", "Xᵀ(exp(Xw) − y)", domains="y: positive"),  # deviance
    # softmax cross-entropy written by hand, and in the log-sum-exp form
    case("−yᵀlog(exp(z)/(𝟙ᵀexp(z)))", "z", "(𝟙ᵀy)exp(z)/(𝟙ᵀexp(z)) − y"),
    case("−yᵀlog(exp(Wx)/(𝟙ᵀexp(Wx)))", "W", "((𝟙ᵀy)exp(Wx)/(𝟙ᵀexp(Wx)) − y)xᵀ"),
    case("−yᵀ(z − log(𝟙ᵀexp(z))𝟙)", "z", "(𝟙ᵀy)exp(z)/(𝟙ᵀexp(z)) − y"),
    case("log(𝟙ᵀexp(z)) − yᵀz", "z", "exp(z)/(𝟙ᵀexp(z)) − y"),
    case("log(𝟙ᵀexp(Wx)) − yᵀWx", "W", "(exp(Wx)/(𝟙ᵀexp(Wx)) − y)xᵀ"),
    case("log(𝟙ᵀexp(Wx)) − yᵀWx", "x", "Wᵀ(exp(Wx)/(𝟙ᵀexp(Wx)) − y)"),
    # ridge regression
    case("‖Xw − y‖² + λ‖w‖²", "w", "2(Xᵀ(Xw − y) + λw)"),
    case("‖Y − XW‖²_F + λ‖W‖²_F", "W", "2(λW + Xᵀ(XW − Y))"),
    # Gaussian negative log-likelihood: mean, covariance, scale
    case("½log det Σ + ½(x − μ)ᵀΣ⁻¹(x − μ)", "μ", "Σ⁻¹(μ − x)", shapes="μ: n, x: n", domains="Σ: spd"),
    case("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", "Σ", "Σ⁻¹ − Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹", shapes="μ: n, x: n", domains="Σ: spd"),
    case("n·log det Σ + tr(Σ⁻¹S)", "Σ", "nΣ⁻¹ − Σ⁻¹SΣ⁻¹", shapes="n: scalar", domains="Σ: spd, S: symmetric"),
    case("m·log(s) + ‖x − μ‖²/(2s²)", "s", "m/s − ‖x − μ‖²/s³", shapes="x: n, μ: n, s: scalar, m: scalar"),
    # a log barrier
    case("−𝟙ᵀlog(b − Ax)", "x", "Aᵀ(1 ⊘ (b − Ax))"),
]


@pytest.mark.parametrize("f, wrt, decl, printed", OBJECTIVES)
def test_objective_reaches_its_textbook_gradient(f, wrt, decl, printed):
    assert str(mc.grad(f, wrt, **decl)) == printed
    assert mc.check(f, wrt, **decl)
    assert mc.check(f, wrt, expected=printed, **decl), printed


# The quotients of the objectives above, simplified alone (declarations, expression, result).
QUOTIENTS = [
    ({"domains": "P: positive"}, "P ⊘ P", "𝟙_{m×n}"),
    ({}, "X ⊘ X + log(X) − 𝟙𝟙ᵀ", "log(X)"),
    ({}, "((V ⊘ B^{∘2}) ⊙ V) ⊘ (V ⊘ B)", "V ⊘ B"),
    ({}, "(σ(X) ⊙ (1 − σ(X))) ⊘ σ(X)", "1 − σ(X)"),
    ({}, "(y ⊙ σ(X) ⊙ (1 − σ(X))) ⊘ (𝟙 − σ(X))", "y ⊙ σ(X)"),
    ({}, "((𝟙 − y) ⊙ σ(z) ⊙ (1 − σ(z))) ⊘ (𝟙 − σ(z)) − (y ⊙ σ(z) ⊙ (1 − σ(z))) ⊘ σ(z)", "σ(z) − y"),
    ({}, "(aᵀx)/(aᵀx)", "1"),
    ({}, "(σ(α)(1 − σ(α)))/(1 − σ(α))", "σ(α)"),
    ({}, "exp(z)ᵀ(y ⊘ exp(z))", "𝟙ᵀy"),
    ({}, "log(exp(z)/(𝟙ᵀexp(z)))", "z − log(𝟙ᵀexp(z))"),
    ({}, "1 − σ(−X)", "σ(X)"),
    ({}, "A ⊘ C + B ⊘ C", "(A + B) ⊘ C"),
    ({}, "1 ⊘ Y − X ⊘ Y^{∘2}", "(Y − X) ⊘ Y^{∘2}"),
]


@pytest.mark.parametrize("decl, text, expected", QUOTIENTS, ids=[q[1] for q in QUOTIENTS])
def test_quotient_simplifies(decl, text, expected):
    e = mc.parse(text, **decl)
    out = simplify(e)
    assert str(out) == expected
    assert size(out) <= size(e)
    values, dims = point([e], seed=2)
    assert np.allclose(out.evaluate(values, dims=dims), e.evaluate(values, dims=dims))


@pytest.mark.parametrize("F, wrt, printed", [("x ⊘ x", "x", "0_{m×m}"), ("log(x)", "x", "diag(x)⁻¹"),
                                             ("𝟙 ⊘ x", "x", "−diag(x^{∘2})⁻¹")])
def test_jacobian_of_a_quotient(F, wrt, printed):
    """diag(1 ⊘ v) = diag(v)⁻¹, so that the two terms of d(x ⊘ x) cancel."""
    j = mc.jacobian(F, wrt, domains="x: positive")
    assert str(j) == printed
    assert j.check()


def _tables():
    for f, wrt, decl, _, textbook in ROWS:
        yield pytest.param(f, wrt, decl, textbook, id=f"golden: {f} wrt {wrt}")
    for p in COOKBOOK:
        f, wrt, textbook, decl = p.values
        yield pytest.param(f, wrt, decl, textbook, id=f"cookbook: {f} wrt {wrt}")


@pytest.mark.parametrize("f, wrt, decl, textbook", list(_tables()))
def test_no_answer_is_more_than_twice_the_textbook(f, wrt, decl, textbook):
    """Lengths as printed, without the sizes a constant carries so that it reads back (I_n is I)."""
    printed = str(mc.grad(f, wrt, **decl))
    assert len(_unsized(printed)) <= 2 * len(textbook), (printed, textbook)


def _unsized(text: str) -> str:
    return re.sub(r"(?<=[I𝟙0K])_(\{[^}]*\}|\w)", "", text)
