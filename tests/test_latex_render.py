"""Every LaTeX string matcalc prints renders in MathJax, the renderer Jupyter uses.

The strings are rendered by the real renderer (mathjax-full under node, see latex_render.py),
not matched by a pattern: an undefined command, a missing argument, an unbalanced brace or a
misplaced ``&`` fails the test with MathJax's own message.  Sources: the Matrix Cookbook table
(test_cookbook.py), the worked examples (test_seeds.py), a table covering every operator,
function and name form of docs/language.md, and random expressions (strategies.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

import matcalc as mc
from latex_render import assert_renders, mathjax, render_errors  # noqa: F401  (mathjax: fixture)
from strategies import expressions
from test_cookbook import ROWS
from test_seeds import EXAMPLES

# ---- the harness can fail ------------------------------------------------------------------

BAD = {
    r"\frac{a}": "Missing argument for \\frac",
    r"\undefinedmacro x": "Undefined control sequence \\undefinedmacro",
    r"{a + b": "missing close brace",
    r"a + b}": "missing open brace",
    r"\left( a": "Extra \\left or missing \\right",
    r"a & b": "Misplaced &",
    r"x^{a}^{b}": "Double exponent",
    r"\operatorname{tr}\left(A\right": "Missing or unrecognized delimiter",
}

GOOD = [
    r"\frac{a}{b}",
    r"\operatorname{tr}\left(A^{\top}X\right) + \left\lVert x \right\rVert_F^{2}",
    r"\mathbf{1}^{\top}\left(A \odot B \oslash C\right) \otimes \nabla f\left(X\right)",
    r"\begin{align*} f &= \operatorname{tr}\left(AX\right) \\ \mathrm{d}f &= \operatorname{tr}\left(A\,\mathrm{d}X\right) \end{align*}",
]


def test_renderer_rejects_bad_tex_with_mathjax_message():
    errors = render_errors(list(BAD))
    for (tex, message), error in zip(BAD.items(), errors):
        assert error is not None, f"MathJax accepted {tex}"
        assert message in error, (tex, error)


def test_renderer_accepts_good_tex(mathjax):
    assert mathjax(GOOD) == [None] * len(GOOD)


def test_renderer_keeps_the_order_of_a_large_batch(mathjax):
    texs = [rf"x_{{{i}}}" if i % 7 else rf"x_{{{i}}} \bad" for i in range(700)]
    errors = mathjax(texs)
    assert [e is None for e in errors] == [bool(i % 7) for i in range(700)]
    assert "Undefined control sequence \\bad" in errors[693]


def test_assert_renders_names_the_rejected_string():
    with pytest.raises(AssertionError, match=r"(?s)source text: \\frac\{x\}.*Missing argument"):
        assert_renders([r"\frac{x}{y}", r"\frac{x}"], labels=["fine", "source text"])


# ---- a table over the whole language (docs/language.md) -------------------------------------

SQ = {"shapes": {"X": ("n", "n")}}
G = {"functions": {"g": "elementwise"}}
F = {"functions": {"f": "scalar"}}
POS = {"domains": {"x": "positive", "X": "positive"}}
SPD = {"domains": {"Σ": "spd", "X": "spd"}}


def case(f: str, wrt: str, **decl):
    return pytest.param(f, wrt, decl, id=f"{f} wrt {wrt}")


LANGUAGE = [
    # sums, signs, products, scalars, numbers
    case("aᵀx + bᵀx − cᵀx", "x"),
    case("−aᵀXb", "X"),
    case("+aᵀXb", "X"),
    case("aᵀ(X + Y)b − 3aᵀYb", "X"),
    case("aᵀ*X*b", "X"),
    case("aᵀ·X·b", "X"),
    case("½xᵀx + ⅓aᵀx + ¼bᵀx", "x"),
    case("0.5 xᵀAx + 1/3 aᵀx", "x"),
    case("(2/7)tr(X)", "X", **SQ),
    case("tr(X)/2 + tr(X)/λ", "X", **SQ),
    case("λ‖x‖² + μ aᵀx", "x"),
    case("αβ tr(AX)", "X"),
    case("x^3 + x³ + x^-1", "x", shapes={"x": ()}),
    case("(aᵀx)^(1/2) + (bᵀx)^{3/2}", "x", domains={"a": "positive", "b": "positive", "x": "positive"}),
    case("(aᵀXb)(cᵀXd)", "X"),
    case("(xᵀAx)/(xᵀx)", "x"),
    # transposes, inverses, matrix powers
    case("aᵀXᵀb + a'X'b + a^T X^T b + a.T X.T b + aᵀX^⊤b", "X"),
    case("aᵀX⁻¹b + aᵀinv(X)b + aᵀX^-1 b + aᵀX^{-1}b", "X"),
    case("aᵀX⁻ᵀb + aᵀX^{-T}b", "X"),
    case("tr(X² + X^3 + X⁻² + A^0 X)", "X", **SQ),
    case("tr((A⁻¹)ᵀX) + tr(Xᵀ²)", "X", **SQ),
    case("tr((XᵀX)⁻¹)", "X", shapes={"X": (5, 3)}),
    # Hadamard, Kronecker, elementwise powers, broadcasting
    case("sum(X ⊙ A) + sum(X ∘ B) + sum(X .* C)", "X"),
    case("sum(A ⊘ X) + sum(B ./ X)", "X", **POS),
    case("tr(A ⊗ X) + tr(kron(X, B))", "X", **SQ),
    case("sum(X.^2) + sum(X^{∘3}) + sum(X.^(1/2))", "X", **POS),
    case("sum((AX) ⊙ (XB))", "X", **SQ),
    case("‖C + bᵀ‖²_F", "b", shapes={"C": ("m", "n"), "b": ("n",)}),
    case("‖C + b‖²_F", "b", shapes={"C": ("m", "n"), "b": ("m",)}),
    case("‖X + λ‖²_F", "λ"),
    # traces, determinants, log-determinants, adjugates
    case("tr AXB + trace(X)", "X", **SQ),
    case("det(X) + |X| + det X", "X"),
    case("logdet(X) + log det(Σ) + log det Σ + log(det(X))", "X", **SPD),
    case("log(|det(X)|)", "X", domains={"X": "invertible"}),
    case("tr(adj(X)) + aᵀadj(X)b", "X"),
    case("log det(Σ) + (x − μ)ᵀΣ⁻¹(x − μ)", "Σ", shapes={"μ": ("n",)}, domains={"Σ": "spd"}),
    case("log det(Σ) + (x − m)ᵀΣ⁻¹(x − m)", "m", domains={"Σ": "spd"}),
    # diag, vec, sum, ones, identity
    case("aᵀdiag(x)b + 𝟙ᵀdiag(X)", "x", shapes={"X": ("n", "n"), "x": ("n",)}),
    case("vec(X)ᵀvec(A) + sum(X) + 𝟙ᵀX𝟙 + onesᵀX ones", "X", shapes={"X": ("m", "n"), "A": ("m", "n")}),
    case("tr(IX) + aᵀ(X + I)b", "X", **SQ),
    # norms
    case("‖x‖ + ‖x‖₂ + ‖x‖_2 + norm2(x)", "x"),
    case("‖X‖_F + ‖X‖ + norm2(X)", "X"),
    case("‖X‖²_F + ‖X‖_F^2 + ‖x‖²", "X"),
    case("‖x‖₁ + ‖x‖_1 + norm1(x)", "x"),
    case("‖x − a‖₂", "x"),
    case("‖ ‖x‖y − z ‖", "x"),
    # elementwise functions
    case("𝟙ᵀexp(x) + 𝟙ᵀsin(x) + 𝟙ᵀcos(x) + 𝟙ᵀtan(x) + 𝟙ᵀtanh(x)", "x"),
    case("𝟙ᵀlog(x) + 𝟙ᵀsqrt(x) + 𝟙ᵀ√x + 𝟙ᵀ√(x + a)", "x", domains={"x": "positive", "a": "positive"}),
    case("𝟙ᵀsigmoid(x) + 𝟙ᵀσ(x) + 𝟙ᵀsoftplus(x)", "x"),
    case("𝟙ᵀrelu(x) + 𝟙ᵀabs(x) + 𝟙ᵀsign(x) + 𝟙ᵀstep(x)", "x"),
    case("|aᵀx| + exp(aᵀx) + log(exp(bᵀx))", "x"),
    case("sum(tanh(XW)^{∘2}) + sum(σ(X).^3)", "W"),
    case("‖tanh(XW) − Y‖²_F", "W"),
    case("tr(σ(WX)ᵀMσ(WX))", "X", domains={"M": "symmetric"}),
    # user functions
    case("sum(g(X)) + sum(g′(X)) + sum(g″(X))", "X", **G),
    case("‖g(XW) − Y‖²_F", "W", **G),
    case("f(WX) + f(x)", "W", **F),
    case("sum(h(X))", "X", functions={"h": "x**3 + sin(x)"}),
    # names: Greek, ASCII Greek, subscripts, digits, primes, multi-letter declared names
    case("α aᵀx + beta bᵀx + lambda xᵀx + Sigma_1 + σ", "x", shapes={"Sigma_1": (), "σ": ()}),
    case("‖W_{out}h − y‖² + ‖W_1 h‖² + ‖W₂h‖² + ‖W3 h‖²", "h"),
    case("x_iᵀx_j + x′ᵀx″ + x_{ij}ᵀa", "x_i"),
    case("Γᵀ tr(ΔX) + ω ‖Ω‖²_F", "X", shapes={"Γ": (), "ω": ()}),
    case("tr(DR) + tr(WeightX)", "X", shapes={"DR": ("n", "n"), "Weight": ("n", "n")}),
    case("aᵀXb + ψ_{kl} + θ_2", "X", shapes={"ψ_{kl}": (), "θ_2": ()}),
    case("dᵀx + aᵀXd", "x"),
    case("tr(X1ᵀX2) + tr(A_iX1)", "X1"),
]

SEED_CASES = [pytest.param(f, wrt, decl, id=p.id) for p in EXAMPLES for f, wrt, _, decl in [p.values]]
COOKBOOK_CASES = [pytest.param(f, wrt, decl, id=p.id) for p in ROWS for f, wrt, _, decl in [p.values]]


def _latex_forms(f: str, wrt: str, decl: dict) -> tuple[list[str], list[str]]:
    """(labels, texs): the LaTeX of f, of its gradient and of its differential."""
    d = mc.differential(f, wrt, **decl)
    texs = [mc.parse(f, **decl).latex(), mc.grad(f, wrt, **decl).latex(), d.latex(), d.df.latex()]
    labels = [f"{f}", f"∂/∂{wrt} {f} = {d.gradient}", f"d({f})", f"raw d({f})"]
    return labels, texs


def test_language_table_is_broad():
    assert len(LANGUAGE) >= 60
    assert len(COOKBOOK_CASES) + len(SEED_CASES) + len(LANGUAGE) >= 140


@pytest.mark.parametrize("f, wrt, decl", LANGUAGE + COOKBOOK_CASES + SEED_CASES)
def test_latex_renders(f, wrt, decl):
    labels, texs = _latex_forms(f, wrt, decl)
    assert_renders(texs, labels)


def test_jupyter_forms_render(mathjax):
    """_repr_latex_ is $…$ around .latex(): the inner text is what MathJax reads."""
    e = mc.grad("aᵀexp(Xb)", "X")
    d = mc.differential("aᵀexp(Xb)", "X")
    for shown, tex in [(e._repr_latex_(), e.latex()), (d._repr_latex_(), d.latex())]:
        assert shown == f"${tex}$"
    assert mathjax([e.latex(), d.latex()]) == [None, None]


def test_sigmoid_and_a_symbol_sigma_print_apart():
    """With σ a scalar symbol, \\sigma\\left(x\\right) would read as σ times (x): the sigmoid is spelled out."""
    e = mc.parse("σ xᵀx + 𝟙ᵀsigmoid(x)", shapes={"σ": ()})
    assert e.latex() == r"\sigma x^{\top}x + \mathbf{1}^{\top}\operatorname{sigmoid}\left(x\right)"
    assert mc.parse("𝟙ᵀσ(x)").latex() == r"\mathbf{1}^{\top}\sigma\left(x\right)"
    assert render_errors([e.latex()]) == [None]


# ---- random expressions ---------------------------------------------------------------------


@settings(max_examples=100)
@given(expressions())
def test_random_expression_latex_renders(case):
    f, wrt, shapes, domains = case
    d = mc.differential(f, wrt)
    texs = [f.latex(), d.gradient.latex(), d.latex()]
    assert_renders(texs, [str(f), f"∂/∂{wrt.name} = {d.gradient}", "differential"])


# ---- every other LaTeX output: the golden table, Jacobians, Hessians, vjp, solve ------------


@pytest.mark.slow
def test_golden_gradients_and_differentials_render(mathjax):
    from golden import ROWS as GOLDEN

    texs, labels = [], []
    for f, wrt, decl, *_ in GOLDEN:
        d = mc.differential(f, wrt, **decl)
        texs += [mc.parse(f, **decl).latex(), d.gradient.latex(), d.latex()]
        labels += [f"{f}", f"∂/∂{wrt} {f}", f"d({f})"]
    assert_renders(texs, labels)


def test_jacobians_hessians_and_backprop_rules_render(mathjax):
    from test_hessian import CASES as HESSIANS
    from test_jacobian import CASES as JACOBIANS, FUNCTIONS
    from test_solve import CASES as SOLVED
    from test_vjp import ALL as VJPS

    texs, labels = [], []
    for F, wrt, *_ in JACOBIANS:
        for layout in ("numerator", "denominator"):
            texs.append(mc.jacobian(F, wrt, layout=layout, functions=FUNCTIONS).latex())
            labels.append(f"∂vec({F})/∂vec({wrt}) {layout}")
    for f, wrt, decl, _ in HESSIANS:
        texs.append(mc.hessian(f, wrt, **decl).latex())
        labels.append(f"hessian {f}")
    for F, wrt, upstream, decl, _ in VJPS:
        texs.append(mc.vjp(F, wrt, upstream=upstream, **decl).latex())
        labels.append(f"vjp {F} wrt {wrt}")
    for f, wrt, decl, _ in SOLVED:
        texs.append(mc.solve(f, wrt, **decl).latex())
        labels.append(f"solve {f}")
    assert len(texs) > 100
    assert_renders(texs, labels)
