"""Backpropagation rules: ∂L/∂X from the upstream symbol G = ∂L/∂F, printed and checked numerically.

Every rule of the formula list of seed 002, its two worked examples step by step, and the
layer algorithm of seed 003 (dz, dW, db, da for z = Wa + b, a = g(z)), one call per quantity.
The numeric check compares each answer with finite differences of L(X) = ⟨G, F(X)⟩.
"""

from __future__ import annotations

import numpy as np
import pytest

import matcalc as mc
from matcalc.results import backprop
from matcalc import expr as t

G_ELEM = {"functions": "g: elementwise"}

# (F, wrt, upstream, declarations, printed ∂L/∂X)
REQUIRED = [
    ("WX", "W", "G", {}, "GXᵀ"),
    ("WX", "X", "G", {}, "WᵀG"),
    ("g(Z)", "Z", "G", G_ELEM, "G ⊙ g′(Z)"),
    ("Z + bᵀ", "b", "G", {}, "Gᵀ𝟙"),
    ("AXB", "X", "G", {}, "AᵀGBᵀ"),
    ("X⁻¹", "X", "G", {}, "−X⁻ᵀGX⁻ᵀ"),
]

SEED_002_FORMULAS = [
    ("XW", "X", "G", {}, "GWᵀ"),  # right multiplication: df/dX = df/dG·Wᵀ
    ("WX", "X", "G", {}, "WᵀG"),  # left multiplication: df/dX = Wᵀ·df/dG
    ("X ⊙ C", "X", "G", {}, "C ⊙ G"),  # elementwise multiplication: df/dG ⊙ C
    ("g(X)", "X", "G", G_ELEM, "G ⊙ g′(X)"),  # elementwise function: df/dG ⊙ g′(X)
    ("X + C", "X", "G", {}, "G"),  # matrix addition
    ("C + xᵀ", "x", "G", {}, "Gᵀ𝟙"),  # row broadcast: the column sums of df/dG
    ("C + x", "x", "G", {}, "G𝟙"),  # column broadcast: the row sums of df/dG
    ("‖Y‖²_F", "Y", "G", {}, "2GY"),  # squared Frobenius norm: 2Y (times the scalar upstream)
    ("sum(Y)", "Y", "G", {}, "G𝟙_m𝟙_nᵀ"),  # matrix sum: the matrix of ones
    ("aᵀYa", "Y", "G", {}, "Gaaᵀ"),  # quadratic form: aaᵀ
]

SEED_002_NEURAL_NETWORK = [  # f = ‖g(XW) − Y‖²_F wrt W, one rule per step, then all at once
    ("XW", "W", "G", {}, "XᵀG"),  # (1)
    ("g(Z)", "Z", "G", G_ELEM, "G ⊙ g′(Z)"),  # (2)
    ("A − Y", "A", "G", {}, "G"),  # (3)
    ("‖E‖²_F", "E", "G", {}, "2GE"),  # (4)
    ("g(XW) − Y", "W", "G", G_ELEM, "Xᵀ(G ⊙ g′(XW))"),
    ("‖g(XW) − Y‖²_F", "W", "G", G_ELEM, "2GXᵀ((g(XW) − Y) ⊙ g′(XW))"),
]

SEED_002_DICTIONARY_LEARNING = [  # f = ‖X − DR‖²_F wrt D and R
    ("DR", "D", "G", {}, "GRᵀ"),  # (5)
    ("X − DR", "D", "G", {}, "−GRᵀ"),  # (6)
    ("X − DR", "R", "G", {}, "−DᵀG"),  # (8), (9)
    ("‖X − DR‖²_F", "D", "G", {}, "2G(DR − X)Rᵀ"),  # −2(X − DR)Rᵀ
    ("‖X − DR‖²_F", "R", "G", {}, "2GDᵀ(DR − X)"),  # −2Dᵀ(X − DR)
]

SEED_003_LAYER = [  # z = Wa + b, a = g(z): from da (upstream Δ) and dz (upstream δ)
    ("g(z)", "z", "Δ", G_ELEM, "Δ ⊙ g′(z)"),  # dz = da ⊙ g′(z)
    ("Wa + b", "W", "δ", {}, "δaᵀ"),  # dW = dz aᵀ
    ("Wa + b", "b", "δ", {}, "δ"),  # db = dz
    ("Wa + b", "a", "δ", {}, "Wᵀδ"),  # da⁽ˡ⁻¹⁾ = Wᵀdz
    ("g(Wa + b)", "W", "Δ", G_ELEM, "(Δ ⊙ g′(Wa + b))aᵀ"),  # dW from da, in one call
    ("g(Wa + b)", "b", "Δ", G_ELEM, "Δ ⊙ g′(Wa + b)"),
    ("g(Wa + b)", "a", "Δ", G_ELEM, "Wᵀ(Δ ⊙ g′(Wa + b))"),
    ("W₂a₁ + b₂", "W₂", "dz", {}, "dz·a₁ᵀ"),  # the course's own names
    ("g(z)", "z", "da", G_ELEM, "da ⊙ g′(z)"),
    ("WA + b", "b", "G", {}, "G𝟙"),  # a batch in the columns of A: db sums over the batch
]

SEED_003_EXAMPLES = [
    ("AXB", "X", "Y", {}, "AᵀYBᵀ"),  # Y = AXB: ∂f/∂X = Aᵀ(∂f/∂Y)Bᵀ
    ("aᵀXb", "X", "G", {}, "Gabᵀ"),  # warm up 1
    ("exp(Xb)", "X", "G", {}, "(G ⊙ exp(Xb))bᵀ"),  # warm up 2, before the sum with a
    ("aᵀexp(Xb)", "X", "G", {}, "G(a ⊙ exp(Xb))bᵀ"),
    ("tr(YᵀMY)", "Y", "G", {"domains": "M: symmetric"}, "2GMY"),  # warm up 3, (37)
    ("σ(WX)", "X", "Δ", {}, "Wᵀ(Δ ⊙ σ(WX) ⊙ (1 − σ(WX)))"),  # (38)
    ("Xw − y", "w", "G", {}, "XᵀG"),  # linear regression, (41)
]

ALL = (
    REQUIRED + SEED_002_FORMULAS + SEED_002_NEURAL_NETWORK + SEED_002_DICTIONARY_LEARNING
    + SEED_003_LAYER + SEED_003_EXAMPLES
)


def _label(case) -> str:
    return f"{case[0]} wrt {case[1]}"


@pytest.mark.parametrize("case", ALL, ids=_label)
def test_printed_form(case):
    F, wrt, upstream, decl, printed = case
    assert str(mc.vjp(F, wrt, upstream=upstream, **decl)) == printed


@pytest.mark.parametrize("case", ALL, ids=_label)
def test_agrees_with_finite_differences_of_the_pairing(case):
    F, wrt, upstream, decl, _ = case
    result = mc.vjp(F, wrt, upstream=upstream, **decl)
    e = mc.parse(F, **decl)
    loss = backprop.pairing(e, backprop.upstream_symbol(e, upstream))
    report = mc.check(loss, wrt, expected=result, seed=7)
    assert report, str(report)


def test_a_wrong_rule_fails_the_check():
    """For square W and X both GXᵀ and XᵀG have W's shape; only the first passes."""
    e = mc.parse("WX", shapes="W: n×n, X: n×n")
    loss = backprop.pairing(e, backprop.upstream_symbol(e, "G"))
    assert mc.check(loss, "W", expected=mc.vjp(e, "W"))
    assert not mc.check(loss, "W", expected=mc.parse("XᵀG", shapes="X: n×n, G: n×n"))


def test_values_by_hand():
    rng = np.random.default_rng(1)
    W, X, G = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    values = {"W": W, "X": X, "G": G}
    np.testing.assert_allclose(mc.vjp("WX", "W").evaluate(values), G @ X.T)
    np.testing.assert_allclose(mc.vjp("WX", "X").evaluate(values), W.T @ G)
    Z, b = rng.normal(size=(5, 3)), rng.normal(size=3)
    G2 = rng.normal(size=(5, 3))
    np.testing.assert_allclose(mc.vjp("Z + bᵀ", "b").evaluate({"Z": Z, "b": b, "G": G2}), G2.sum(axis=0))
    A = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    Ai = np.linalg.inv(A)
    G3 = rng.normal(size=(3, 3))
    np.testing.assert_allclose(mc.vjp("X⁻¹", "X").evaluate({"X": A, "G": G3}), -Ai.T @ G3 @ Ai.T)


def test_upstream_has_the_shape_of_F():
    e = mc.parse("WX", shapes="W: p×m, X: m×n")
    g = backprop.upstream_symbol(e, "G")
    assert g.shape == e.shape
    assert backprop.upstream_symbol(mc.parse("‖x‖²"), "G").is_scalar
    assert mc.vjp("WX", "W", shapes="W: p×m, X: m×n").shape == e.children()[0].shape


def test_upstream_given_as_a_symbol():
    e = mc.parse("WX", shapes="W: 2×3, X: 3×4")
    assert str(mc.vjp(e, "W", upstream=t.symbol("Δ", 2, 4))) == "ΔXᵀ"
    with pytest.raises(mc.ShapeError, match="shape of F"):
        mc.vjp(e, "W", upstream=t.symbol("Δ", 4, 2))


def test_latex():
    assert mc.vjp("g(Z)", "Z", upstream="Δ", **G_ELEM).latex() == r"\Delta \odot g'\left(Z\right)"


def test_wrt_not_in_F_gives_zero():
    assert t.is_zero(backprop.vjp(mc.parse("WX + V"), t.symbol("Q", "m", "n"), "G"))


@pytest.mark.parametrize("name", ["X", "W"])
def test_upstream_name_clashing_with_a_symbol_is_an_error(name):
    with pytest.raises(mc.DomainError, match=f"upstream name {name} is already a symbol"):
        mc.vjp("WX", "W", upstream=name)


def test_default_name_clashing_says_what_to_do():
    with pytest.raises(mc.DomainError, match='upstream="Δ"'):
        mc.vjp("‖G‖²_F", "G")
    assert str(mc.vjp("‖G‖²_F", "G", upstream="Δ")) == "2ΔG"


@pytest.mark.parametrize("name", ["I", "𝟙", "2", "exp", "tr", "a b", "", "Xᵀ", 3])
def test_upstream_must_be_one_symbol_name(name):
    with pytest.raises(mc.DomainError, match="named by one symbol"):
        mc.vjp("WX", "W", upstream=name)


def test_bad_input():
    with pytest.raises(mc.DomainError, match="not a symbol of the expression"):
        mc.vjp("WX", "V")
    with pytest.raises(mc.ParseError):
        mc.vjp("W(X", "W")
    with pytest.raises(mc.ShapeError):
        mc.vjp("WX", "W", shapes="W: 2×3, X: 4×5")
