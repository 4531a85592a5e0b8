"""Derivative identities of the Matrix Cookbook (Petersen & Pedersen, §2), checked numerically.

Layout: the Cookbook's ∂f/∂X of a scalar f is the matrix of X's shape with
[∂f/∂X]ᵢⱼ = ∂f/∂Xᵢⱼ, which is matcalc's gradient G (df = tr(Gᵀ dX)); every answer below is
written in that layout.  Ids name the Cookbook's section (2012 edition).

For every row, two checks against central finite differences at random points:
``mc.check(f, wrt)`` (matcalc's gradient) and ``mc.check(f, wrt, expected=answer)`` (the
textbook answer, parsed with the shapes and domains of f).  A few deliberately wrong answers
must fail the same check.
"""

from __future__ import annotations

import pytest

import matcalc as mc

SQ = {"shapes": {"X": ("n", "n")}}  # a square X (powers, inverses, determinants)
TALL = {"shapes": {"X": (5, 3)}}  # XᵀX invertible needs more rows than columns


def sym(*names: str, **extra) -> dict:
    return {"domains": {n: "symmetric" for n in names}, **extra}


def row(eq: str, f: str, wrt: str, answer: str, decl: dict | None = None):
    return pytest.param(f, wrt, answer, decl or {}, id=f"{eq} {f} wrt {wrt}")


ROWS = [
    # §2.4.1 first-order forms
    row("§2.4.1", "aᵀx", "x", "a"),
    row("§2.4.1", "xᵀa", "x", "a"),
    row("§2.4.1", "aᵀXb", "X", "abᵀ"),
    row("§2.4.1", "aᵀXᵀb", "X", "baᵀ"),
    row("§2.4.1", "aᵀXa", "X", "aaᵀ"),
    row("§2.4.1", "aᵀXᵀa", "X", "aaᵀ"),
    # §2.4.2 second-order forms
    row("§2.4.2", "bᵀXᵀXc", "X", "X(bcᵀ + cbᵀ)"),
    row("§2.4.2", "(Bx + b)ᵀC(Dx + d)", "x", "BᵀC(Dx + d) + DᵀCᵀ(Bx + b)"),
    row("§2.4.2", "xᵀBx", "x", "(B + Bᵀ)x"),
    row("§2.4.2", "bᵀXᵀDXc", "X", "DᵀXbcᵀ + DXcbᵀ"),
    row("§2.4.2", "(Xb + c)ᵀD(Xb + c)", "X", "(D + Dᵀ)(Xb + c)bᵀ"),
    row("§2.4.2", "(x − As)ᵀW(x − As)", "s", "−2AᵀW(x − As)", sym("W")),
    row("§2.4.2", "(x − s)ᵀW(x − s)", "x", "2W(x − s)", sym("W")),
    row("§2.4.2", "(x − s)ᵀW(x − s)", "s", "−2W(x − s)", sym("W")),
    row("§2.4.2", "(x − As)ᵀW(x − As)", "x", "2W(x − As)", sym("W")),
    row("§2.4.2", "(x − As)ᵀW(x − As)", "A", "−2W(x − As)sᵀ", sym("W")),
    row("§2.6", "xᵀx", "x", "2x"),
    row("§2.6", "‖x‖²", "x", "2x"),
    row("least squares", "‖Ax − b‖²", "x", "2Aᵀ(Ax − b)"),
    row("Rayleigh quotient", "(xᵀAx)/(xᵀx)", "x", "2(Ax − ((xᵀAx)/(xᵀx))x)/(xᵀx)", sym("A")),
    # §2.4.3 higher order
    row("§2.4.3", "aᵀX³b", "X", "abᵀ(X²)ᵀ + XᵀabᵀXᵀ + (X²)ᵀabᵀ", SQ),
    # §2.5.1 traces, first order
    row("§2.5.1", "tr(X)", "X", "I", SQ),
    row("§2.5.1", "tr(XA)", "X", "Aᵀ"),
    row("§2.5.1", "tr(AXB)", "X", "AᵀBᵀ"),
    row("§2.5.1", "tr(AXᵀB)", "X", "BA"),
    row("§2.5.1", "tr(XᵀA)", "X", "A"),
    row("§2.5.1", "tr(AXᵀ)", "X", "A"),
    row("§2.5.1", "tr(A ⊗ X)", "X", "tr(A)I", {"shapes": {"X": ("n", "n"), "A": ("k", "k")}}),
    # §2.5.2 traces, second order
    row("§2.5.2", "tr(X²)", "X", "2Xᵀ", SQ),
    row("§2.5.2", "tr(X²B)", "X", "(XB + BX)ᵀ", SQ),
    row("§2.5.2", "tr(XᵀBX)", "X", "BX + BᵀX"),
    row("§2.5.2", "tr(BXXᵀ)", "X", "(B + Bᵀ)X"),
    row("§2.5.2", "tr(XXᵀB)", "X", "BX + BᵀX"),
    row("§2.5.2", "tr(XBXᵀ)", "X", "XBᵀ + XB"),
    row("§2.5.2", "tr(BXᵀX)", "X", "XBᵀ + XB"),
    row("§2.5.2", "tr(XᵀXB)", "X", "XBᵀ + XB"),
    row("§2.5.2", "tr(AXBX)", "X", "AᵀXᵀBᵀ + BᵀXᵀAᵀ"),
    row("§2.5.2", "tr(XᵀX)", "X", "2X"),
    row("§2.5.2", "tr(XXᵀ)", "X", "2X"),
    row("§2.5.2", "tr(BᵀXᵀCXB)", "X", "CᵀXBBᵀ + CXBBᵀ"),
    row("§2.5.2", "tr(XᵀBXC)", "X", "BXC + BᵀXCᵀ"),
    row("§2.5.2", "tr(AXBXᵀC)", "X", "AᵀCᵀXBᵀ + CAXB"),
    row("§2.5.2", "tr((AXB + C)(AXB + C)ᵀ)", "X", "2Aᵀ(AXB + C)Bᵀ"),
    row("§2.5.2", "tr(X ⊗ X)", "X", "2tr(X)I", SQ),
    # §2.5.3 traces, higher order
    row("§2.5.3", "tr(X³)", "X", "3(X²)ᵀ", SQ),
    row("§2.5.3", "tr(X⁴)", "X", "4(X³)ᵀ", SQ),
    row("§2.5.3", "tr(AX³)", "X", "(AX²)ᵀ + (XAX)ᵀ + (X²A)ᵀ", SQ),
    # §2.5.4 traces with inverses; §2.2 inverses
    row("§2.2", "aᵀX⁻¹b", "X", "−X⁻ᵀabᵀX⁻ᵀ"),
    row("§2.5.4", "tr(AX⁻¹B)", "X", "−X⁻ᵀAᵀBᵀX⁻ᵀ"),
    row("§2.2", "tr((X + A)⁻¹)", "X", "−((X + A)⁻¹(X + A)⁻¹)ᵀ"),
    row("§2.5.3", "tr(X⁻¹)", "X", "−(X⁻²)ᵀ"),
    row("§2.5.4", "tr((XᵀCX)⁻¹A)", "X", "−CX(XᵀCX)⁻¹(A + Aᵀ)(XᵀCX)⁻¹", sym("C", **TALL)),
    row(
        "§2.5.4",
        "tr((XᵀCX)⁻¹(XᵀBX))",
        "X",
        "−2CX(XᵀCX)⁻¹XᵀBX(XᵀCX)⁻¹ + 2BX(XᵀCX)⁻¹",
        sym("B", "C", **TALL),
    ),
    row(
        "§2.5.4",
        "tr((A + XᵀCX)⁻¹(XᵀBX))",
        "X",
        "−2CX(A + XᵀCX)⁻¹XᵀBX(A + XᵀCX)⁻¹ + 2BX(A + XᵀCX)⁻¹",
        sym("A", "B", "C", **TALL),
    ),
    # §2.1 determinants and log-determinants
    row("§2.1", "det(X)", "X", "det(X)X⁻ᵀ"),
    row("§2.1", "det(AXB)", "X", "det(AXB)X⁻ᵀ", {"shapes": {"A": ("n", "n"), "X": ("n", "n"), "B": ("n", "n")}}),
    row("§2.1 X square", "det(XᵀAX)", "X", "2det(XᵀAX)X⁻ᵀ", {"shapes": {"X": ("n", "n"), "A": ("n", "n")}}),
    row("§2.1 A symmetric", "det(XᵀAX)", "X", "2det(XᵀAX)AX(XᵀAX)⁻¹", sym("A", **TALL)),
    row("§2.1 general", "det(XᵀAX)", "X", "det(XᵀAX)(AX(XᵀAX)⁻¹ + AᵀX(XᵀAᵀX)⁻¹)", TALL),
    row("§2.1", "det(XᵀX)", "X", "2det(XᵀX)X(XᵀX)⁻¹", TALL),
    row("§2.1", "log det(XᵀX)", "X", "2X(XᵀX)⁻¹", TALL),
    row("§2.1", "log det(X)", "X", "X⁻ᵀ", {"domains": {"X": "spd"}}),
    row("§2.1", "log(|det(X)|)", "X", "X⁻ᵀ", {"domains": {"X": "invertible"}}),
    row("§2.1", "det(X³)", "X", "3det(X³)X⁻ᵀ"),
    row("§2.2", "det(X⁻¹)", "X", "−det(X⁻¹)X⁻ᵀ"),
    row("adjugate", "tr(adj(X))", "X", "det(X)(tr(X⁻¹)X⁻ᵀ − X⁻ᵀX⁻ᵀ)"),
    # §2.6–2.7 norms
    row("§2.6", "‖x − a‖₂", "x", "(x − a)/‖x − a‖₂"),
    row("§2.7", "‖X‖²_F", "X", "2X"),
    row("§2.7", "‖X‖_F", "X", "X/‖X‖_F"),
    row("ℓ1 norm", "‖x‖₁", "x", "sign(x)"),
    # beyond the Cookbook: elementwise functions and Hadamard products
    row("elementwise", "aᵀexp(Xb)", "X", "(a ⊙ exp(Xb))bᵀ"),
    row("elementwise", "sum(exp(X))", "X", "exp(X)"),
    row("elementwise", "𝟙ᵀlog(x)", "x", "𝟙 ⊘ x", {"domains": {"x": "positive"}}),
    row("elementwise", "aᵀσ(x)", "x", "a ⊙ σ(x) ⊙ (𝟙 − σ(x))"),
    row("Hadamard", "tr(Aᵀ(X ⊙ B))", "X", "A ⊙ B"),
    row("Hadamard", "sum(X ⊙ X)", "X", "2X"),
    row("elementwise", "sum(X.^3)", "X", "3X.^2"),
]

# (f, wrt, a wrong answer of the right shape, declarations)
WRONG = [
    pytest.param("tr(XA)", "X", "A", SQ, id="tr(XA) not transposed"),
    pytest.param("aᵀXb", "X", "baᵀ", SQ, id="aᵀXb transposed"),
    pytest.param("xᵀBx", "x", "2Bx", {}, id="xᵀBx B taken symmetric"),
    pytest.param("‖Ax − b‖²", "x", "Aᵀ(Ax − b)", {}, id="‖Ax − b‖² factor 2 missing"),
    pytest.param("det(X)", "X", "det(X)X⁻¹", {}, id="det(X) inverse not transposed"),
    pytest.param("tr(AXBXᵀC)", "X", "AᵀCᵀXBᵀ", {}, id="tr(AXBXᵀC) term missing"),
    pytest.param("tr(X²B)", "X", "XB + BX", SQ, id="tr(X²B) not transposed"),
    pytest.param("tr(AX⁻¹B)", "X", "X⁻ᵀAᵀBᵀX⁻ᵀ", {}, id="tr(AX⁻¹B) sign"),
    pytest.param("‖X‖_F", "X", "X/‖X‖²_F", {}, id="‖X‖_F root squared"),
]


def test_the_table_is_large_enough():
    assert len(ROWS) >= 45


@pytest.mark.parametrize("f, wrt, answer, decl", ROWS)
def test_gradient_agrees_with_finite_differences(f, wrt, answer, decl):
    report = mc.check(f, wrt, **decl)
    assert report, f"∂/∂{wrt} {f} = {mc.grad(f, wrt, **decl)}\n{report}"


@pytest.mark.parametrize("f, wrt, answer, decl", ROWS)
def test_textbook_answer_agrees_with_finite_differences(f, wrt, answer, decl):
    report = mc.check(f, wrt, expected=answer, **decl)
    assert report, f"∂/∂{wrt} {f} = {answer}?\n{report}"


@pytest.mark.parametrize("f, wrt, answer, decl", ROWS)
def test_printed_gradient_reads_back_as_a_correct_gradient(f, wrt, answer, decl):
    """str(G) is in the input language (docs/language.md) and still the gradient."""
    printed = str(mc.grad(f, wrt, **decl))
    assert mc.check(f, wrt, expected=printed, **decl), printed


@pytest.mark.parametrize("f, wrt, wrong, decl", WRONG)
def test_wrong_answer_is_rejected(f, wrt, wrong, decl):
    assert mc.check(f, wrt, **decl), "the right gradient must pass first"
    report = mc.check(f, wrt, expected=wrong, **decl)
    assert not report
    assert report.error > 1e-3


def test_text_declarations_give_the_same_gradient():
    as_text = mc.grad("tr(X²B)", "X", shapes="X: n×n, B: n×n")
    as_dict = mc.grad("tr(X²B)", "X", shapes={"X": ("n", "n"), "B": ("n", "n")})
    assert as_text == as_dict
    assert mc.check("tr(X²B)", "X", expected="(XB + BX)ᵀ", shapes="X: n×n, B: n×n")


def test_gradient_has_the_shape_of_the_variable():
    g = mc.grad("aᵀXb", "X", shapes={"X": ("m", "n")})
    assert g.shape == mc.parse("X", shapes={"X": ("m", "n")}).shape
