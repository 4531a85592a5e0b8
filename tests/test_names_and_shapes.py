"""Names read as a mathematician reads them, and shapes that come from use.

A function word starts a new factor after any symbol (W₂tanh(W₁x), Xexp(Xb), W₂σ(W₁x)); the
Unicode printer never writes a juxtaposition that reads back differently.  An undeclared
symbol's shape comes from unification over the whole expression, the name-based default
applying only where use leaves it open; an undeclared symbol is never broadcast silently
against a vector or matrix; ``Expr.shapes`` reports what was inferred.
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import matcalc as mc
from matcalc import expr as t
from matcalc.errors import ParseError, ShapeError


def S(name, rows=1, cols=1, assumptions=()):
    return t.symbol(name, rows, cols, assumptions)


def declared(e: t.Expr) -> dict:
    """The shapes of e's symbols, as declarations."""
    return {s.name: tuple(str(d) for d in s.dims) for s in e.free_symbols}


# ---- function words after symbols ----------------------------------------------------------

W1, W2 = S("W_1", "n", "m"), S("W_2", "k", "n")
x, b1, y = S("x", "m"), S("b_1", "n"), S("y", "k")
LAYER = t.matmul(W2, t.Apply("tanh", t.add(t.matmul(W1, x), b1)))
DECL = {"W_1": ("n", "m"), "W_2": ("k", "n"), "x": ("m",), "b_1": ("n",), "y": ("k",)}

SPELLINGS = [
    # (spellings, declarations, functions, expected tree)
    (["W₂tanh(W₁x + b₁)", "W₂ tanh(W₁x + b₁)", "W_2 tanh(W_1 x + b_1)", "W_2tanh(W_1x + b_1)",
      "W2tanh(W1x + b1)", "W2 * tanh(W1*x + b1)", "W₂·tanh(W₁x + b₁)"], DECL, None, LAYER),
    (["W₂σ(W₁x + b₁)", "W₂sigma(W₁x + b₁)", "W2sigma(W1x + b1)", "W₂sigmoid(W₁x + b₁)", "W_2 σ(W_1 x + b_1)"],
     DECL, None, t.matmul(W2, t.Apply("sigmoid", t.add(t.matmul(W1, x), b1)))),
    (["W₂tanh²(W₁x + b₁)", "W₂tanh(W₁x + b₁).^2"], DECL, None,
     t.matmul(W2, t.hadamard_pow(t.Apply("tanh", t.add(t.matmul(W1, x), b1)), 2))),
    (["Xexp(Xb)", "X·exp(Xb)", "X exp(Xb)"], {"X": ("m", "m"), "b": ("m",)}, None,
     t.matmul(S("X", "m", "m"), t.Apply("exp", t.matmul(S("X", "m", "m"), S("b", "m"))))),
    (["Wg(x)", "W g(x)", "W*g(x)"], {"W": ("n", "m"), "x": ("m",)}, {"g": "elementwise"},
     t.matmul(S("W", "n", "m"), t.Apply("g", S("x", "m")))),
    (["Wg′(x)", "Wg'(x)", "W g'(x)"], {"W": ("n", "m"), "x": ("m",)}, {"g": "elementwise"},
     t.matmul(S("W", "n", "m"), t.Apply("g", S("x", "m"), 1))),
    (["W₂g′(x)", "W_2g'(x)"], {"W_2": ("n", "m"), "x": ("m",)}, {"g": "elementwise"},
     t.matmul(S("W_2", "n", "m"), t.Apply("g", S("x", "m"), 1))),
    (["Atr(X)", "A tr(X)", "tr(X)A"], {"A": ("m", "n"), "X": ("k", "k")}, None,
     t.scale(t.trace(S("X", "k", "k")), S("A", "m", "n"))),
    (["W₂det(X)", "W_2 det X"], {"W_2": ("m", "n"), "X": ("k", "k")}, None,
     t.scale(t.Det(S("X", "k", "k")), S("W_2", "m", "n"))),
    (["Xlog det(A)", "X log det(A)", "Xlogdet(A)", "log det(A)X"], {"X": ("m", "n"), "A": ("k", "k")}, None,
     t.scale(t.LogDet(S("A", "k", "k")), S("X", "m", "n"))),
    (["xᵀa_itanh(z)", "xᵀa_i tanh(z)"], {"x": ("m",), "a_i": ("m",), "z": ("n",)}, None,
     t.scale(t.matmul(t.transpose(S("x", "m")), S("a_i", "m")), t.Apply("tanh", S("z", "n")))),
    (["W_{out}tanh(x)", "W_out tanh(x)"], {"W_out": ("n", "m"), "x": ("m",)}, None,
     t.matmul(S("W_out", "n", "m"), t.Apply("tanh", S("x", "m")))),
    (["W′tanh(x)", "W′ tanh(x)"], {"W′": ("n", "m"), "x": ("m",)}, None,
     t.matmul(S("W′", "n", "m"), t.Apply("tanh", S("x", "m")))),
    (["Wdiag(x)W", "W diag(x) W"], {"W": ("m", "m"), "x": ("m",)}, None,
     t.matmul(S("W", "m", "m"), t.DiagMat(S("x", "m")), S("W", "m", "m"))),
    (["W₂f(x)", "W₂ f(x)"], {"W_2": ("m", "n"), "x": ("k",)}, {"f": "scalar"},
     t.scale(t.Call("f", S("x", "k")), S("W_2", "m", "n"))),
]


@pytest.mark.parametrize(
    "text, shapes, functions, expected",
    [(s, d, f, e) for spellings, d, f, e in SPELLINGS for s in spellings],
)
def test_a_function_word_starts_a_new_factor_after_any_symbol(text, shapes, functions, expected):
    assert mc.parse(text, shapes=shapes, functions=functions) == expected


def test_sigma_before_a_parenthesis_is_the_sigmoid_unless_declared():
    undeclared = mc.parse("‖W₂σ(W₁x) − y‖²")
    assert any(isinstance(n, t.Apply) and n.name == "sigmoid" for n in t.walk(undeclared))
    assert "σ" not in {s.name for s in undeclared.free_symbols}
    with_symbol = mc.parse("Wσ(x)", shapes={"σ": ()})
    assert with_symbol == t.scale(S("σ"), t.matmul(S("W", "m", "n"), S("x", "n")))
    assert mc.parse("xᵀσ(x)") == t.matmul(t.transpose(S("x", "m")), t.Apply("sigmoid", S("x", "m")))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("arctan(x)", "unknown function 'arctan'"),
        ("logsumexp(x)", "unknown function 'logsumexp'"),
        ("sinh(x)", "unknown function 'sinh'"),
    ],
)
def test_a_misspelt_function_is_not_split_into_symbols(text, fragment):
    with pytest.raises(ParseError, match=fragment):
        mc.parse(text)


def test_a_subscript_after_underscore_is_one_letter_so_a_word_after_it_is_a_function():
    """a_itanh(z) is a_i·tanh(z): the subscript of a_ is the one letter i."""
    e = mc.parse("zᵀa_itanh(z)")
    assert e == t.scale(t.matmul(t.transpose(S("z", "m")), S("a_i", "m")), t.Apply("tanh", S("z", "m")))


# ---- the two-layer network: the printed answer reads back ------------------------------------

NETWORK = "‖W₂tanh(W₁x + b₁) − y‖²"
NETWORK_ANSWERS = {
    "W₁": "2((W₂ᵀ(W₂tanh(W₁x + b₁) − y)) ⊙ (1 − tanh²(W₁x + b₁)))xᵀ",
    "W₂": "2(W₂tanh(W₁x + b₁) − y)tanh(W₁x + b₁)ᵀ",
    "b₁": "2((W₂ᵀ(W₂tanh(W₁x + b₁) − y)) ⊙ (1 − tanh²(W₁x + b₁)))",
    "x": "2W₁ᵀ((W₂ᵀ(W₂tanh(W₁x + b₁) − y)) ⊙ (1 − tanh²(W₁x + b₁)))",
}


@pytest.mark.parametrize("wrt", sorted(NETWORK_ANSWERS))
def test_two_layer_network_answer_reads_back(wrt):
    f = mc.parse(NETWORK)
    g = mc.grad(NETWORK, wrt)
    assert str(g) == NETWORK_ANSWERS[wrt]
    assert mc.parse(str(g), shapes=declared(f)) == g
    assert mc.check(NETWORK, wrt)
    assert mc.check(NETWORK, wrt, expected=str(g))


def test_two_layer_network_with_sigmoid_reads_back():
    f = "‖W₂σ(W₁x) − y‖²"
    for wrt in ("W₁", "W₂"):
        g = mc.grad(f, wrt)
        assert mc.parse(str(g), shapes=declared(mc.parse(f))) == g
        assert mc.check(f, wrt)
    assert str(mc.grad(f, "W₂")) == "2(W₂σ(W₁x) − y)σ(W₁x)ᵀ"


# ---- tricky juxtapositions: each prints in a form that reads back -----------------------------

A = S("A", "n", "n")
v = S("v", "n")
al, be, c, p, i_, e_ = S("α"), S("β"), S("c"), S("p"), S("i"), S("e")
sig = S("σ")

TRICKY = [
    (t.matmul(W2, t.Apply("tanh", t.matmul(W1, x))), "W₂tanh(W₁x)"),
    (t.matmul(W2, t.Apply("sigmoid", t.matmul(W1, x))), "W₂σ(W₁x)"),
    (t.matmul(S("X", "m", "m"), t.Apply("exp", S("b", "m"))), "X·exp(b)"),
    (t.scale(c, t.Apply("exp", v)), "c·exp(v)"),
    (t.scale(sig, t.Apply("sigmoid", v)), "σ·sigmoid(v)"),
    (t.scale(sig, t.add(v, S("u", "n"))), "σ·(v + u)"),
    (t.scale(t.scale(p, i_), v), "p·iv"),
    (t.scale(t.scale(e_, S("x_1")), t.Apply("exp", v)), "ex₁exp(v)"),
    (t.scale(S("x_i"), S("j")), "x_ij"),
    (t.scale(t.scale(S("t"), S("r")), A), "t·rA"),
    (t.scale(S("W_1"), t.Apply("tanh", al)), "W₁tanh(α)"),
    (t.scale(S("W_out"), t.Apply("tanh", al)), "W_{out}tanh(α)"),
    (t.scale(S("a_i"), t.Apply("tanh", al)), "a_i·tanh(α)"),
    (t.scale(S("x′"), t.Apply("tanh", al)), "x′tanh(α)"),
    (t.scale(t.Det(A), S("W_2", "n", "n")), "det(A)W₂"),
    (t.scale(S("W_2"), t.LogDet(A)), "W₂log det(A)"),
    (t.scale(al, t.LogDet(A)), "α·log det(A)"),
    (t.scale(t.scale(al, be), t.Apply("g", v)), "αβg(v)"),
    (t.scale(S("W_2"), t.Apply("g", al, 1)), "W₂g′(α)"),
    (t.scale(S("x_2"), S("y_3")), "x₂y₃"),
]


@pytest.mark.parametrize("e, text", TRICKY, ids=[text for _, text in TRICKY])
def test_tricky_juxtapositions_print_and_read_back(e, text):
    assert str(e) == text
    functions = {"g": "elementwise"}
    assert mc.parse(text, shapes=declared(e), functions=functions) == e


# Scalar factors of every kind a product can juxtapose: symbols with subscripts, primes and
# multi-letter names, function calls of every family, numbers and powers.
SCALARS = ["α", "W_1", "a_i", "x′", "c", "p", "i", "e", "t", "n", "r", "DR", "W_out", "x_2"]


def _factor(draw, sigma_symbol: bool) -> t.Expr:
    pool = SCALARS + (["σ"] if sigma_symbol else [])
    sym = lambda: S(draw(st.sampled_from(pool)))  # noqa: E731
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        return sym()
    if kind == 4:
        return t.Apply(draw(st.sampled_from(["tanh", "exp", "sigmoid", "log", "sin", "relu", "g"])), sym())
    if kind == 5:
        return t.Apply("g", sym(), draw(st.integers(1, 2)))
    if kind == 6:
        return draw(st.sampled_from([t.trace(A), t.Det(A), t.LogDet(A), t.Norm(v, 2), t.Norm(v, 1)]))
    if kind == 7:
        return draw(st.sampled_from([t.Call("f", sym()), t.Grad("f", sym())]))
    if kind == 8:
        return t.Number(sympy.Rational(draw(st.sampled_from([2, 3, 10])), draw(st.sampled_from([1, 2]))))
    return t.power(sym(), draw(st.sampled_from([2, 3, -1])))


@st.composite
def scalar_products(draw):
    sigma_symbol = draw(st.booleans())
    factors = [_factor(draw, sigma_symbol) for _ in range(draw(st.integers(2, 6)))]
    e = factors[0]
    for f in factors[1:]:
        e = t.mul(e, f)
    if draw(st.booleans()):
        e = t.mul(e, draw(st.sampled_from([A, v, t.transpose(v)])))
    return e


@settings(max_examples=400)
@given(scalar_products())
def test_juxtaposed_factors_read_back(e):
    text = str(e)
    functions = {"g": "elementwise", "f": "scalar"}
    assert mc.parse(text, shapes=declared(e), functions=functions) == e, text
