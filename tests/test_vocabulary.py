"""The practitioner's words: more elementwise functions (log1p, expm1, erf, gelu, softsign,
cosh, sinh, arctan, logσ), each parsed, differentiated, printed, read back and checked against
central finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

import matcalc as mc
from matcalc.numeric import sample
from matcalc.numeric.check import KINK_MARGIN, kinks
from matcalc.simplify import simplify
from matcalc.simplify.rewriting import size
import matcalc.expr as t
from matcalc.interop import from_sympy
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


# ---- the softmax family ----------------------------------------------------------------------

SOFTMAX_GRADIENTS = [
    # softmax cross-entropy, one sample: with y on the simplex, and without
    ("−yᵀlog(softmax(Wx))", "W", {"domains": "y: probability"}, "(softmax(Wx) − y)xᵀ"),
    ("−yᵀlog_softmax(Wx)", "W", {"domains": "y: onehot"}, "(softmax(Wx) − y)xᵀ"),
    ("−yᵀlog(softmax(Wx))", "W", {}, "((𝟙ᵀy)softmax(Wx) − y)xᵀ"),
    ("−yᵀlogsoftmax(z)", "z", {}, "(𝟙ᵀy)softmax(z) − y"),
    # a batch, one sample per row of X and of Y
    ("−sum(Y ⊙ logsoftmax(XW))", "W", {"domains": "Y: probability"}, "Xᵀ(softmax(XW) − Y)"),
    ("−sum(Y ⊙ logsoftmax(XW))", "W", {}, "Xᵀ((Y𝟙𝟙ᵀ) ⊙ softmax(XW) − Y)"),
    # log-sum-exp
    ("logsumexp(z)", "z", {}, "softmax(z)"),
    ("logsumexp(z) − yᵀz", "z", {}, "softmax(z) − y"),
    ("𝟙ᵀlogsumexp(X)", "X", {}, "softmax(X)"),
    ("aᵀsoftmax(z)", "z", {}, "(diag(softmax(z)) − softmax(z)softmax(z)ᵀ)a"),
]


@pytest.mark.parametrize("f, wrt, decl, printed", SOFTMAX_GRADIENTS, ids=[f"{r[0]} wrt {r[1]} {r[2]}" for r in SOFTMAX_GRADIENTS])
def test_softmax_gradients_are_the_textbook_ones_and_check(f, wrt, decl, printed):
    assert str(mc.grad(f, wrt, **decl)) == printed
    assert mc.check(f, wrt, **decl).ok
    assert mc.check(f, wrt, printed, **decl).ok


def test_the_softmax_jacobian_is_diag_s_minus_s_s_transpose():
    j = mc.jacobian("softmax(z)", "z")
    assert str(j) == "diag(softmax(z)) − softmax(z)softmax(z)ᵀ"
    assert j.check().ok
    j = mc.jacobian("logsoftmax(z)", "z")
    assert str(j) == "I − 𝟙softmax(z)ᵀ"
    assert j.check().ok
    assert mc.jacobian("softmax(X)", "X").check().ok  # row by row


def test_the_log_sum_exp_and_multinomial_logistic_hessians():
    h = mc.hessian("logsumexp(z)", "z")
    assert str(h) == "diag(softmax(z)) − softmax(z)softmax(z)ᵀ"
    assert h.check().ok
    h = mc.hessian("−yᵀlog(softmax(Wx))", "x", domains="y: probability")
    assert str(h) == "Wᵀ(diag(softmax(Wx)) − softmax(Wx)softmax(Wx)ᵀ)W"
    assert h.check().ok


def test_the_softmax_words_parse_print_and_read_back():
    z, X = t.symbol("z", "m"), t.symbol("X", "m", "n")
    assert mc.parse("softmax(z)") == t.Softmax(z)
    assert mc.parse("logsoftmax(z)") == mc.parse("log_softmax(z)") == mc.parse("log(softmax(z))") == t.LogSoftmax(z)
    assert mc.parse("logsumexp(z)") == t.LogSumExp(z) and t.LogSumExp(z).shape == t.SCALAR
    assert mc.parse("logsumexp(X)").shape == (t.dim("m"), t.ONE)  # row by row
    for e in (t.Softmax(X), t.LogSoftmax(z), t.LogSumExp(X)):
        assert mc.parse(str(e)) == e
    assert t.Softmax(X).latex() == r"\operatorname{softmax}\left(X\right)"
    assert t.LogSoftmax(z).latex() == r"\log\operatorname{softmax}\left(z\right)"


def test_softmax_evaluates_stably_row_by_row():
    big = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0]])
    s = mc.parse("softmax(X)").evaluate({"X": big})
    assert np.allclose(s.sum(axis=1), 1.0) and np.allclose(s[1], 1 / 3)
    lse = mc.parse("logsumexp(X)").evaluate({"X": big})
    assert np.allclose(lse, [1001.0 + np.log(1 + np.exp(-1) + np.exp(-2)), -1000.0 + np.log(3)])
    z = np.array([3.0, -1.0, 800.0])
    assert np.allclose(mc.parse("logsoftmax(z)").evaluate({"z": z}), z - 800.0 - np.log1p(np.exp(-797) + np.exp(-801)))
    assert np.isclose(mc.parse("logsumexp(z)").evaluate({"z": z}), 800.0)


def test_a_probability_is_sampled_on_the_simplex():

    values = sample([mc.parse("yᵀx + sum(Y)", domains="y: probability, Y: onehot")], seed=3)
    assert np.all(values["y"] >= 0) and np.isclose(values["y"].sum(), 1.0)
    assert np.all(values["Y"] >= 0) and np.allclose(values["Y"].sum(axis=1), 1.0)


def test_the_softmax_derivation_names_its_rule():
    steps = str(mc.derive("logsumexp(z)", "z"))
    assert "d logsumexp(z) = softmax(z)ᵀdz" in steps
    steps = str(mc.derive("aᵀsoftmax(z)", "z"))
    assert "d softmax(z) = (diag(s) − ssᵀ)dz" in steps


# ---- attention: the three backward passes of softmax(QKᵀ/√d)V -------------------------------

ATTENTION = "Q: n×d, K: n×d, V: n×d_v, G: n×d_v"
P = "softmax(QKᵀ/√d)"
ATTENTION_PASSES = [
    ("V", f"{P}ᵀG"),  # dV = PᵀdO
    ("Q", f"((GVᵀ − diag(GVᵀ{P}ᵀ)𝟙ᵀ) ⊙ {P})K/√d"),  # dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS K/√d
    ("K", f"((VGᵀ − 𝟙diag(GVᵀ{P}ᵀ)ᵀ) ⊙ {P}ᵀ)Q/√d"),  # dK = dSᵀQ/√d
]


@pytest.mark.parametrize("wrt, printed", ATTENTION_PASSES, ids=[r[0] for r in ATTENTION_PASSES])
def test_the_attention_backward_passes_are_those_of_the_papers(wrt, printed):
    v = mc.vjp("softmax(QKᵀ/√d)V", wrt, shapes=ATTENTION)
    assert str(v) == printed
    f = "tr(Gᵀsoftmax(QKᵀ/√d)V)"
    assert mc.check(f, wrt, shapes=ATTENTION).ok
    assert mc.check(f, wrt, printed, shapes=ATTENTION).ok


# ---- statistics and dimensions as numbers ---------------------------------------------------

LAYER_NORM = "(x − mean(x))/√(var(x) + ε)"


def test_a_declared_dimension_is_a_number():
    n = t.dim("n")
    assert mc.parse("𝟙ᵀx/n", shapes="x: n") == t.scale(t.Number(1 / n), mc.parse("𝟙ᵀx", shapes="x: n"))
    assert mc.parse("√d", shapes="Q: n×d") == t.Apply("sqrt", t.Number(t.dim("d")))
    assert mc.parse("n", shapes="n: scalar, x: n").free_symbols  # a declared symbol stays a symbol
    x = np.array([1.0, 2.0, 6.0])
    assert np.isclose(mc.parse("𝟙ᵀx/n", shapes="x: n").evaluate({"x": x}), 3.0)


def test_mean_var_std_of_a_vector_and_row_by_row():
    x, X = np.array([1.0, 2.0, 6.0]), np.array([[1.0, 2.0, 6.0], [0.0, 0.0, 3.0]])
    assert mc.parse("mean(x)").shape == t.SCALAR and mc.parse("mean(X)").shape == (t.dim("m"), t.ONE)
    assert np.isclose(mc.parse("mean(x)").evaluate({"x": x}), 3.0)
    assert np.isclose(mc.parse("var(x)").evaluate({"x": x}), np.var(x))
    assert np.allclose(mc.parse("std(X)").evaluate({"X": X}), np.std(X, axis=1))
    assert np.allclose(mc.parse("mean(X)").evaluate({"X": X}), [3.0, 1.0])
    for text in ("mean(x)", "var(X)", "std(x)", LAYER_NORM):
        e = mc.parse(text, shapes="x: n, ε: scalar")
        assert mc.parse(str(e), shapes="x: n, ε: scalar") == e
    assert mc.parse("var(X)").latex() == r"\operatorname{var}\left(X\right)"


STATISTICS = [
    ("mean(x)", "x", "x: n", "𝟙_n/n"),
    ("𝟙ᵀx/n", "x", "x: n", "𝟙_n/n"),
    ("var(x)", "x", "x: n", "2(x − mean(x))/n"),
    ("std(x)", "x", "x: n", "(x − mean(x))/n/std(x)"),
    ("aᵀvar(X)", "X", "X: m×n", "2((a𝟙ᵀ) ⊙ (X − mean(X)𝟙ᵀ))/n"),
    ("aᵀstd(X)", "X", "X: m×n", "(((a ⊘ std(X))𝟙ᵀ) ⊙ (X − mean(X)𝟙ᵀ))/n"),
    ("sum(mean(X))", "X", "X: m×n", "𝟙_m𝟙_nᵀ/n"),
]


@pytest.mark.parametrize("f, wrt, shapes, printed", STATISTICS, ids=[r[0] for r in STATISTICS])
def test_statistics_gradients_check(f, wrt, shapes, printed):
    assert str(mc.grad(f, wrt, shapes=shapes)) == printed
    assert mc.check(f, wrt, shapes=shapes).ok
    assert mc.check(f, wrt, printed, shapes=shapes).ok


def test_layer_norm_jacobian_and_vjp():
    """With x̂ = (x − μ)/σ, σ = √(var(x) + ε): J = (I − 𝟙𝟙ᵀ/n − x̂x̂ᵀ/n)/σ and
    vjp = (g − mean(g)𝟙 − mean(g ⊙ x̂)x̂)/σ, written with x − μ and σ² = var(x) + ε."""
    decl = "x: n, ε: scalar"
    j = mc.jacobian(LAYER_NORM, "x", shapes=decl)
    assert str(j) == "(I_n − 1/n − (x − mean(x))(x − mean(x))ᵀ/n/(var(x) + ε))/√(var(x) + ε)"
    assert j.check().ok
    v = mc.vjp(LAYER_NORM, "x", shapes=decl)
    assert str(v) == "((Gᵀ(mean(x) − x))(x − mean(x))/n/(var(x) + ε) + G − mean(G))/√(var(x) + ε)"
    assert mc.check(f"Gᵀ{LAYER_NORM}", "x", v, shapes=decl + ", G: n").ok
    # the textbook form in x̂, evaluated against the printed one
    rng = np.random.default_rng(3)
    x, g, eps = rng.standard_normal(5), rng.standard_normal(5), 0.1
    sigma = np.sqrt(np.var(x) + eps)
    xhat = (x - x.mean()) / sigma
    textbook_j = (np.eye(5) - np.ones((5, 5)) / 5 - np.outer(xhat, xhat) / 5) / sigma
    textbook_v = (g - g.mean() - np.mean(g * xhat) * xhat) / sigma
    assert np.allclose(j.evaluate({"x": x, "ε": eps}), textbook_j)
    assert np.allclose(v.evaluate({"x": x, "ε": eps, "G": g}), textbook_v)


def test_the_rules_behind_the_short_layer_norm_forms():
    """(√s)² = s, s𝟙 in a sum is s broadcast, 𝟙ᵀx/n = mean(x): each keeps the value and never
    makes the tree larger."""

    rng = np.random.default_rng(4)
    values = {"x": rng.standard_normal(4), "a": 0.7, "G": rng.standard_normal(4)}
    for text, printed in [("(√(a² + 1))²", "1 + a²"), ("x − a𝟙", "x − a"), ("𝟙ᵀG/n", "mean(G)"), ("G − (𝟙ᵀG)𝟙/n", "G − mean(G)"),
                          ("(x − a𝟙)(xᵀ − a𝟙ᵀ)", "(x − a)(x − a)ᵀ")]:
        e = mc.parse(text, shapes="x: n, G: n, a: scalar")
        out = simplify(e)
        assert str(out) == printed and size(out) <= size(e)
        assert np.allclose(out.evaluate(values), e.evaluate(values))


def test_the_statistics_derivations_name_their_rules():
    assert "d var(x) = 2(x − mean(x)𝟙)ᵀdx/n" in str(mc.derive("var(x)", "x"))
    assert "d mean(x) = 𝟙ᵀdx/n" in str(mc.derive("mean(x)", "x"))


# ---- kinks: max and min, with the subgradient of step -----------------------------------------

KINKS = [
    # the hinge loss of the SVM
    ("sum(max(0, 1 − y ⊙ (Xw)))", "w", "𝟙ᵀrelu(1 − (y ⊙ (Xw)))", "−Xᵀ(y ⊙ step(1 − (y ⊙ (Xw))))"),
    # ReLU written as max
    ("𝟙ᵀmax(0, Wx)", "W", "𝟙ᵀrelu(Wx)", "step(Wx)xᵀ"),
    ("sum(max(X, 0))", "X", "𝟙ᵀrelu(X)𝟙", "step(X)"),
    ("sum(min(0, X))", "X", "−𝟙ᵀrelu(−X)𝟙", "step(−X)"),
    ("sum(min(X, Y))", "X", "𝟙ᵀ(X − relu(X − Y))𝟙", "1 − step(X − Y)"),
    ("𝟙ᵀmax(x, α)", "x", "𝟙ᵀ(x + relu(α − x))", "1 − step(α − x)"),  # a scalar broadcast
]


@pytest.mark.parametrize("f, wrt, read, printed", KINKS, ids=[r[0] for r in KINKS])
def test_max_and_min_are_read_with_relu_and_differentiated_with_step(f, wrt, read, printed):
    assert str(mc.parse(f)) == read
    assert str(mc.grad(f, wrt)) == printed
    report = mc.check(f, wrt)
    assert report.ok and "away from the kinks of relu" in str(report)


def test_max_evaluates_as_numpy_does():
    X, Y = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[0.0, 1.0], [2.0, -1.0]])
    assert np.allclose(mc.parse("max(X, Y)").evaluate({"X": X, "Y": Y}), np.maximum(X, Y))
    assert np.allclose(mc.parse("min(X, Y)").evaluate({"X": X, "Y": Y}), np.minimum(X, Y))
    assert np.allclose(mc.parse("max(X, 1)").evaluate({"X": X}), np.maximum(X, 1.0))


def test_a_check_keeps_its_points_away_from_kinks():

    f = mc.parse("sum(relu(X − Y))")
    report = mc.check("sum(relu(X − Y))", "X", trials=5)
    assert report.ok and report.kinks == ("relu", "step")
    values = report.point
    assert np.min(np.abs(values["X"] - values["Y"])) >= KINK_MARGIN
    assert [n.name for n in kinks([f])] == ["relu"]
    assert "kinks" not in str(mc.check("aᵀXb", "X"))


MAX_NORM = ["‖x‖_∞", "‖x‖_{∞}", "‖x‖_inf", "||x||_inf", "‖x‖_{\\infty}", "norm_inf(x)"]


@pytest.mark.parametrize("text", MAX_NORM)
def test_the_max_norm_parses_prints_and_reads_back(text):
    e = mc.parse(text)
    assert e == t.Norm(t.symbol("x", "m"), t.INF) and str(e) == "‖x‖_∞"
    assert e.latex() == r"\left\lVert x \right\rVert_\infty"
    assert mc.parse(str(e)) == e
    assert np.isclose(e.evaluate({"x": np.array([1.0, -3.0, 2.0])}), 3.0)


def test_the_max_norm_of_a_row_is_of_its_transpose_and_of_a_matrix_is_refused():
    assert mc.parse("‖xᵀ‖_∞") == mc.parse("‖x‖_∞")
    with pytest.raises(mc.UnsupportedError, match=r"max-norm of a vector.*write ‖vec\(X\)‖_∞"):
        mc.parse("‖X‖_∞")
    assert np.isclose(mc.parse("‖vec(X)‖_∞").evaluate({"X": np.array([[1.0, -5.0], [2.0, 0.0]])}), 5.0)


MAX_NORM_GRADIENTS = [
    ("‖x‖_∞", "x", "sign(x) ⊙ (1 − step(‖x‖_∞ − abs(x)))"),
    ("‖Ax − b‖_∞", "x", "Aᵀ(sign(Ax − b) ⊙ (1 − step(‖Ax − b‖_∞ − abs(Ax − b))))"),
    ("‖Ax − b‖_∞", "A", "(sign(Ax − b) ⊙ (1 − step(‖Ax − b‖_∞ − abs(Ax − b))))xᵀ"),
]


@pytest.mark.parametrize("f, wrt, printed", MAX_NORM_GRADIENTS, ids=[r[0] + " " + r[1] for r in MAX_NORM_GRADIENTS])
def test_the_max_norm_subgradient_is_sign_at_the_arg_max_and_checks_away_from_ties(f, wrt, printed):
    g = mc.grad(f, wrt)
    assert str(g) == printed and mc.parse(printed) == g
    report = mc.check(f, wrt, trials=5)
    assert report.ok and "‖·‖_∞ (ties of the largest |xᵢ|)" in str(report)
    assert not mc.check(f, wrt, printed.replace("1 − step", "step")).ok  # the indicator matters
    assert "d‖x‖_∞ = sign(x_k)dx_k" in str(mc.derive(f, wrt))


def test_the_max_norm_gradient_is_sign_x_k_e_k():
    x = np.array([0.5, -3.0, 2.0, 1.0])
    assert np.array_equal(mc.grad("‖x‖_∞", "x").evaluate({"x": x}), [0.0, -1.0, 0.0, 0.0])
    assert mc.jacobian("‖x‖_∞x", "x").check().ok
    v = mc.vjp("‖x‖_∞", "x")
    assert str(v) == "G(sign(x) ⊙ (1 − step(‖x‖_∞ − abs(x))))"
    assert mc.check("G‖x‖_∞", "x", v, shapes="G: scalar").ok


def test_a_check_redraws_points_at_a_tie_of_the_max_norm():

    report = mc.check("‖x‖_∞", "x", trials=8)
    top = np.sort(np.abs(report.point["x"]))[::-1]
    assert top[0] - top[1] >= KINK_MARGIN * max(1.0, top[0])
    assert mc.parse("‖x‖_∞").to_sympy().args[1] == sympy.oo
    assert from_sympy(mc.parse("‖x‖_∞").to_sympy()) == mc.parse("‖x‖_∞")


def test_max_needs_two_operands_of_one_shape():
    with pytest.raises(mc.ShapeError, match="maximum"):
        mc.parse("max(A, B)", shapes="A: 2×3, B: 3×2")
    with pytest.raises(mc.ParseError, match="max takes 2 arguments"):
        mc.parse("max(x)")


@pytest.mark.parametrize("f", ["‖Ax − b‖² + λ·mean(x)²", "‖x − y‖² + var(x)"])
def test_solve_with_statistics(f):
    x = mc.solve(f, "x", shapes="λ: scalar, x: n")
    assert "mean(0" not in str(x)
    e = mc.parse(f, shapes="λ: scalar, x: n")
    rng = np.random.default_rng(1)
    values = {"A": rng.standard_normal((5, 3)), "b": rng.standard_normal(5), "y": rng.standard_normal(3), "λ": 0.7}
    values = {s.name: values[s.name] for s in e.free_symbols if s.name != "x"}
    x_star = x.evaluate(values, dims={"n": 3, "m": 5})
    g = mc.grad(f, "x", shapes="λ: scalar, x: n").evaluate({**values, "x": x_star})
    assert np.allclose(g, 0.0, atol=1e-9)
