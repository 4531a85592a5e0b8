"""The golden table (tests/golden.py): every gradient printed exactly as a textbook prints it,
checked numerically, and no larger than the textbook's own answer."""

from __future__ import annotations

import pytest

import matcalc as mc
from golden import ROWS, parse_answer
from matcalc.simplify import size

PARAMS = [pytest.param(*row, id=f"{row[0]} wrt {row[1]}") for row in ROWS]

# The forms a textbook prints, which the table must hold verbatim.
REQUIRED = [
    ("aᵀXb", "X", "abᵀ"),
    ("aᵀXᵀb", "X", "baᵀ"),
    ("tr(AXB)", "X", "AᵀBᵀ"),
    ("tr(AXᵀB)", "X", "BA"),
    ("tr(XᵀBX)", "X", "(B + Bᵀ)X"),
    ("tr(AXBXᵀC)", "X", "AᵀCᵀXBᵀ + CAXB"),
    ("bᵀXᵀXc", "X", "X(bcᵀ + cbᵀ)"),
    ("‖X‖²_F", "X", "2X"),
    ("det(X)", "X", "det(X)X⁻ᵀ"),
    ("log(|det(X)|)", "X", "X⁻ᵀ"),
    ("aᵀX⁻¹b", "X", "−X⁻ᵀabᵀX⁻ᵀ"),
    ("tr(AX⁻¹B)", "X", "−X⁻ᵀAᵀBᵀX⁻ᵀ"),
    ("xᵀAx", "x", "(A + Aᵀ)x"),
    ("xᵀAx", "x", "2Ax"),
    ("‖X − DR‖²_F", "D", "2(DR − X)Rᵀ"),
    ("‖X − DR‖²_F", "R", "2Dᵀ(DR − X)"),
    ("‖Xw − y‖²", "w", "2Xᵀ(Xw − y)"),
    ("aᵀexp(Xb)", "X", "(a ⊙ exp(Xb))bᵀ"),
    ("‖x‖₂", "x", "x/‖x‖"),
    ("tr(X²)", "X", "2Xᵀ"),
    ("f(WX)", "W", "∇f(WX)Xᵀ"),
    ("‖g(XW) − Y‖²_F", "W", "2Xᵀ((g(XW) − Y) ⊙ g′(XW))"),
    ("tr(σ(WX)ᵀMσ(WX))", "X", "2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))"),
    ("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", "Σ", "Σ⁻¹ − Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹"),
    ("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", "Σ", "Σ⁻ᵀ − Σ⁻ᵀ(x − μ)(x − μ)ᵀΣ⁻ᵀ"),
    ("(xᵀAx)/(xᵀx)", "x", "((A + Aᵀ)x − 2(xᵀAx)x/(xᵀx))/(xᵀx)"),
    ("tr(diag(a)Xdiag(c)B)", "X", "(acᵀ) ⊙ Bᵀ"),
    ("tr(diag(a)XB)", "X", "a ⊙ Bᵀ"),
    ("sum(tanh(X))", "X", "1 − tanh²(X)"),
    ("sum(σ(X))", "X", "σ(X) ⊙ (1 − σ(X))"),
    ("sum(log(X))", "X", "1 ⊘ X"),
]


def test_the_table_is_large_and_holds_the_required_forms():
    assert len(ROWS) >= 60
    have = {(f, wrt, printed) for f, wrt, _, printed, _ in ROWS}
    missing = [r for r in REQUIRED if r not in have]
    assert not missing


def test_rows_are_distinct():
    keys = [(f, wrt, repr(decl)) for f, wrt, decl, _, _ in ROWS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("f, wrt, decl, printed, textbook", PARAMS)
def test_gradient_prints_the_golden_answer(f, wrt, decl, printed, textbook):
    assert str(mc.grad(f, wrt, **decl)) == printed


@pytest.mark.parametrize("f, wrt, decl, printed, textbook", PARAMS)
def test_golden_answer_agrees_with_finite_differences(f, wrt, decl, printed, textbook):
    assert mc.check(f, wrt, **decl)
    assert mc.check(f, wrt, expected=printed, **decl), printed


@pytest.mark.parametrize("f, wrt, decl, printed, textbook", PARAMS)
def test_textbook_answer_agrees_and_is_no_smaller(f, wrt, decl, printed, textbook):
    """The table's textbook column is right, and matcalc's answer is no larger (nodes)."""
    assert mc.check(f, wrt, expected=textbook, **decl), textbook
    assert size(parse_answer(f, wrt, printed, decl)) <= size(parse_answer(f, wrt, textbook, decl))
