"""The parser: every spelling of SPEC §2 gives one tree, names, declarations and shapes."""

from __future__ import annotations

import pytest
import sympy

from matcalc import expr as t
from matcalc.errors import ParseError, ShapeError
from matcalc.expr.parse import canonical_name, parse, parse_declarations


def S(name, rows=1, cols=1, assumptions=()):
    return t.symbol(name, rows, cols, assumptions)


def N(value):
    return t.Number(sympy.sympify(value))


def D(name):
    return t.dim(name)


# Undeclared symbols as the parser names them in a two-letter expression such as "AB".
A, B = S("A", "m", "n"), S("B", "m", "n")
A_sq = S("A", "m", "m")
x, y = S("x", "m"), S("y", "m")

# ---- SPEC §2: each row, ASCII and Unicode spellings, one tree -------------------------------

ROWS = [
    # (spellings, declarations, expected tree)
    (["A*B", "AB", "A·B", "A B", "A⋅B"], None, t.matmul(A, S("B", "n", "p"))),
    (["A'", "A^T", "A.T", "Aᵀ", "A^⊤", "A^{T}", "A’"], None, t.transpose(A)),
    (["inv(A)", "A^-1", "A^{-1}", "A⁻¹", "A^(-1)", "A^−1"], None, t.inverse(A_sq)),
    (["inv(A')", "inv(A^T)", "A^-T", "A^{-T}", "A⁻ᵀ", "(A^T)^-1", "A'^-1"], None, t.inverse(t.transpose(A_sq))),
    (["A^2", "A^{2}", "A²", "A^(2)"], None, t.matpow(A_sq, 2)),
    (["A^-2", "A⁻²", "inv(A)^2", "A^{-2}"], None, t.matpow(t.inverse(A_sq), 2)),
    (["x^3", "x³", "x^{3}"], {"x": ()}, t.power(S("x"), 3)),
    (["A.*B", "A ⊙ B", "A ∘ B"], None, t.hadamard(A, B)),
    (["A./B", "A ⊘ B"], None, t.HadamardDiv(A, B)),
    (["A.^2", "A^{∘2}", "A .^ 2", "A^{⊙2}"], None, t.hadamard_pow(A, 2)),
    (["A.^(1/2)", "A^{∘(1/2)}", "A.^0.5", "A.^½"], None, t.hadamard_pow(A, sympy.Rational(1, 2))),
    (["kron(A,B)", "A ⊗ B", "kron(A, B)"], None, t.Kron(A, S("B", "k", "p"))),
    (["A/2", "½A", "0.5A", "(1/2)A", "1/2 A", "0.5*A", "A*0.5"], None, t.scale(N("1/2"), A)),
    (["A/c"], {"c": ()}, t.scale(t.power(S("c"), -1), A)),
    (["A - B", "A − B", "A + -B", "A + (−B)"], None, t.sub(A, B)),
    (["-A", "−A", "-(A)", "--−A"], None, t.neg(A)),
    (["tr(A)", "trace(A)", "tr A", "trace A", "tr (A)"], None, t.trace(A_sq)),
    (["det(A)", "|A|", "det A"], None, t.Det(A_sq)),
    (["logdet(A)", "log det A", "log det(A)", "log(det(A))", "log(|A|)"], None, t.LogDet(A_sq)),
    (["adj(A)"], None, t.Adj(A_sq)),
    (["diag(x)"], None, t.DiagMat(x)),
    (["diag(A)"], None, t.DiagVec(A_sq)),
    (["vec(A)"], None, t.Vec(A)),
    (["tril(A)", "tril (A)"], None, t.triangular(A, "lower")),
    (["triu(A)", "triu(2A)/2"], None, t.triangular(A, "upper")),
    (["sum(A)", "𝟙ᵀA𝟙", "ones'*A*ones", "ones^T A ones"], None, t.matmul(t.transpose(t.Ones(D("m"))), A, t.Ones(D("n")))),
    (["sum(x)", "𝟙ᵀx", "ones'x", "ones^T*x"], None, t.matmul(t.transpose(t.Ones(D("m"))), x)),
    (["norm2(x)", "‖x‖", "‖x‖₂", "‖x‖_2", "||x||", "‖x‖_{2}", "norm(x)"], None, t.Norm(x, 2)),
    (["norm2(A)", "‖A‖", "‖A‖_F", "||A||_F", "‖A‖_{F}"], None, t.Norm(A, 2)),
    (["norm1(x)", "‖x‖₁", "‖x‖_1", "||x||_1"], None, t.Norm(x, 1)),
    (["norm_inf(x)", "‖x‖_∞", "‖x‖_{∞}", "‖x‖_inf", "||x||_inf", "‖xᵀ‖_∞"], None, t.Norm(x, t.INF)),
    (["norm2(A)^2", "‖A‖²_F", "‖A‖_F^2", "‖A‖_F²", "(‖A‖)^2"], None, t.power(t.Norm(A, 2), 2)),
    (["norm2(x)^2", "‖x‖²", "‖x‖^2", "‖x‖₂²", "‖x‖²₂"], None, t.power(t.Norm(x, 2), 2)),
    (["sigmoid(x)", "σ(x)", "sigma(x)"], None, t.Apply("sigmoid", x)),
    (["sqrt(x)", "√x", "√(x)"], None, t.Apply("sqrt", x)),
    (["abs(x)"], None, t.Apply("abs", x)),
    (["abs(α)", "|α|"], None, t.Apply("abs", S("α"))),
    (["0.5", "1/2", "½", "2/4", ".5"], None, N("1/2")),
    (["⅓", "1/3"], None, N("1/3")),
    (["¼", "0.25", "1/4"], None, N("1/4")),
    (["¾", "0.75", "3/4"], None, N("3/4")),
    (["I"], None, t.Identity(D("m"))),
    (["ones", "𝟙"], None, t.Ones(D("m"))),
]


@pytest.mark.parametrize(
    "spelling, decl, expected",
    [(s, d, e) for spellings, d, e in ROWS for s in spellings],
)
def test_every_spelling_gives_the_same_tree(spelling, decl, expected):
    assert parse(spelling, shapes=decl) == expected


@pytest.mark.parametrize("name", ["exp", "log", "sin", "cos", "tan", "tanh", "relu", "softplus", "sign", "step"])
def test_elementwise_functions(name):
    assert parse(f"{name}(X)") == t.Apply(name, S("X", "m", "n"))


def test_ascii_and_unicode_mixed_in_one_expression():
    assert parse("A^T·B⁻¹ .* C") == parse("Aᵀ*inv(B) ⊙ C")


# ---- products, prefixes and precedence ------------------------------------------------------


def test_product_is_built_left_to_right_with_scalar_multiples():
    a, X, b = S("a", "m"), S("X", "m", "k"), S("b", "k")
    assert parse("aᵀXb X") == t.scale(t.matmul(t.transpose(a), X, b), X)


def test_scalar_inside_a_product_moves_in_front():
    A, B = S("A", "m", "n"), S("B", "n", "p")
    assert parse("A α B") == t.scale(S("α"), t.matmul(A, B))


def test_unary_minus_takes_the_product():
    assert parse("−AB") == t.neg(t.matmul(S("A", "m", "n"), S("B", "n", "p")))


def test_prefix_trace_takes_the_rest_of_the_product():
    A, X, B = S("A", "m", "n"), S("X", "n", "p"), S("B", "p", "m")
    assert parse("tr AXB") == t.trace(t.matmul(A, X, B))
    assert parse("tr AXB") == parse("tr(AXB)")


def test_trace_call_is_a_factor():
    A, B = S("A", "m", "m"), S("B", "k", "p")
    assert parse("tr(A)B") == t.scale(t.trace(A), B)


def test_log_det_prefix_stops_at_the_sum():
    decl = "Σ: spd, x: n, μ: n"
    sigma, xv, mu = S("Σ", "n", "n", {"spd", "symmetric", "invertible"}), S("x", "n"), S("μ", "n")
    d = t.sub(xv, mu)
    expected = t.add(t.LogDet(sigma), t.matmul(t.transpose(d), t.inverse(sigma), d))
    assert parse("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", decl) == expected
    assert parse("logdet(Sigma) + (x - mu)'*inv(Sigma)*(x - mu)", decl) == expected


def test_hadamard_binds_tighter_than_the_product():
    a, X, b = S("a", "m"), S("X", "m", "k"), S("b", "n")
    expected = t.matmul(t.hadamard(a, t.Apply("exp", t.matmul(X, S("b", "k")))), t.transpose(S("b", "k")))
    assert parse("a ⊙ exp(Xb) bᵀ") == expected
    assert b != S("b", "k")


def test_parentheses_group_a_run():
    M, W, X = S("M", "m", "m"), S("W", "m", "p"), S("X", "p", "r")
    s = t.Apply("sigmoid", t.matmul(W, X))
    assert parse("(Mσ(WX)) ⊙ σ(WX)") == t.hadamard(t.matmul(M, s), s)


def test_postfix_applies_to_the_last_letter_of_a_run():
    X, R = S("X", "m", "n"), S("R", "k", "n")
    assert parse("XRᵀ") == t.matmul(X, t.transpose(R))
    assert parse("XR'") == parse("X R^T")


def test_root_applies_to_the_next_factor():
    assert parse("√α β") == t.scale(t.Apply("sqrt", S("α")), S("β"))
    assert parse("√(α + β)") == t.Apply("sqrt", t.add(S("α"), S("β")))


def test_function_power_as_printed():
    Z = S("Z", "m", "n")
    assert parse("tanh²(Z)") == t.hadamard_pow(t.Apply("tanh", Z), 2)


def test_integer_matrix_power_zero_is_the_identity():
    assert parse("A^0") == t.Identity(D("m"))


def test_call_beats_juxtaposition_and_a_run_can_end_in_a_function():
    X, b = S("X", "m", "n"), S("b", "n")
    assert parse("Xexp(b)") == t.matmul(X, t.Apply("exp", b))
    assert parse("α(β + γ)") == t.scale(S("α"), t.add(S("β"), S("γ")))


def test_log_of_det_is_log_det():
    assert parse("log(det(X))") == t.LogDet(S("X", "m", "m"))


def test_numbers_are_exact():
    assert parse("0.1") == N("1/10")
    assert parse("2.50") == N("5/2")
    assert parse("1/3 + 1/6") == N("1/2")
    assert parse("2 3") == N(6)


# ---- names ----------------------------------------------------------------------------------


def test_letter_runs_are_products_of_single_letters():
    D_, R = S("D", "m", "n"), S("R", "n", "p")
    assert parse("DR") == t.matmul(D_, R)
    assert parse("XWb") == t.matmul(S("X", "m", "n"), S("W", "n", "p"), S("b", "p"))


def test_declared_names_win_longest_first():
    Dx, y = S("Dx", "m", "n"), S("y", "n")
    assert parse("Dxy", {"Dx": ("m", "n")}) == t.matmul(Dx, y)
    assert parse("Dxy", {"Dx": ("m", "n"), "D": ("m", "m")}) == t.matmul(Dx, y)
    W, z = S("W_out", "n", "k"), S("z", "k")
    assert parse("W_outz", {"W_out": ("n", "k")}) == t.matmul(W, z)
    assert parse("W_{out}z", {"W_{out}": ("n", "k")}) == t.matmul(W, z)


@pytest.mark.parametrize("spelling", ["W1x", "W_1x", "W₁x", "W_{1}x", "W_1 x"])
def test_subscripts_and_digits_name_one_symbol(spelling):
    assert parse(spelling) == t.matmul(S("W_1", "m", "n"), S("x", "n"))


def test_subscript_is_one_letter_unless_braced():
    assert parse("x_ij", {"x_i": (), "j": ("n",)}) == t.scale(S("x_i"), S("j", "n"))
    assert parse("x_{ij}") == S("x_ij", "m")


def test_primes_belong_to_the_symbol():
    assert parse("x′ᵀx") == t.matmul(t.transpose(S("x′", "m")), S("x", "m"))


@pytest.mark.parametrize(
    "spelling, name",
    [("alpha", "α"), ("α", "α"), ("lambda", "λ"), ("mu", "μ"), ("theta", "θ"), ("omega", "ω"), ("alpha_1", "α_1")],
)
def test_greek_names_are_scalars(spelling, name):
    assert parse(spelling) == S(name)


def test_capital_greek_is_a_matrix_and_lower_latin_a_vector():
    assert parse("Sigma") == S("Σ", "m", "n")
    assert parse("Σ") == S("Σ", "m", "n")
    assert parse("v") == S("v", "m")


def test_greek_name_only_as_a_whole_run():
    assert parse("betaᵀx") == parse("β'x")  # β is a scalar: βᵀx is a scalar multiple
    assert parse("betaᵀx") == t.scale(t.Transpose(S("β")), S("x", "m"))
    with pytest.raises(ShapeError):  # b·e·t·a·x: a product of vectors
        parse("betax")


def test_sigma_declared_as_a_symbol_is_not_the_sigmoid():
    assert parse("σ(x)", {"σ": ()}) == t.scale(S("σ"), S("x", "m"))


def test_declared_i_is_a_symbol():
    assert parse("I", {"I": ("n", "n")}) == S("I", "n", "n")


@pytest.mark.parametrize(
    "name, canonical",
    [
        ("W1", "W_1"),
        ("W_1", "W_1"),
        ("W₁", "W_1"),
        ("W_{1}", "W_1"),
        ("x_{i}", "x_i"),
        ("alpha", "α"),
        ("Sigma", "Σ"),
        ("sigma", "σ"),
        ("W_{out}", "W_out"),
        ("g''", "g′′"),
        ("g″", "g′′"),
        ("λ", "λ"),
        (" X ", "X"),
    ],
)
def test_canonical_name(name, canonical):
    assert canonical_name(name) == canonical


# ---- declarations ---------------------------------------------------------------------------


def test_declarations_text_form():
    shapes, domains, functions = parse_declarations(
        "X: m×n, a: m, λ: scalar, M: n×n symmetric, Σ: spd, g: elementwise, f: scalar, h: x**3 + sin(x), Y: 3 x 4"
    )
    assert shapes == {"X": ("m", "n"), "a": ("m",), "λ": (), "M": ("n", "n"), "Y": (3, 4)}
    assert domains == {"M": ("symmetric",), "Σ": ("spd",)}
    assert functions == {"g": "elementwise", "f": "scalar", "h": "x**3 + sin(x)"}


def test_declarations_split_at_top_level_commas_and_canonicalise():
    shapes, _, functions = parse_declarations("W1: m x n, alpha: scalar, h: relu(x) + x**2")
    assert shapes == {"W_1": ("m", "n"), "α": ()}
    assert functions == {"h": "relu(x) + x**2"}
    with pytest.raises(ParseError, match=r"'h: exp\(x, 1\)' is neither .* unexpected character ','"):
        parse_declarations("X: m×n, h: exp(x, 1), Y: n×n")  # one declaration, not "h: exp(x" and "1)"


def test_text_and_python_declarations_agree():
    text = "X: m×n, a: m, λ: scalar"
    python = {"X": ("m", "n"), "a": ("m",), "λ": ()}
    assert parse("λ aᵀX", text) == parse("λ aᵀX", python)
    assert parse("λ aᵀX", text) == t.scale(S("λ"), t.matmul(t.transpose(S("a", "m")), S("X", "m", "n")))


def test_integer_dimensions():
    X, a = S("X", 3, 4), S("a", 3)
    assert parse("aᵀX", "X: 3×4, a: 3") == t.matmul(t.transpose(a), X)
    assert parse("aᵀX", {"X": (3, 4), "a": (3,)}) == t.matmul(t.transpose(a), X)
    assert parse("aᵀX", {"X": ("3", "4"), "a": "3"}) == t.matmul(t.transpose(a), X)


def test_domains_are_stored_with_the_ones_they_imply():
    e = parse("Σ", domains={"Σ": "spd"})
    assert e == S("Σ", "m", "m", {"spd", "symmetric", "invertible"})
    assert parse("M", {"M": ("n", "n")}, {"M": ["symmetric", "positive"]}).assumptions == {"symmetric", "positive"}
    assert parse("λ", domains={"lambda": "positive"}) == S("λ", assumptions={"positive"})


def test_square_domain_makes_an_undeclared_shape_square():
    assert parse("a", domains={"a": "invertible"}) == S("a", "m", "m", {"invertible"})


def test_declared_shape_text_with_domains_passes_to_parse():
    e = parse("M", "M: n×n symmetric")
    assert e == S("M", "n", "n", {"symmetric"})


# ---- shape inference ------------------------------------------------------------------------


def test_unified_dimensions_take_the_earliest_name():
    A, B, C = S("A", "m", "n"), S("B", "n", "p"), S("C", "p", "r")
    assert parse("ABC") == t.matmul(A, B, C)


def test_declared_names_win_and_are_skipped_by_the_pool():
    X, A = S("X", "m", "n"), S("A", "k", "m")
    assert parse("AX", {"X": ("m", "n")}) == t.matmul(A, X)


def test_repeated_symbols_share_their_dimensions():
    X = S("X", "m", "m")
    assert parse("XX") == t.matmul(X, X)
    assert parse("tr(X) + tr(XᵀX)") == t.add(t.trace(X), t.trace(t.matmul(t.transpose(X), X)))


def test_identity_and_ones_take_their_size_from_the_context():
    X = S("X", "m", "m")
    assert parse("X + I") == t.add(X, t.Identity(D("m")))
    assert parse("X𝟙") == t.matmul(S("X", "m", "n"), t.Ones(D("n")))
    assert parse("α + I") == t.add(S("α"), N(1))


def test_broadcast_of_a_row_vector_across_rows():
    X, b = S("X", "m", "n"), S("b", "n")
    assert parse("X + bᵀ") == t.add(X, t.broadcast(t.transpose(b), (D("m"), D("n"))))


def test_broadcast_of_a_column_vector_across_columns():
    X, b = S("X", "m", "n"), S("b", "m")
    assert parse("X + b") == t.add(X, t.broadcast(b, (D("m"), D("n"))))
    assert parse("b + X") == t.add(t.broadcast(b, (D("m"), D("k"))), S("X", "m", "k"))


def test_broadcast_of_a_declared_scalar_everywhere():
    X = S("X", "m", "n")
    assert parse("X - α", {"α": ()}) == t.sub(X, t.broadcast(S("α"), (D("m"), D("n"))))
    assert parse("X ⊙ α", {"α": ()}) == t.hadamard(X, t.broadcast(S("α"), (D("m"), D("n"))))
    assert parse("X - 2") == t.sub(X, t.broadcast(N(2), (D("m"), D("n"))))


def test_an_undeclared_scalar_name_is_not_broadcast_but_takes_the_shape_it_is_added_to():
    X = S("X", "m", "n")
    assert parse("X - α") == t.sub(X, S("α", "m", "n"))
    assert parse("X ⊙ α") == t.hadamard(X, S("α", "m", "n"))


def test_kronecker_and_vec_dimensions_are_products():
    e = parse("kron(A, B)")
    assert e.shape == (D("m") * D("k"), D("n") * D("p"))
    assert parse("vec(X)ᵀa").shape == (sympy.Integer(1), sympy.Integer(1))
    assert parse("vec(X)ᵀa") == t.matmul(t.transpose(t.Vec(S("X", "m", "n"))), S("a", D("m") * D("n")))


def test_bars_of_a_scalar_expression_are_the_absolute_value():
    a = S("a", "m")
    assert parse("|aᵀa|") == t.Apply("abs", t.matmul(t.transpose(a), a))


def test_vector_power_is_rejected_but_scalar_power_is_not():
    assert parse("(xᵀx)^2") == t.power(t.matmul(t.transpose(x), x), 2)
    with pytest.raises(ShapeError, match=r"\.\^2"):
        parse("x^2")


# ---- user functions -------------------------------------------------------------------------

FUNCS = {"g": "elementwise", "f": "scalar", "h": "x**3 + sin(x)"}


def test_elementwise_user_function_and_its_derivatives():
    X = S("X", "m", "n")
    assert parse("g(X)", functions=FUNCS) == t.Apply("g", X)
    assert parse("g′(X)", functions=FUNCS) == t.Apply("g", X, 1)
    assert parse("g'(X)", functions=FUNCS) == t.Apply("g", X, 1)
    assert parse("g″(X)", functions=FUNCS) == t.Apply("g", X, 2)
    assert parse("g''(X)", functions=FUNCS) == t.Apply("g", X, 2)
    assert parse("g‴(X)", functions=FUNCS) == t.Apply("g", X, 3)


def test_formula_function_keeps_its_formula():
    X = S("X", "m", "n")
    assert parse("h(X)", functions=FUNCS) == t.Apply("h", X, 0, "x**3 + sin(x)")
    assert parse("h′(X)", functions=FUNCS) == t.Apply("h", X, 1, "x**3 + sin(x)")


def test_scalar_user_function_and_its_gradient():
    W, X = S("W", "m", "n"), S("X", "n", "p")
    assert parse("f(WX)", functions=FUNCS) == t.Call("f", t.matmul(W, X))
    assert parse("∇f(WX)", functions=FUNCS) == t.Grad("f", t.matmul(W, X))
    assert parse("∇f(WX)", "f: scalar").shape == (D("m"), D("p"))


def test_user_functions_from_text_declarations():
    X = S("X", "m", "n")
    assert parse("g(X) + h(X)", "g: elementwise, h: x**2") == t.add(t.Apply("g", X), t.Apply("h", X, 0, "x**2"))


def test_transpose_quote_is_not_a_derivative_of_a_matrix():
    A, v = S("A", "m", "n"), S("x", "m")
    assert parse("A'(x)") == t.matmul(t.transpose(A), v)


# ---- robustness ------------------------------------------------------------------------------


def test_long_sums_and_products_parse_quickly():
    n = 1500
    e = parse(" + ".join(["aᵀb"] * n))
    assert isinstance(e, t.Add) and len(e.terms) == n
    e = parse("A" * 3000)
    assert isinstance(e, t.MatMul) and len(e.factors) == 3000


def test_nesting_up_to_the_limit_parses():
    e = parse("(" * 190 + "x" + ")" * 190)
    assert e == S("x", "m")
    assert parse("exp(" * 60 + "x" + ")" * 60).shape == (D("m"), sympy.Integer(1))


def test_parse_error_carries_line_and_column():
    with pytest.raises(ParseError) as info:
        parse("AB +\n  * C")
    assert (info.value.line, info.value.column) == (2, 3)
    assert "^" in str(info.value)


def test_grammar_is_read_from_the_repository():
    from matcalc.expr.parse import grammar_text

    assert "NAME" in grammar_text() and "?start" in grammar_text()
