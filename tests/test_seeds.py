"""The worked examples of the source material, each checked numerically and printed exactly.

Seed 000: backpropagation through D = WX and ∂tr(XA)/∂X.  Seed 001: the product rule for
every product.  Seed 002: the rules of its formula list and its two worked examples
(dictionary learning, a one-layer network with elementwise g).  Seed 003: the differential
method's examples — composition Y = AXB, warm-ups 1–3, linear regression.
"""

from __future__ import annotations

import pytest

import matcalc as mc

G = {"functions": {"g": "elementwise"}}
F = {"functions": {"f": "scalar"}}
M_SYM = {"domains": {"M": "symmetric"}}
WARM_UP_3 = "tr(σ(WX)ᵀMσ(WX))"


def example(f: str, wrt: str, printed: str, decl: dict | None = None, *, name: str):
    return pytest.param(f, wrt, printed, decl or {}, id=name)


EXAMPLES = [
    # seed 002, worked examples
    example("‖X − DR‖²_F", "D", "2(DR − X)Rᵀ", name="002 dictionary learning wrt D"),
    example("‖X − DR‖²_F", "R", "2Dᵀ(DR − X)", name="002 dictionary learning wrt R"),
    example("‖g(XW) − Y‖²_F", "W", "2Xᵀ((g(XW) − Y) ⊙ g′(XW))", G, name="002 network, g elementwise"),
    example(
        "‖tanh(XW) − Y‖²_F",
        "W",
        "2Xᵀ((tanh(XW) − Y) ⊙ (1 − tanh²(XW)))",
        name="002 network, g = tanh",
    ),
    # seed 002, formula list: one scalar function per rule
    example("‖XW‖²_F", "X", "2XWWᵀ", name="002 right multiplication"),
    example("‖WX‖²_F", "X", "2WᵀWX", name="002 left multiplication"),
    example("sum(X ⊙ C)", "X", "C", name="002 Hadamard with a constant"),
    example("sum(g(X))", "X", "g′(X)", G, name="002 elementwise g"),
    example("aᵀGa", "G", "aaᵀ", name="002 quadratic form"),
    # seed 003
    example("f(AXB)", "X", "Aᵀ∇f(AXB)Bᵀ", F, name="003 composition Y = AXB"),
    example("aᵀXb", "X", "abᵀ", name="003 warm-up 1"),
    example("aᵀexp(Xb)", "X", "(a ⊙ exp(Xb))bᵀ", name="003 warm-up 2"),
    example("‖Xw − y‖²", "w", "2Xᵀ(Xw − y)", name="003 linear regression"),
    # seed 000
    example("f(WX)", "W", "∇f(WX)Xᵀ", F, name="000 backprop D = WX wrt W"),
    example("f(WX)", "X", "Wᵀ∇f(WX)", F, name="000 backprop D = WX wrt X"),
    example("tr(XA)", "X", "Aᵀ", name="000 trace"),
    example("tr(AXB)", "X", "AᵀBᵀ", name="003 trace of a product"),
]


@pytest.mark.parametrize("f, wrt, printed, decl", EXAMPLES)
def test_example_agrees_with_finite_differences(f, wrt, printed, decl):
    report = mc.check(f, wrt, **decl)
    assert report, f"∂/∂{wrt} {f} = {mc.grad(f, wrt, **decl)}\n{report}"


def _forms(printed) -> tuple[str, ...]:
    return (printed,) if isinstance(printed, str) else tuple(printed)


@pytest.mark.parametrize("f, wrt, printed, decl", EXAMPLES)
def test_example_prints_the_textbook_answer(f, wrt, printed, decl):
    assert str(mc.grad(f, wrt, **decl)) in _forms(printed)


@pytest.mark.parametrize("f, wrt, printed, decl", EXAMPLES)
def test_printed_answer_reads_back_as_a_correct_gradient(f, wrt, printed, decl):
    for form in _forms(printed):
        assert mc.check(f, wrt, expected=form, **decl), form


# ---- seed 003, warm-up 3: f = tr(YᵀMY), Y = σ(WX), M symmetric ----------------------------


@pytest.mark.parametrize(
    "wrt, printed",
    [
        ("X", "2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))"),
        ("W", "2((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))Xᵀ"),
    ],
)
def test_warm_up_3(wrt, printed):
    assert mc.check(WARM_UP_3, wrt, **M_SYM)
    assert str(mc.grad(WARM_UP_3, wrt, **M_SYM)) == printed


def test_warm_up_3_textbook_form():
    """The article's own answer, Wᵀ((2Mσ(WX)) ⊙ σ′(WX)) with σ′ = σ ⊙ (1 − σ)."""
    answer = "Wᵀ((2Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))"
    assert mc.check(WARM_UP_3, "X", expected=answer, **M_SYM)


def test_warm_up_3_needs_the_symmetric_declaration():
    """Without M symmetric the answer 2Wᵀ((Mσ) ⊙ σ′) is wrong: it takes M + Mᵀ."""
    assert mc.check(WARM_UP_3, "X")
    wrong = "2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))"
    assert not mc.check(WARM_UP_3, "X", expected=wrong)


# ---- seed 002: g given by a formula, matrix addition, broadcasting ---------------------------


def test_network_with_g_given_by_formula():
    decl = {"functions": {"g": "tanh(x)"}}
    f = "‖g(XW) − Y‖²_F"
    assert mc.check(f, "W", **decl)
    printed = str(mc.grad(f, "W", **decl))
    assert "g" in printed and "Xᵀ" in printed
    assert mc.check(f, "W", expected="2Xᵀ((tanh(XW) − Y) ⊙ (1 − tanh(XW).^2))", **decl)


def test_matrix_addition():
    f = "‖X + C‖²_F"
    assert mc.check(f, "X")
    assert str(mc.grad(f, "X")) in {"2(C + X)", "2(X + C)"}


@pytest.mark.parametrize(
    "axis, b_rows, answer",
    [
        ("rows", "n", "2(C + bᵀ)ᵀ𝟙"),  # bᵀ (1×n) added to every row: sum the rows of df/dG
        ("columns", "m", "2(C + b)𝟙"),  # b (m×1) added to every column: sum the columns
    ],
)
def test_broadcast_addition(axis, b_rows, answer):
    decl = {"shapes": {"C": ("m", "n"), "b": (b_rows,)}}
    f = "‖C + bᵀ‖²_F" if axis == "rows" else "‖C + b‖²_F"
    assert mc.check(f, "b", **decl)
    assert mc.check(f, "b", expected=answer, **decl)
    g = mc.grad(f, "b", **decl)
    assert "𝟙" in str(g)
    assert g.shape == mc.parse("b", **decl).shape


def test_matrix_sum_has_gradient_of_ones():
    """f = sum(G): df/dG is the all-ones matrix, 𝟙𝟙ᵀ."""
    decl = {"shapes": {"G": ("m", "n")}}
    assert mc.check("sum(G)", "G", **decl)
    assert mc.check("sum(G)", "G", expected="𝟙𝟙ᵀ", **decl)


# ---- seed 001: the product rule for every product ------------------------------------------


@pytest.mark.parametrize(
    "f, answer, decl",
    [
        pytest.param("tr((AX)(XB))", "AᵀBᵀXᵀ + XᵀAᵀBᵀ", {}, id="matrix product"),
        pytest.param("sum((AX) ⊙ (XB))", "Aᵀ(XB) + (AX)Bᵀ", {"shapes": {"X": ("n", "n")}}, id="Hadamard product"),
        pytest.param("(aᵀXb)(cᵀXd)", "(cᵀXd)abᵀ + (aᵀXb)cdᵀ", {}, id="scalar product"),
        pytest.param("tr(X ⊗ X)", "2tr(X)I", {"shapes": {"X": ("n", "n")}}, id="Kronecker product"),
    ],
)
def test_product_rule(f, answer, decl):
    assert mc.check(f, "X", **decl)
    assert mc.check(f, "X", expected=answer, **decl)


# ---- seed 003: the differential itself --------------------------------------------------------


def test_differential_of_warm_up_1():
    """Seed 003 (32): df = aᵀdXb = tr(baᵀdX), hence ∂f/∂X = abᵀ."""
    d = mc.differential("aᵀXb", "X")
    assert str(d).startswith("df = ")
    assert str(d) == "df = tr(baᵀdX)"
    assert str(d.gradient) == "abᵀ"


def test_differential_of_a_vector_variable_has_no_trace():
    text = str(mc.differential("‖Xw − y‖²", "w"))
    assert text.startswith("df = ")
    assert "dw" in text and "tr(" not in text


def test_normal_equation_gradient():
    """∂l/∂w = 2XᵀXw − 2Xᵀy, the form that gives the normal equation XᵀXw = Xᵀy."""
    assert mc.check("‖Xw − y‖²", "w", expected="2XᵀXw − 2Xᵀy")
    assert not mc.check("‖Xw − y‖²", "w", expected="2XXᵀw − 2Xᵀy", shapes={"X": ("n", "n")})
