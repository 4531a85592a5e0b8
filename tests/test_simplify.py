"""The simplifier's rules, one identity each: the printed result, its value and its size."""

import numpy as np
import pytest

import matcalc as mc
from matcalc.check import point
from matcalc.rewriting import RULES, size
from matcalc.simplify import simplify

CASES = [
    # (input, declarations, simplified form)
    ("(AB)ᵀ", {}, "BᵀAᵀ"),
    ("(A + B)ᵀ", {}, "Aᵀ + Bᵀ"),
    ("(A ⊙ B)ᵀ", {}, "Aᵀ ⊙ Bᵀ"),
    ("(A⁻¹)ᵀ", {}, "A⁻ᵀ"),
    ("Mᵀ", {"domains": {"M": "symmetric"}}, "M"),
    ("(XᵀX)ᵀ", {}, "XᵀX"),
    ("(aᵀXb)ᵀ", {}, "aᵀXb"),
    ("X + X", {}, "2X"),
    ("2X − 3X", {}, "−X"),
    ("AX + AY", {}, "A(X + Y)"),
    ("XA + YA", {}, "(X + Y)A"),
    ("Ax + Aᵀx", {}, "(A + Aᵀ)x"),
    ("2A + 2B", {}, "2(A + B)"),
    ("−2(X − DR)", {}, "2(DR − X)"),
    ("AA⁻¹B", {}, "B"),
    ("XX", {}, "X²"),
    ("X²X⁻³", {}, "X⁻¹"),
    ("(AB)⁻¹", {"shapes": "A: n×n, B: n×n"}, "B⁻¹A⁻¹"),
    ("det(Xᵀ)", {}, "det(X)"),
    ("log det(X⁻¹) + log det(X)", {"domains": {"X": "spd"}}, "0"),
    ("tr(Xᵀ)", {}, "tr(X)"),
    ("X ⊙ X", {}, "X^{∘2}"),
    ("X ⊙ (𝟙𝟙ᵀ)", {}, "X"),
    ("2 ⊙ X", {}, "2X"),
    ("X ⊘ 2", {}, "½X"),
    ("exp(Xb) ⊙ a", {}, "a ⊙ exp(Xb)"),
    ("(det X)(det X)⁻¹X", {}, "X"),
    ("(xᵀx)²(xᵀx)⁻³x", {}, "x/(xᵀx)"),
]


@pytest.mark.parametrize("text, decl, expected", CASES, ids=[c[0] for c in CASES])
def test_rule(text, decl, expected):
    e = mc.parse(text, **decl)
    out = simplify(e)
    assert str(out) == expected
    assert size(out) <= size(e)
    assert simplify(out) == out
    values, dims = point([e], seed=3)
    assert np.allclose(out.evaluate(values, dims=dims), e.evaluate(values, dims=dims))


def test_every_rule_has_a_textbook_name():
    names = [r.name for rules in RULES.values() for r in rules]
    assert len(names) >= 25
    assert all(len(n) > 8 for n in names)


def test_results_do_not_depend_on_the_order_of_terms():
    a = mc.grad("tr(AX) + tr(BX) + tr(CX)", "X")
    b = mc.grad("tr(CX) + tr(AX) + tr(BX)", "X")
    assert a == b


def test_hadamard_operands_follow_the_chain_rule():
    g = mc.grad("‖h(XW) − Y‖²_F", "W", functions={"h": "x**3 + sin(x)"})
    assert str(g) == "2Xᵀ((h(XW) − Y) ⊙ (3(XW)^{∘2} + cos(XW)))"
    assert mc.check("‖h(XW) − Y‖²_F", "W", functions={"h": "x**3 + sin(x)"})
