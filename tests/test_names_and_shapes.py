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
        ("arcsin(x)", "unknown function 'arcsin'"),
        ("lse(x)", "unknown function 'lse'"),
        ("sinc(x)", "unknown function 'sinc'"),
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


# ---- shapes from use --------------------------------------------------------------------------

m, n, k = t.dim("m"), t.dim("n"), t.dim("k")
xm, mu, Sigma = S("x", "m"), S("μ", "m"), S("Σ", "m", "m")


def test_the_mean_of_a_gaussian_takes_the_shape_of_x():
    d = t.sub(xm, mu)
    assert mc.parse("(x − μ)ᵀΣ⁻¹(x − μ)") == t.matmul(t.transpose(d), t.inverse(Sigma), d)
    assert mc.parse("(x - mu)' inv(Sigma) (x - mu)") == t.matmul(t.transpose(d), t.inverse(Sigma), d)


def test_the_coefficients_of_a_generalised_least_squares_are_a_vector():
    y, X, beta, Omega = S("y", "m"), S("X", "m", "k"), S("β", "k"), S("Ω", "m", "m")
    r = t.sub(y, t.matmul(X, beta))
    assert mc.parse("(y − Xβ)ᵀΩ⁻¹(y − Xβ)") == t.matmul(t.transpose(r), t.inverse(Omega), r)


SHAPES = [
    # (text, the shapes read from use)
    ("(x − μ)ᵀΣ⁻¹(x − μ)", "x: m, μ: m, Σ: m×m"),
    ("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", "Σ: m×m, x: m, μ: m"),
    ("(y − Xβ)ᵀΩ⁻¹(y − Xβ)", "y: m, X: m×k, β: k, Ω: m×m"),
    ("‖Xw − y‖² + λ‖w‖²", "X: m×n, w: n, y: m, λ: scalar"),
    ("‖Xθ − y‖² + λ‖θ‖²", "X: m×n, θ: n, y: m, λ: scalar"),
    ("λ‖w‖₁ + ‖Xw − y‖²", "λ: scalar, w: m, X: n×m, y: n"),
    ("aᵀXb", "a: m, X: m×k, b: k"),
    ("x − μ + ν", "x: m, μ: m, ν: m"),
    ("(μ + 1) ⊙ x", "μ: m, x: m"),
    ("exp(θ) − x", "θ: m, x: m"),
    ("W(x − μ) + b", "W: m×n, x: n, μ: n, b: m"),
    ("Aβ + c", "A: m×n, β: n, c: m"),
    ("‖x − μ‖", "x: m, μ: m"),
    ("tr(Σ⁻¹(x − μ)(x − μ)ᵀ)", "Σ: m×m, x: m, μ: m"),
    ("(x − μ)ᵀ(x − μ)/σ", "x: m, μ: m, σ: scalar"),
    ("X − α", "X: m×n, α: m×n"),
    ("X ⊙ α", "X: m×n, α: m×n"),
    ("(α + 1)X", "α: scalar, X: m×n"),
    ("WA + b", "W: m×n, A: n×p, b: m"),  # a bias: the vector b is added to every column
    ("Z + bᵀ", "Z: m×n, b: n"),  # and bᵀ to every row
    ("θᵀx", "θ: scalar, x: m"),  # nothing says θᵀx is a scalar; grad does (below)
]


@pytest.mark.parametrize("text, shapes", SHAPES, ids=[s for s, _ in SHAPES])
def test_shapes_come_from_use(text, shapes):
    e = mc.parse(text)
    assert str(e.shapes) == shapes
    assert mc.parse(text, shapes=str(e.shapes)) == e  # the text form is a declaration


def test_a_declared_scalar_is_broadcast_an_undeclared_greek_name_is_not():
    X = S("X", "m", "n")
    assert mc.parse("X − λ", shapes="λ: scalar") == t.sub(X, t.broadcast(S("λ"), X.shape))
    assert mc.parse("X − λ") == t.sub(X, S("λ", "m", "n"))
    assert mc.parse("x − 1") == t.sub(S("x", "m"), t.broadcast(t.Number(1), (m, t.ONE)))
    for e in (mc.parse("x − μ"), mc.parse("(x − μ)ᵀ(x − μ)"), mc.parse("x ⊙ (μ + 1)")):
        assert not any(isinstance(node, t.Broadcast) and node.arg.free_symbols for node in t.walk(e)), str(e)


def test_many_greek_names_are_read_from_use_in_a_few_readings():
    from matcalc.language.declarations import Declarations
    from matcalc.language.readings import Search
    from matcalc.language.syntax import syntax_tree

    text = " + ".join(f"(x − μ_{i})ᵀΣ⁻¹(x − μ_{i})" for i in range(60))
    decl = Declarations.build()
    search = Search(syntax_tree(text, decl), text, decl, None)
    inference = search.best()
    assert search.count <= 3
    assert all(inference.final(inference.symbols[f"μ_{i}"]) == (m, t.ONE) for i in range(60))
    e = mc.parse(text)
    assert all(text == "m" for name, text in e.shapes.items() if name != "Σ")


GRADIENTS = [
    # (f, wrt, printed gradient, the shapes of f as read for it)
    ("(x − μ)ᵀΣ⁻¹(x − μ)", "μ", "(Σ⁻¹ + Σ⁻ᵀ)(μ − x)", "x: m, μ: m, Σ: m×m"),
    ("(x − μ)ᵀΣ⁻¹(x − μ)", "Σ", "−Σ⁻ᵀ(x − μ)(x − μ)ᵀΣ⁻ᵀ", "x: m, μ: m, Σ: m×m"),
    ("(x − μ)ᵀΣ⁻¹(x − μ)", "x", "(Σ⁻¹ + Σ⁻ᵀ)(x − μ)", "x: m, μ: m, Σ: m×m"),
    ("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", "Σ", "Σ⁻ᵀ − Σ⁻ᵀ(x − μ)(x − μ)ᵀΣ⁻ᵀ", "Σ: m×m, x: m, μ: m"),
    ("(y − Xβ)ᵀΩ⁻¹(y − Xβ)", "β", "Xᵀ(Ω⁻¹ + Ω⁻ᵀ)(Xβ − y)", "y: m, X: m×k, β: k, Ω: m×m"),
    ("‖y − Xβ‖²", "β", "2Xᵀ(Xβ − y)", "y: m, X: m×k, β: k"),
    ("‖Xθ − y‖² + λ‖θ‖²", "θ", "2(Xᵀ(Xθ − y) + λθ)", "X: m×n, θ: n, y: m, λ: scalar"),
    ("‖Xθ − y‖² + λ‖θ‖²", "λ", "‖θ‖²", "X: m×n, θ: n, y: m, λ: scalar"),
    ("θᵀx", "θ", "x", "θ: m, x: m"),  # a scalar function: θ is a vector
    ("𝟙ᵀsoftplus(Xθ) − yᵀXθ", "θ", "Xᵀ(σ(Xθ) − y)", "X: m×n, θ: n, y: m"),
    ("σ(wᵀx + b)", "w", "(1 − σ(b + wᵀx))σ(b + wᵀx)x", "w: m, x: m, b: scalar"),  # b: a scalar bias
    ("σ(wᵀx + b)", "b", "(1 − σ(b + wᵀx))σ(b + wᵀx)", "w: m, x: m, b: scalar"),
    ("‖x − μ‖²/σ", "μ", "2(μ − x)/σ", "x: m, μ: m, σ: scalar"),
    ("‖x − μ‖²/σ", "σ", "−‖x − μ‖²/σ²", "x: m, μ: m, σ: scalar"),
    ("‖W₂tanh(W₁x + b₁) − y‖²", "b₁", NETWORK_ANSWERS["b₁"], "W₂: m×n, W₁: n×p, x: p, b₁: n, y: m"),
]


@pytest.mark.parametrize("f, wrt, answer, shapes", GRADIENTS, ids=[f"{f} wrt {w}" for f, w, _, _ in GRADIENTS])
def test_gradients_read_shapes_from_use(f, wrt, answer, shapes):
    d = mc.differential(f, wrt)
    assert str(d.gradient) == answer
    assert str(d.f.shapes) == shapes
    assert mc.check(f, wrt)
    assert mc.parse(answer, shapes=str(d.f.shapes)) == d.gradient
    assert mc.derive(f, wrt).gradient == d.gradient


def test_every_caller_that_needs_a_scalar_reads_it_so():
    assert str(mc.hessian("θᵀAθ", "θ")) == "A + Aᵀ"
    assert str(mc.solve("‖Xβ − y‖²", "β")) == "(XᵀX)⁻¹Xᵀy"
    assert str(mc.solve("‖Xβ − y‖² + λ‖β‖²", "β")) == "(XᵀX + λI)⁻¹Xᵀy"
    assert mc.check("θᵀAθ", "θ", expected="(A + Aᵀ)θ")
    assert str(mc.differential("θᵀx", "θ")) == "df = xᵀdθ"


def test_a_function_that_cannot_be_scalar_still_says_so():
    with pytest.raises(ShapeError, match="must be scalar"):
        mc.grad("Xw − y", "w")
    with pytest.raises(ShapeError, match="only a scalar function has a Hessian"):
        mc.hessian("Aθ", "θ")


AMBIGUOUS = [
    # (text, how it is used, the two readings)
    ("αβ + x", mc.parse, ["α: m, β: scalar", "α: scalar, β: m"]),
    ("x − αμ", mc.parse, ["α: m, μ: scalar", "α: scalar, μ: m"]),
    ("aᵀμν", lambda f: mc.grad(f, "a"), ["μ: m, ν: scalar", "μ: scalar, ν: m"]),
]


@pytest.mark.parametrize("text, use, readings", AMBIGUOUS, ids=[a[0] for a in AMBIGUOUS])
def test_two_readings_ask_for_a_declaration(text, use, readings):
    with pytest.raises(ShapeError) as info:
        use(text)
    message = str(info.value)
    assert "cannot be told from their use" in message and "declare" in message
    assert all(r in message for r in readings), message
    for reading in readings:  # either declaration chooses
        e = mc.parse(text, shapes=reading)
        assert all(e.shapes[name] == shape for name, shape in (d.split(": ") for d in reading.split(", ")))


def test_a_declaration_chooses_between_two_readings():
    assert str(mc.grad("aᵀμν", "a", shapes="μ: m, ν: scalar")) == "νμ"
    assert str(mc.grad("aᵀμν", "a", shapes="ν: m, μ: scalar")) == "μν"


def test_a_greek_name_that_cannot_take_a_shape_from_use_says_why():
    with pytest.raises(ShapeError) as info:  # μ would have to be both m×1 and n×1
        mc.parse("‖x − μ‖² + ‖y − μ‖²", shapes="x: m, y: n")
    assert "cannot add x (m×1) and μ (1×1): μ is not declared, so it is not broadcast" in str(info.value)
    assert "declare μ scalar" in str(info.value)
    assert mc.parse("‖x − μ‖² + ‖y − μ‖²", shapes="x: m, y: n, μ: scalar").is_scalar
    assert str(mc.parse("x − μ + x/μ").shapes) == "x: m, μ: scalar"  # x/μ: μ is a scalar by use


def test_errors_of_the_names_reading_are_unchanged_where_no_reading_works():
    with pytest.raises(ShapeError, match=r"cannot multiply x \(m×1\) by X \(n×k\)"):
        mc.parse("xX")
    with pytest.raises(ShapeError, match="only one side may be broadcast"):
        mc.parse("x + yᵀ")


# ---- Expr.shapes ------------------------------------------------------------------------------


def test_shapes_is_a_mapping_that_prints_as_declarations():
    e = mc.parse("‖W₂tanh(W₁x + b₁) − y‖² + λ‖W₁‖²_F")
    assert dict(e.shapes) == {"W_2": "m×n", "W_1": "n×p", "x": "p", "b_1": "n", "y": "m", "λ": "scalar"}
    assert str(e.shapes) == "W₂: m×n, W₁: n×p, x: p, b₁: n, y: m, λ: scalar"
    assert e.shapes["W₁"] == e.shapes["W_1"] == e.shapes["W1"] == "n×p"
    assert repr(e.shapes) == "Shapes('W₂: m×n, W₁: n×p, x: p, b₁: n, y: m, λ: scalar')"
    with pytest.raises(TypeError):
        e.shapes["x"] = "q"  # immutable
    assert mc.parse(str(e), shapes=str(e.shapes)) == e


def test_shapes_of_declared_and_integer_dimensions():
    e = mc.parse("aᵀXb", shapes="X: 3×4")
    assert str(e.shapes) == "a: 3, X: 3×4, b: 4"
    assert str(mc.parse("xᵀAx", shapes={"x": ("d",)}).shapes) == "x: d, A: d×d"
    assert str(t.Number(2).shapes) == ""


def test_shapes_text_reads_back_for_every_golden_function():
    from golden import ROWS

    for f, _, decl, _, _ in ROWS:
        e = mc.parse(f, **decl)
        assert mc.parse(f, shapes=str(e.shapes), domains=decl.get("domains"), functions=decl.get("functions")) == e, f
