"""Every result reads back and evaluates from the values of the expression it came from.

For each gradient of the golden table (tests/golden.py) and the Matrix Cookbook table, each
Jacobian (both layouts), Hessian, backpropagation rule and stationary point of the test
tables: ``parse(str(e), the same declarations) == e``; the re-read expression has the value
of e at a random point; and e evaluates from the values of the original expression's symbols
alone (its ``origin`` binds every dimension, as of I_n, 𝟙_n, K_{m,n}).  Hypothesis properties
ask the same of the gradients, Jacobians and Hessians of random expressions (tests/strategies.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import golden
import matcalc as mc
import test_cookbook
import test_hessian
import test_jacobian
import test_solve
import test_vjp
from matcalc import expr as t
from matcalc.language.names import canonical_name
from matcalc.numeric import point
from strategies import FUNCTIONS, expressions


def _case(kind, f, wrt, decl, **extra):
    label = " ".join(str(v) for v in extra.values())
    return pytest.param(kind, f, wrt, decl, extra, id=f"{kind} {f} wrt {wrt} {label}".strip())


CASES = (
    [_case("grad", f, wrt, decl) for f, wrt, decl, _, _ in golden.ROWS]
    + [_case("grad", *p.values[:2], p.values[3]) for p in test_cookbook.ROWS]
    + [_case("jacobian", f, wrt, {"functions": test_jacobian.FUNCTIONS}, layout=layout)
       for f, wrt, _, _ in test_jacobian.CASES for layout in ("numerator", "denominator")]
    + [_case("hessian", f, wrt, decl) for f, wrt, decl, _ in test_hessian.CASES]
    + [_case("vjp", F, wrt, decl, upstream=up)
       for table in (test_vjp.REQUIRED, test_vjp.SEED_002_FORMULAS, test_vjp.SEED_002_NEURAL_NETWORK,
                     test_vjp.SEED_002_DICTIONARY_LEARNING, test_vjp.SEED_003_LAYER)
       for F, wrt, up, decl, _ in table]
    + [_case("solve", f, wrt, decl) for f, wrt, decl, _ in test_solve.CASES]
)

RESULTS = {
    "grad": lambda f, wrt, decl, extra: mc.grad(f, wrt, **decl),
    "jacobian": lambda f, wrt, decl, extra: mc.jacobian(f, wrt, extra["layout"], **decl).matrix,
    "hessian": lambda f, wrt, decl, extra: mc.hessian(f, wrt, **decl).matrix,
    "vjp": lambda f, wrt, decl, extra: mc.vjp(f, wrt, extra["upstream"], **decl),
    "solve": lambda f, wrt, decl, extra: mc.solve(f, wrt, **decl),
}


def declarations(*exprs) -> dict:
    """The shapes and domains of the symbols of ``exprs`` and of those they remember."""
    symbols = {s.name: s for e in exprs for s in (*e.origin, *e.free_symbols)}
    shapes = {n: tuple(int(d) if d.is_Integer else str(d) for d in s.dims) for n, s in symbols.items()}
    domains = {n: sorted(s.assumptions) for n, s in symbols.items() if s.assumptions}
    return {"shapes": shapes, "domains": domains or None}


def values_of_origin(e: t.Expr, seed: int, sizes=None) -> tuple[dict, dict]:
    """(values of the symbols e remembers, at a random point; the sizes of that point)."""
    values, dims = point([*e.origin, e], seed, sizes)
    return {s.name: values[s.name] for s in e.origin}, {str(k): v for k, v in dims.items()}


def assert_same(a, b):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=0)


@pytest.mark.parametrize("kind, f, wrt, decl, extra", CASES)
def test_result_reads_back_and_evaluates_from_the_original_values(kind, f, wrt, decl, extra):
    e = RESULTS[kind](f, wrt, decl, extra)
    source = mc.parse(f, **decl)
    assert {s.name for s in source.free_symbols} <= {s.name for s in e.origin}
    text = str(e)
    back = mc.parse(text, functions=decl.get("functions"), **declarations(e))
    assert back == e, f"{text!r} reads back as {back!r}"
    sizes = test_solve.SIZES if kind == "solve" else None
    original, dims = values_of_origin(e, seed=3, sizes=sizes)
    value = e.evaluate(original)  # every dimension bound by the original symbols' values
    assert_same(value, e.evaluate(original, dims=dims))
    assert_same(back.evaluate(original), value)
    if kind == "grad":
        assert np.shape(value) == np.shape(original[canonical_name(wrt)])


# ---- the examples of the problem: results whose size comes only from the original symbols ----


@pytest.mark.parametrize("f, wrt, value, expected", [
    ("tr(X)", "X", np.arange(9.0).reshape(3, 3), lambda X: np.eye(3)),
    ("sum(x)", "x", np.arange(4.0), lambda x: np.ones(4)),
    ("tr(X ⊗ X)", "X", np.arange(4.0).reshape(2, 2), lambda X: 2 * np.trace(X) * np.eye(2)),
    ("sum(G)", "G", np.ones((2, 3)), lambda G: np.ones((2, 3))),
])
def test_gradients_of_constant_size_evaluate_from_the_original_values(f, wrt, value, expected):
    g = mc.grad(f, wrt)
    assert_same(g.evaluate({wrt: value}), expected(value))


def test_the_gradient_of_a_sum_of_a_linear_function_is_the_matrix_of_ones():
    g = mc.grad("sum(h(X))", "X", functions={"h": "x"})
    assert str(g) == "𝟙_{m×n}" and g.latex() == r"\mathbf{1}_{m \times n}"
    assert_same(g.evaluate({"X": np.zeros((2, 3))}), np.ones((2, 3)))
    assert mc.parse(str(g), shapes="X: m×n") == g


def test_sized_constants_print_bare_where_the_rest_fixes_them():
    assert str(mc.grad("tr(X)", "X", shapes="X: n×n")) == "I_n"
    assert str(mc.grad("tr(X ⊗ X)", "X", shapes="X: n×n")) == "2tr(X)I_n"
    assert str(mc.solve("‖Xw − y‖² + λ‖w‖²", "w")) == "(XᵀX + λI)⁻¹Xᵀy"  # I is sized by XᵀX
    assert str(mc.jacobian("XᵀX", "X")) == "(K_{n,n} + I)(I ⊗ Xᵀ)"  # K sizes both I


def test_commutation_matrices_evaluate_from_the_original_values():
    X = np.arange(6.0).reshape(2, 3)
    J = mc.jacobian("Xᵀ", "X")
    assert str(J) == "K_{m,n}"
    K = J.matrix.evaluate({"X": X})
    assert_same(K @ X.reshape(-1, order="F"), X.T.reshape(-1, order="F"))
    H = mc.hessian("log det X", "X").matrix
    assert H.evaluate({"X": np.eye(2) + 0.5}).shape == (4, 4)


def test_values_of_symbols_the_result_lacks_only_bind_dimensions():
    g = mc.grad("aᵀx + tr(X)", "X", shapes="a: n, x: n")
    assert g.evaluate({"a": np.ones(2), "x": np.ones(2), "X": np.ones((4, 4))}).shape == (4, 4)
    with pytest.raises(mc.ShapeError):
        g.evaluate({"X": np.ones((3, 4))})  # X's declared shape is square


def test_parse_remembers_the_declared_symbols_the_text_lacks():
    e = mc.parse("I_n + 𝟙_n𝟙_nᵀ", shapes="X: n×n")
    assert [s.name for s in e.origin] == ["X"]
    assert_same(e.evaluate({"X": np.zeros((2, 2))}), np.eye(2) + 1)


def test_origin_takes_no_part_in_equality():
    a, b = mc.grad("tr(X)", "X", shapes="X: n×n"), mc.parse("I_n")
    assert a == b and hash(a) == hash(b) and a.origin != b.origin


@pytest.mark.parametrize("f, wrt, shapes, domains, printed", [
    # a dimension as a number: tr(I_m) = m
    ("tr((A + α) ⊗ B)", "α", "A: m×m, B: n×n, α: scalar", None, "m·tr(B)"),
    ("𝟙ᵀ(A + aᵀ)𝟙", "a", "A: k×n, a: n", None, "k𝟙_n"),
    ("𝟙ᵀ(A^{∘2} + (aᵀ)^{∘3})𝟙", "a", "A: k×n, a: n", None, "(3k)a^{∘2}"),
    # a 1×1 leading part of a product is a scalar multiple, as the parser reads it
    ("(log³(A)^{∘2} + 1)^{∘1/2}(((B + α)a^{∘2})^{∘2} + 1)^{∘1/2}", "α", "A: 1×k, B: k×k, a: k, α: scalar",
     "A: positive, a: positive",
     "(𝟙ᵀ(((B + α)a^{∘2}) ⊙ (1 + ((B + α)a^{∘2})^{∘2})^{∘−1/2} ⊙ (1 + (log(A)ᵀ)^{∘6})^{∘1/2}))(aᵀ)^{∘2}𝟙"),
])
def test_gradients_that_once_read_back_otherwise(f, wrt, shapes, domains, printed):
    g = mc.grad(f, wrt, shapes=shapes, domains=domains)
    assert str(g) == printed
    assert mc.parse(printed, shapes=shapes, domains=domains) == g
    original, dims = values_of_origin(g, seed=0)
    assert_same(g.evaluate(original), g.evaluate(original, dims=dims))


# ---- the forms that read back ----------------------------------------------------------------


@pytest.mark.parametrize("text, shapes, tree", [
    ("I_n", None, t.Identity(t.dim("n"))),
    ("Iₙ", None, t.Identity(t.dim("n"))),
    ("I_{mn}", None, t.Identity(t.dim("m") * t.dim("n"))),
    ("I_{n²}", None, t.Identity(t.dim("n") ** 2)),
    ("I_5", None, t.Identity(t.dim(5))),
    ("I_{d_k·n}", "Q: d_k×n", t.Identity(t.dim("d_k") * t.dim("n"))),
    ("𝟙_n", None, t.Ones(t.dim("n"))),
    ("𝟙_12", None, t.Ones(t.dim(12))),
    ("𝟙₂", None, t.Ones(t.dim(2))),
    ("𝟙_{m×n}", None, t.broadcast(t.Number(t.ONE), (t.dim("m"), t.dim("n")))),
    ("0_{m×n}", None, t.Zero((t.dim("m"), t.dim("n")))),
    ("0_n", None, t.Zero((t.dim("n"), t.ONE))),
    ("K_{m,n}", None, t.Commutation(t.dim("m"), t.dim("n"))),
    ("vec⁻¹_{m×n}(v)", None, t.Unvec(t.symbol("v", t.dim("m") * t.dim("n")), (t.dim("m"), t.dim("n")))),
    ("⟨C, · ⊗ B⟩", "C: 6×6, B: 2×3", None),
    ("⟨A ⊗ B, · ⊗ B⟩", "A: m×n, B: p×q", None),
    ("⟨C, A ⊗ ·⟩", "C: 6×6, A: 2×3", None),
])
def test_sized_forms_read(text, shapes, tree):
    e = mc.parse(text, shapes=shapes)
    if tree is not None:
        assert e == tree
    assert mc.parse(str(e), shapes=shapes) == e


def test_a_size_names_the_declared_dimension():
    e = mc.parse("X + I_n", shapes="X: n×n")
    assert e.terms[1] == t.Identity(e.terms[0].rows)
    with pytest.raises(mc.ShapeError):
        mc.parse("X + I_m", shapes="X: n×n")


def test_a_size_is_not_taken_by_an_inferred_dimension():
    e = mc.parse("x𝟙_mᵀ")  # x would be m×1 if m were free
    assert e.cols == t.dim("m") and e.rows != t.dim("m")


@pytest.mark.parametrize("text, fragment", [
    ("I_{m×n}", "sizes are written I_n"),
    ("I_{m,n}", "I takes one size: write I_n"),
    ("K_{m,n,k}", "K takes two sizes"),
    ("𝟙_{m×n×k}", "𝟙 takes one size or two sizes"),
    ("2_{m×n}", "only 0 takes a size"),
    ("vec⁻¹(v)", "vec⁻¹ needs the shape it makes"),
    ("𝟙_{m×}", "a size is missing"),
    ("𝟙_{0}", "a size must be at least 1"),
    ("‖x‖_n", "unexpected subscript '_n'"),
    ("⟨C, · ⊙ B⟩", "the adjoint of a Kronecker product is ⟨C, · ⊗ B⟩"),
])
def test_bad_sizes_are_parse_errors(text, fragment):
    with pytest.raises(mc.ParseError) as info:
        mc.parse(text)
    assert fragment in str(info.value)


def test_a_declared_symbol_keeps_its_name():
    assert mc.parse("I_1 + A", shapes="I_1: n×n, A: n×n").terms[0] == t.symbol("I_1", "n", "n")
    assert isinstance(mc.parse("K_k x", shapes="x: n"), t.MatMul)  # K_k is a symbol


# ---- the property over random expressions --------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_gradients_of_random_expressions_read_back_and_evaluate(case):
    f, wrt, shapes, domains = case
    g = mc.grad(f, wrt)
    text = str(g)
    back = mc.parse(text, shapes=shapes, domains=domains or None, functions=FUNCTIONS)
    assert back == g, f"{text!r} reads back as {back!r}"
    original, dims = values_of_origin(g, seed=1)
    with np.errstate(all="ignore"):
        value = g.evaluate(original)
        assert_same(value, g.evaluate(original, dims=dims))
        assert_same(back.evaluate(original), value)
    assert np.shape(value) == np.shape(original[wrt.name])


@settings(max_examples=120, deadline=None)
@given(test_jacobian.matrix_expressions(), st.sampled_from(["numerator", "denominator"]))
def test_jacobians_of_random_expressions_read_back_and_evaluate(case, layout):
    F, x = case
    J = mc.jacobian(F, x, layout).matrix
    text = str(J)
    back = mc.parse(text, functions=FUNCTIONS, **declarations(J))
    assert back == J, f"{text!r} reads back as {back!r}"
    original, dims = values_of_origin(J, seed=1)
    with np.errstate(all="ignore"):
        assert_same(J.evaluate(original), J.evaluate(original, dims=dims))


@settings(max_examples=80, deadline=None)
@given(expressions(max_depth=3))
def test_hessians_of_random_expressions_read_back_and_evaluate(case):
    f, wrt, shapes, domains = case
    try:
        H = mc.hessian(f, wrt).matrix
    except mc.UnsupportedError:  # an opaque f has no second derivative
        assume(False)
    text = str(H)
    back = mc.parse(text, shapes=shapes, domains=domains or None, functions=FUNCTIONS)
    assert back == H, f"{text!r} reads back as {back!r}"
    original, dims = values_of_origin(H, seed=1)
    with np.errstate(all="ignore"):
        assert_same(H.evaluate(original), H.evaluate(original, dims=dims))
