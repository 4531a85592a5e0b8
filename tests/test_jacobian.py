"""Jacobians in closed form: printed forms, both layouts, the 4-way tensor, finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import matcalc as mc
from matcalc import expr as t
from matcalc.numeric import point
from matcalc.errors import DomainError, MatcalcError, ShapeError, UnsupportedError
from matcalc.calculus.vec import vec_jacobian
from matcalc.numeric.check import JacobianCheck, finite_difference_jacobian
from matcalc.results.jacobian import Jacobian
from matcalc.expr import kron, vec
from matcalc.simplify import closed_form
from strategies import DIMS, Context, gen

FUNCTIONS = {"g": "elementwise", "f": "scalar"}

# (F, wrt, numerator layout, denominator layout)
CASES = [
    ("AXB", "X", "Bᵀ ⊗ A", "B ⊗ Aᵀ"),
    ("WX", "W", "Xᵀ ⊗ I_m", "X ⊗ I_m"),
    ("X⁻¹", "X", "−X⁻ᵀ ⊗ X⁻¹", "−X⁻¹ ⊗ X⁻ᵀ"),
    ("Xᵀ", "X", "K_{m,n}", "K_{n,m}"),
    ("X ⊙ A", "X", "diag(vec(A))", "diag(vec(A))"),
    ("XX", "X", "Xᵀ ⊗ I_m + I_m ⊗ X", "X ⊗ I_m + I_m ⊗ Xᵀ"),
    ("Ax", "x", "A", "Aᵀ"),
    ("exp(Ax)", "x", "diag(exp(Ax))A", "Aᵀdiag(exp(Ax))"),
    ("AX", "X", "I_p ⊗ A", "I_p ⊗ Aᵀ"),
    ("XB", "X", "Bᵀ ⊗ I_m", "B ⊗ I_m"),
    ("X + Y", "X", "I_{mn}", "I_{mn}"),
    ("3X − Xᵀ", "X", "3I − K_{m,m}", "3I − K_{m,m}"),
    ("AXᵀB", "X", "K_{r,m}(A ⊗ Bᵀ)", "K_{n,k}(B ⊗ Aᵀ)"),
    ("XᵀX", "X", "(K_{n,n} + I)(I ⊗ Xᵀ)", "(I ⊗ X)(K_{n,n} + I)"),
    ("XAXᵀ", "X", "K_{m,m}((XA) ⊗ I) + (XAᵀ) ⊗ I", "K_{n,m}(I ⊗ (AᵀXᵀ)) + (AXᵀ) ⊗ I"),
    ("X³", "X", "(Xᵀ)² ⊗ I + Xᵀ ⊗ X + I ⊗ X²", "X² ⊗ I + X ⊗ Xᵀ + I ⊗ (Xᵀ)²"),
    ("exp(X)", "X", "diag(vec(exp(X)))", "diag(vec(exp(X)))"),
    ("σ(WX)", "W", "diag(vec(σ(WX) ⊙ (1 − σ(WX))))(Xᵀ ⊗ I)", "(X ⊗ I)diag(vec(σ(WX) ⊙ (1 − σ(WX))))"),
    ("g(Wx)", "x", "diag(g′(Wx))W", "Wᵀdiag(g′(Wx))"),
    ("tanh(Wx + b)", "W", "diag(1 − tanh²(Wx + b))(xᵀ ⊗ I)", "(x ⊗ I)diag(1 − tanh²(Wx + b))"),
    ("X ⊘ A", "X", "diag(vec(A))⁻¹", "diag(vec(A))⁻¹"),
    ("tr(X)A", "X", "vec(A)vec(I_m)ᵀ", "vec(I_m)vec(A)ᵀ"),
    ("tr(AX)B", "X", "vec(B)vec(Aᵀ)ᵀ", "vec(Aᵀ)vec(B)ᵀ"),
    ("(aᵀx)x", "x", "xaᵀ + (aᵀx)I", "axᵀ + (aᵀx)I"),
    ("X + bᵀ", "X", "I_{mn}", "I_{mn}"),
    ("X + bᵀ", "b", "I_n ⊗ 𝟙_m", "I_n ⊗ 𝟙_mᵀ"),
    ("X + c", "c", "𝟙_n ⊗ I_m", "𝟙_nᵀ ⊗ I_m"),
    ("vec(X)", "X", "I_{mn}", "I_{mn}"),
    ("diag(x)", "x", "diag(vec(I_m))(𝟙 ⊗ I_m)", "(𝟙_mᵀ ⊗ I_m)diag(vec(I_m))"),
    ("diag(X)", "X", "(𝟙_mᵀ ⊗ I_m)diag(vec(I_m))", "diag(vec(I_m))(𝟙 ⊗ I_m)"),
    ("X ⊗ A", "X", "((I_n ⊗ K_{p,m}) ⊗ I_k)(I ⊗ vec(A))", "(I_{mn} ⊗ vec(A)ᵀ)((I_n ⊗ K_{m,p}) ⊗ I)"),
    ("A ⊗ X", "X", "((I_n ⊗ K_{p,m}) ⊗ I_k)(vec(A) ⊗ I)", "(vec(A)ᵀ ⊗ I_{kp})((I_n ⊗ K_{m,p}) ⊗ I)"),
    ("adj(X)", "X", "det(X)(vec(X⁻¹)vec(X⁻ᵀ)ᵀ − X⁻ᵀ ⊗ X⁻¹)", "det(X)(vec(X⁻ᵀ)vec(X⁻¹)ᵀ − X⁻¹ ⊗ X⁻ᵀ)"),
    ("aᵀXb", "X", "vec(abᵀ)ᵀ", "vec(abᵀ)"),
    ("‖x‖²", "x", "2xᵀ", "2x"),
    ("f(WX)", "W", "vec(∇f(WX)Xᵀ)ᵀ", "vec(∇f(WX)Xᵀ)"),
]


def _case(text, wrt, layout="numerator", as_tensor=False):
    return mc.jacobian(text, wrt, layout, as_tensor, functions=FUNCTIONS)


@pytest.mark.parametrize("text, wrt, numerator, denominator", CASES)
def test_printed_forms(text, wrt, numerator, denominator):
    assert str(_case(text, wrt)) == numerator
    assert str(_case(text, wrt, "denominator")) == denominator


@pytest.mark.parametrize("text, wrt, numerator, denominator", CASES)
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_agrees_with_finite_differences(text, wrt, numerator, denominator, layout):
    report = _case(text, wrt, layout).check(trials=2)
    assert report, f"{text} wrt {wrt} ({layout}): {report}"
    assert len(report.errors) == 2 and report.error < 1e-6


@pytest.mark.parametrize("text, wrt", [("AXB", "X"), ("Xᵀ", "X"), ("XX", "X"), ("exp(Ax)", "x"), ("Xa", "X"), ("tr(X)A", "X")])
def test_full_matrices_and_the_tensor(text, wrt):
    """J[(i,j),(k,l)] = ∂F_ij/∂X_kl entry by entry, and its 4-way form in both layouts."""
    num = _case(text, wrt)
    values, dims = point([num.F, num.matrix], seed=4)
    j = num.evaluate(values, dims)
    fd, error = finite_difference_jacobian(num.F, num.wrt, values, dims)
    assert j.shape == fd.shape and error < 1e-8
    np.testing.assert_allclose(j, fd, rtol=1e-7, atol=1e-8)
    den = _case(text, wrt, "denominator")
    np.testing.assert_allclose(den.evaluate(values, dims), j.T, rtol=1e-12, atol=1e-12)

    f_axes = np.shape(num.F.evaluate(values, dims=dims))
    x_axes = np.shape(values[wrt])
    tensor = _case(text, wrt, as_tensor=True).evaluate(values, dims)
    assert tensor.shape == f_axes + x_axes
    tensor_den = _case(text, wrt, "denominator", as_tensor=True).evaluate(values, dims)
    assert tensor_den.shape == x_axes + f_axes
    for fi in np.ndindex(*f_axes):
        for xi in np.ndindex(*x_axes):
            moved = {**values, wrt: np.array(values[wrt], dtype=float)}
            h = 1e-6
            moved[wrt][xi] += h
            plus = np.asarray(num.F.evaluate(moved, dims=dims))
            moved[wrt][xi] -= 2 * h
            minus = np.asarray(num.F.evaluate(moved, dims=dims))
            expected = (plus - minus)[fi] / (2 * h)
            assert tensor[fi + xi] == pytest.approx(expected, rel=1e-5, abs=1e-7)
            assert tensor_den[xi + fi] == tensor[fi + xi]


def test_tensor_of_a_matrix_wrt_a_matrix_has_four_axes():
    j = mc.jacobian("AXB", "X", as_tensor=True, shapes="A: 2×3, X: 3×4, B: 4×5")
    rng = np.random.default_rng(0)
    a, x, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    tensor = j.evaluate({"A": a, "X": x, "B": b})
    assert tensor.shape == (2, 5, 3, 4)
    np.testing.assert_allclose(tensor, np.einsum("ik,lj->ijkl", a, b))
    flat = mc.jacobian("AXB", "X", shapes="A: 2×3, X: 3×4, B: 4×5").evaluate({"A": a, "X": x, "B": b})
    np.testing.assert_allclose(flat, np.kron(b.T, a))


def test_scalar_function_gives_the_gradient_as_a_row():
    j = mc.jacobian("‖X − DR‖²_F", "D")
    assert str(j) == "2vec((DR − X)Rᵀ)ᵀ"
    assert j.shape[0] == 1
    assert j.check()


def test_result_object():
    j = mc.jacobian("AXB", "X")
    assert isinstance(j, Jacobian) and j.layout == "numerator" and not j.as_tensor
    assert isinstance(j.matrix, mc.Expr)
    assert j.latex() == r"B^{\top} \otimes A"
    assert j._repr_latex_() == (r"$\frac{\partial \operatorname{vec}\left(AXB\right)}"
                                r"{\partial \operatorname{vec}\left(X\right)^{\top}} = B^{\top} \otimes A$")
    assert mc.jacobian("Xᵀ", "X").latex() == "K_{m,n}"
    assert j == mc.jacobian("AXB", "X")
    x = j.wrt
    assert t.same_dim(j.shape[0], j.F.rows * j.F.cols) and t.same_dim(j.shape[1], x.rows * x.cols)


def test_commutation_matrix():
    k = t.commutation(t.dim("m"), t.dim("n"))
    assert isinstance(k, t.Commutation) and str(k) == "K_{m,n}"
    assert t.commutation(t.dim("m"), t.ONE) == t.Identity(t.dim("m"))
    a = np.arange(6.0).reshape(2, 3)
    kv = k.evaluate({}, dims={"m": 2, "n": 3}) @ a.reshape(-1, order="F")
    np.testing.assert_array_equal(kv, a.T.reshape(-1, order="F"))


def test_builders_keep_kronecker_forms_short():
    m, n = t.dim("m"), t.dim("n")
    a = t.symbol("A", "m", "n")
    assert kron(t.Identity(m), t.Identity(n)) == t.Identity(m * n)
    assert kron(t.Number(sympy.Integer(1)), a) == a
    assert kron(t.scale(t.number(2), a), t.Identity(n)) == t.scale(t.number(2), t.Kron(a, t.Identity(n)))
    assert kron(t.Ones(m), t.Ones(n)) == t.Ones(m * n)
    x = t.symbol("x", "n")
    assert vec(x) == x and vec(t.transpose(x)) == x and vec(a) == t.Vec(a)


def test_tidy_identities():
    m, n, p, q = (t.dim(d) for d in "mnpq")
    a, b = t.symbol("A", "m", "n"), t.symbol("B", "p", "q")
    c, d = t.symbol("C", "n", "r"), t.symbol("D", "q", "s")
    assert str(closed_form(t.matmul(t.Kron(a, b), t.Kron(c, d)))) == "(AC) ⊗ (BD)"
    swapped = closed_form(t.matmul(t.Kron(a, b), t.Commutation(n, q)))
    assert str(swapped) == "K_{m,p}(B ⊗ A)" and swapped.args()[0][0] == t.Commutation(m, p)
    assert closed_form(t.matmul(t.Commutation(m, n), t.Commutation(n, m))) == t.Identity(m * n)
    assert closed_form(t.transpose(t.Commutation(m, n))) == t.Commutation(n, m)
    s = t.symbol("S", "m", "m")
    assert str(closed_form(t.add(t.Kron(a, s), t.Kron(a, t.transpose(s))))) == "A ⊗ (S + Sᵀ)"


def test_wrong_matrix_fails_the_check():
    """A ⊗ Bᵀ in place of Bᵀ ⊗ A (square, so that the shapes agree) is caught."""
    right = mc.jacobian("AXB", "X", shapes="A: n×n, X: n×n, B: n×n")
    wrong = Jacobian(right.F, right.wrt, t.Kron(right.matrix.right, right.matrix.left), sampler=right.sampler)
    assert right.check()
    result = wrong.check()
    assert isinstance(result, JacobianCheck) and not result
    assert str(result).startswith("✗ differs from finite differences")
    assert result.error > 1e-3


def test_errors():
    with pytest.raises(MatcalcError, match="numerator"):
        mc.jacobian("AXB", "X", layout="sideways")
    with pytest.raises(DomainError, match="Q"):
        mc.jacobian("AXB", "Q")
    with pytest.raises(mc.ParseError):
        mc.jacobian("A(X", "X")
    x = t.symbol("X", "m", "n")
    with pytest.raises(UnsupportedError, match="no random points"):
        Jacobian(x, x, t.Identity(t.dim("m") * t.dim("n"))).check()
    with pytest.raises(DomainError):
        mc.jacobian("AXB", "X").check(trials=0)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("through", ["C", "B"])
def test_the_adjoint_of_a_kronecker_product_is_linear_in_both_operands(side, through):
    """⟨C, · ⊗ B⟩ and ⟨C, A ⊗ ·⟩ (the adjoints in gradients of ⊗) have Jacobians in C and in
    the other factor; Hessians of functions of X ⊗ B need them."""
    x, b, c = t.symbol("X", 2, 3), t.symbol("B", 3, 2), t.symbol("C", 6, 6)
    operand = t.Kron(x, b) if through == "C" else c
    other = b if through == "C" else x
    J = mc.jacobian(t.KronFactor(operand, other, side), "X")
    assert J.check(), str(J)


def test_hessians_through_the_adjoint_of_a_kronecker_product():
    for f in ("tr(exp(X ⊗ B))", "sum(exp(A ⊗ X))", "tr((X ⊗ B)(X ⊗ B)ᵀC)"):
        H = mc.hessian(f, "X", shapes="X: 2×2, A: 3×2, B: 2×2, C: 4×4")
        assert H.check(), f"{f}: {H}"


def test_product_and_a_zero_differential():
    assert str(mc.jacobian("AB", "A", shapes="A: m×n, B: n×p")) == "Bᵀ ⊗ I_m"
    zero = vec_jacobian(t.zero((t.dim("m"), t.dim("n"))), t.symbol("X", "p", "q"))
    assert t.is_zero(zero) and zero.shape == (t.dim("m") * t.dim("n"), t.dim("p") * t.dim("q"))


# ---- random matrix-valued expressions -------------------------------------------------------

KINKS = {"relu", "abs", "sign", "step"}


@st.composite
def matrix_expressions(draw):
    """(F, X): a random vector- or matrix-valued expression and one of its matrix variables."""
    ctx = Context(draw)
    rows = draw(st.sampled_from(DIMS))
    cols = draw(st.sampled_from([DIMS[1], DIMS[2], t.ONE]))
    f = gen(ctx, (rows, cols), draw(st.integers(1, 4)))
    assume(not any(isinstance(n, t.Apply) and n.name in KINKS for n in t.walk(f)))
    symbols = sorted(f.free_symbols, key=lambda s: s.name)
    assume(symbols)
    return f, draw(st.sampled_from(symbols))


@settings(max_examples=120)
@given(matrix_expressions(), st.sampled_from(["numerator", "denominator"]))
def test_random_expressions_agree_with_finite_differences(case, layout):
    f, x = case
    j = mc.jacobian(f, x, layout)
    points = (point([f, j.matrix], s) for s in itertools.count())
    try:
        report = j.check(trials=1, points=points)
    except DomainError:  # no point where finite differences resolve the Jacobian
        assume(False)
    assert report, f"{f} wrt {x.name} ({layout}): {j}\n{report}"


@settings(max_examples=40)
@given(matrix_expressions())
def test_denominator_is_the_transpose(case):
    f, x = case
    num, den = mc.jacobian(f, x), mc.jacobian(f, x, "denominator")
    values, dims = point([f, num.matrix, den.matrix], seed=2)
    a, b = num.evaluate(values, dims), den.evaluate(values, dims)
    assume(np.all(np.isfinite(a)))
    np.testing.assert_allclose(b, a.T, rtol=1e-8, atol=1e-10 * (1 + np.max(np.abs(a))))


def test_shape_error_names_the_shapes():
    with pytest.raises(ShapeError) as error:
        mc.jacobian("AX + B", "X", shapes="A: m×n, X: n×p, B: q×q")
    assert "AX (m×p)" in str(error.value) and "B (q×q)" in str(error.value)


def test_kronecker_shapes_print_as_a_textbook_writes_them():
    a, x, s = t.symbol("A", "m", "n"), t.symbol("X", "p", "q"), t.symbol("S", "n", "n")
    assert t.show_shape(kron(a, x).shape) == "mp×nq"
    assert t.show_shape(kron(s, s).shape) == "n²×n²"
    assert t.show_shape(mc.hessian("tr(XᵀX)²", "X").shape) == "mn×mn"
    n = t.dim("n")
    assert [t.show_dim(d) for d in (2 * n, n - 1, t.dim("m") * (n + 1), t.dim("n_1") * t.dim("n_2"))] == [
        "2n", "n − 1", "m(n + 1)", "n_1·n_2"]
    with pytest.raises(ShapeError, match="cannot multiply mp×nq by m×n: inner dimensions nq and m differ"):
        t.matmul(kron(a, x), a)
    with pytest.raises(ShapeError, match="cannot add n²×n² and n×n"):
        t.add(kron(s, s), s)
