"""Spectral quantities and matrix functions: λ_max, λ_min, ‖X‖₂, ‖X‖_*, expm, logm, sqrtm.

Each gradient is asserted in its textbook form (vvᵀ, u₁v₁ᵀ, UVᵀ, f′(X)ᵀ, the adjoint of the
Fréchet derivative) and compared with central finite differences at random points; the values
of the matrix functions and of their Fréchet derivatives are checked against their defining
properties and against each other (the block-triangular formula against Daleckii–Krein).
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcalc as mc
from matcalc.errors import UnsupportedError
from matcalc.numeric.spectral import daleckii_krein, eigen_function, expm, expm_frechet


def case(f, wrt, printed, shapes=None):
    return pytest.param(f, wrt, shapes, printed, id=f"{f} wrt {wrt}")


GRADIENTS = [
    # the largest and smallest eigenvalue of a symmetric matrix: vvᵀ, Sv = λv
    case("λ_max(S)", "S", "vvᵀ where Sv = λ_max(S)v (λ_max simple)"),
    case("lambda_min(S)", "S", "wwᵀ where Sw = λ_min(S)w (λ_min simple)"),
    case("2λ_min(S) + aᵀSa", "S", "2wwᵀ + aaᵀ where Sw = λ_min(S)w (λ_min simple)"),
    case("λ_max(S) − λ_min(S)", "S", "vvᵀ − wwᵀ where Sv = λ_max(S)v (λ_max simple); Sw = λ_min(S)w (λ_min simple)"),
    case("λ_max(XᵀX)", "X", "2Xvvᵀ where (XᵀX)v = λ_max(XᵀX)v (λ_max simple)", "X: m×n"),
    case("λ_max(S) + vᵀSv", "S", "eigvec_max(S)eigvec_max(S)ᵀ + vvᵀ"),
    # the spectral norm: u₁v₁ᵀ; the nuclear norm: UVᵀ (the polar factor)
    case("‖X‖₂", "X", "u₁v₁ᵀ where X = UΣVᵀ (σ₁ simple)", "X: m×n"),
    case("sigma_max(X)", "X", "u₁v₁ᵀ where X = UΣVᵀ (σ₁ simple)", "X: m×n"),
    case("‖AX − B‖₂", "X", "Aᵀu₁v₁ᵀ where AX − B = UΣVᵀ (σ₁ simple)"),
    case("‖X‖_*", "X", "UVᵀ where X = UΣVᵀ (full rank)", "X: m×n"),
    case("‖X‖₂ + ‖X‖_*", "X", "UVᵀ + u₁v₁ᵀ where X = UΣVᵀ (σ₁ simple, full rank)", "X: m×n"),
    case("||X - DR||_*", "R", "−DᵀUVᵀ where X − DR = UΣVᵀ (full rank)"),
    # matrix functions: tr f(X) → f′(X)ᵀ
    case("tr(expm(X))", "X", "expm(X)ᵀ"),
    case("aᵀe^{tX}b", "t", "aᵀexpm(tX)Xb", "t: scalar"),
    case("tr(logm(X))", "X", "X⁻ᵀ"),
    case("tr(sqrtm(X))", "X", "½sqrtm(X)⁻ᵀ"),
    # the von Neumann entropy tr(X logm X): logm(X)ᵀ + I
    case("tr(X logm(X))", "X", "I + logm(X)ᵀ"),
    # ⟨G, f(X)⟩ for a general X: the adjoint of the Fréchet derivative
    case("tr(Gᵀexpm(X))", "X", "L_expm(Xᵀ, G)"),
    case("tr(Gᵀexpm(X))", "G", "expm(X)"),
    case("aᵀexpm(X)b", "X", "L_expm(Xᵀ, abᵀ)"),
    case("tr(Gᵀlogm(X))", "X", "L_logm(Xᵀ, G)"),
    case("aᵀsqrtm(X)b", "X", "L_sqrtm(Xᵀ, abᵀ)"),
    case("‖expm(X)‖²_F", "X", "L_expm(Xᵀ, 2expm(X))"),
]


@pytest.mark.parametrize("f, wrt, shapes, printed", GRADIENTS)
def test_gradient_is_the_textbook_form_and_matches_finite_differences(f, wrt, shapes, printed):
    g = mc.grad(f, wrt, shapes=shapes)
    assert str(g) == printed
    report = mc.check(f, wrt, shapes=shapes, trials=3)
    assert report.ok, report


@pytest.mark.parametrize("f, wrt, shapes, printed", GRADIENTS)
def test_gradient_reads_back(f, wrt, shapes, printed):
    g = mc.grad(f, wrt, shapes=shapes)
    assert mc.parse(str(g), shapes=str(g.shapes)) == g


@pytest.mark.parametrize("unicode, ascii_text, shapes", [
    ("λ_max(S)", "lambda_max(S)", None),
    ("λ_min(S)", "lambda_min(S)", None),
    ("‖X‖₂", "||X||_2", "X: m×n"),
    ("‖X‖₂", "sigma_max(X)", "X: m×n"),
    ("‖X‖_*", "norm_nuc(X)", "X: m×n"),
    ("‖X‖_*", "||X||_{*}", "X: m×n"),
    ("expm(X)", "e^X", "X: n×n"),
    ("expm(tX)", "e^{tX}", "X: n×n, t: scalar"),
    ("exp(x)", "e^x", "x: scalar"),
])
def test_unicode_and_ascii_spellings_agree(unicode, ascii_text, shapes):
    assert mc.parse(unicode, shapes=shapes) == mc.parse(ascii_text, shapes=shapes)


def test_the_derivation_names_each_rule():
    steps = str(mc.derive("tr(Gᵀexpm(X))", "X"))
    assert "the Fréchet derivative of the matrix function f" in steps
    assert "adjoint of the Fréchet derivative L_f(X)* = L_f(Xᵀ)" in steps
    steps = str(mc.derive("λ_max(S)", "S"))
    assert "eigenvalue perturbation d λ(S) = vᵀ dS v" in steps and "λ simple" in steps
    assert "σ₁ simple" in str(mc.derive("‖X‖₂", "X", shapes="X: m×n"))
    assert "full rank" in str(mc.derive("‖X‖_*", "X", shapes="X: m×n"))


def test_vjp_of_a_matrix_function_is_the_adjoint_frechet_derivative():
    assert str(mc.vjp("expm(X)", "X")) == "L_expm(Xᵀ, G)"
    assert str(mc.vjp("sqrtm(X)a", "X")) == "L_sqrtm(Xᵀ, Gaᵀ)"


def test_jacobian_and_hessian_where_the_point_is_constant():
    assert str(mc.jacobian("expm(A)x", "x")) == "expm(A)"
    assert str(mc.hessian("xᵀexpm(A)x", "x")) == "expm(A) + expm(A)ᵀ"


MATRIX_FUNCTION_HESSIANS = [
    ("tr(expm(X))", {}, "K_{m,m}K_expm(X)"),
    ("tr(X logm(X))", {}, "K_{m,m}K_logm(X)"),  # the von Neumann entropy
    ("tr(S logm(S))", {"domains": "S: spd"}, "K_{m,m}K_logm(S)"),
    ("tr(sqrtm(X))", {}, "−½K_{m,m}(sqrtm(X)⁻ᵀ ⊗ sqrtm(X)⁻¹)K_sqrtm(X)"),
    ("tr(Gᵀexpm(X))", {}, "K2_expm(Xᵀ, G)K_{m,m}"),  # ⟨G, expm(X)⟩, X not symmetric
    ("tr(Gᵀlogm(X))", {}, "K2_logm(Xᵀ, G)K_{m,m}"),
    ("tr(Gᵀsqrtm(X))", {}, "K2_sqrtm(Xᵀ, G)K_{m,m}"),
    ("tr(Gᵀexpm(S))", {"domains": "S: symmetric"}, "K2_expm(S, G)K_{m,m}"),
]


@pytest.mark.parametrize("f, decl, printed", MATRIX_FUNCTION_HESSIANS, ids=[r[0] for r in MATRIX_FUNCTION_HESSIANS])
def test_hessians_of_matrix_functions_use_the_kronecker_forms_of_the_frechet_derivatives(f, decl, printed):
    wrt = "S" if "S" in f else "X"
    h = mc.hessian(f, wrt, **decl)
    assert str(h) == printed
    assert h.check(trials=3).ok  # against finite differences of the gradient
    assert mc.parse(printed, **decl) == h.matrix


def test_the_kronecker_forms_of_the_frechet_derivatives_evaluate():
    rng = np.random.default_rng(5)
    x, e, e2 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    p = x @ x.T + 3 * np.eye(3)
    for name, point in (("expm", x), ("logm", p), ("sqrtm", p)):
        k = mc.parse(f"K_{name}(X)").evaluate({"X": point})
        l = mc.parse(f"L_{name}(X, E)").evaluate({"X": point, "E": e})
        assert np.allclose(k @ e.reshape(-1, order="F"), l.reshape(-1, order="F"))
        k2 = mc.parse(f"K2_{name}(X, E)").evaluate({"X": point, "E": e})
        h = 1e-5  # L²_f(X, E, E′) = d/dt L_f(X + tE′, E) at t = 0
        moved = [mc.parse(f"L_{name}(X, E)").evaluate({"X": point + s * h * e2, "E": e}) for s in (1, -1)]
        fd = (moved[0] - moved[1]) / (2 * h)
        assert np.allclose(k2 @ e2.reshape(-1, order="F"), fd.reshape(-1, order="F"), atol=1e-7)
        assert mc.parse(str(mc.parse(f"K2_{name}(X, E)"))) == mc.parse(f"K2_{name}(X, E)")


def test_the_jacobian_of_a_matrix_function_and_a_gradient_through_a_frechet_point():
    j = mc.jacobian("expm(X)", "X")
    assert str(j) == "K_expm(X)" and j.check().ok
    g = mc.grad("tr(L_expm(X, X))", "X")
    assert mc.check("tr(L_expm(X, X))", "X", g).ok


SPECTRAL_HESSIANS = [
    ("λ_max(S)", {"domains": "S: symmetric"},
     "½((vvᵀ) ⊗ pinv_max(S) + (I ⊗ v)(vᵀ ⊗ pinv_max(S)))(K_{m,m} + I) where Sv = λ_max(S)v (λ_max simple)"),
    ("λ_max(S)", {}, None),  # of the symmetric part of S
    ("λ_min(S)", {"domains": "S: symmetric"},
     "½((wwᵀ) ⊗ pinv_min(S) + (I ⊗ w)(wᵀ ⊗ pinv_min(S)))(K_{m,m} + I) where Sw = λ_min(S)w (λ_min simple)"),
    ("λ_max(AᵀXA)", {"domains": "X: symmetric"}, None),
    ("‖X‖₂", {"shapes": "X: m×n"}, "((v₁u₁ᵀ) ⊗ pinv_max(XXᵀ))(K_{m,m} + I)(X ⊗ I) + (I ⊗ u₁)(v₁ᵀ ⊗ pinv_max(XᵀX))"
                                   "(K_{n,n} + I)(I ⊗ Xᵀ) where X = UΣVᵀ (σ₁ simple)"),
    ("‖X‖_*", {"shapes": "X: n×n"}, "sqrtm(XᵀX)⁻ᵀ ⊗ I − (sqrtm(XᵀX)⁻ᵀ ⊗ (X·sqrtm(XᵀX)⁻¹))K_sqrtm(XᵀX)(K_{n,n} + I)(I ⊗ Xᵀ)"),
    ("‖AXB‖₂ + λ_min(XᵀX)", {"shapes": "X: n×n"}, None),
    ("‖X‖_*", {"shapes": "X: 4×3"}, None),  # tall: X sqrtm(XᵀX)⁻¹
    ("‖X‖_*", {"shapes": "X: 3×4"}, None),  # wide: sqrtm(XXᵀ)⁻¹X
]


@pytest.mark.parametrize("f, decl, printed", SPECTRAL_HESSIANS, ids=[r[0] + str(r[1]) for r in SPECTRAL_HESSIANS])
def test_hessians_of_spectral_words_by_eigenvalue_perturbation(f, decl, printed):
    """d²λ: dv = (λI − S)⁺ dS v, so the Hessian of λ_max is 2Σ_{j≥2}(vⱼ ⊗ v)(vⱼ ⊗ v)ᵀ/(λ − λⱼ) in the
    named factors v and pinv_max(S) = (λ_max(S)I − S)⁺; singular vectors as eigenvectors of XᵀX, XXᵀ;
    the polar factor of a square X as X sqrtm(XᵀX)⁻¹."""
    wrt = "S" if "S" in f else "X"
    h = mc.hessian(f, wrt, **decl)
    if printed is not None:
        assert str(h) == printed
    assert h.check(trials=3).ok  # against finite differences of the gradient


def test_the_hessian_of_lambda_max_is_the_eigenvalue_perturbation_sum():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((4, 4))
    s = a + a.T
    w, v = np.linalg.eigh(s)
    textbook = sum(2 * np.outer(np.kron(v[:, j], v[:, 3]), np.kron(v[:, j], v[:, 3])) / (w[3] - w[j]) for j in range(3))
    h = mc.hessian("λ_max(S)", "S", domains="S: symmetric").evaluate({"S": s})
    sym = lambda m: m.reshape(-1, order="F")  # noqa: E731  directions E symmetric: compare on them
    for _ in range(3):
        e = rng.standard_normal((4, 4))
        e = e + e.T
        assert np.isclose(sym(e) @ h @ sym(e), sym(e) @ textbook @ sym(e))
    r = mc.parse("pinv_max(S)").evaluate({"S": s})
    assert np.allclose(r, np.linalg.pinv(w[3] * np.eye(4) - s))


@pytest.mark.parametrize("call, fragment", [
    (lambda: mc.hessian("‖X‖_*", "X", shapes="X: m×n"), "polar factor UVᵀ of the m×n matrix X needs to know whether it is tall or wide"),
    (lambda: mc.grad("tr(pinv_max(S))", "S"), "third derivative of λ_max"),
    (lambda: mc.grad("tr(K_expm(X))", "X"), "second-order Fréchet derivative of expm in Kronecker form"),
    (lambda: mc.grad("tr(K2_expm(X, E))", "X"), "third-order Fréchet derivative"),
])
def test_derivatives_beyond_the_closed_forms_are_refused_clearly(call, fragment):
    with pytest.raises(UnsupportedError, match=fragment):
        call()


# ---- the numbers ----------------------------------------------------------------------------


def _general(n, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n))


def _right_half_plane(n, seed):
    rng = np.random.default_rng(seed)
    m, skew = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    return m @ m.T / n + np.eye(n) + (skew - skew.T) / 2


@pytest.mark.parametrize("seed", range(5))
def test_expm_is_the_exponential(seed):
    a = 3 * _general(4, seed)
    w, v = np.linalg.eig(a)
    assert np.allclose(expm(a), np.real(v @ np.diag(np.exp(w)) @ np.linalg.inv(v)), rtol=1e-9, atol=1e-9)
    assert np.allclose(expm(a) @ expm(-a), np.eye(4), atol=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_logm_and_sqrtm_invert_expm_and_the_square(seed):
    a = _right_half_plane(4, seed)
    assert np.allclose(eigen_function("sqrtm", a) @ eigen_function("sqrtm", a), a, atol=1e-10)
    assert np.allclose(expm(eigen_function("logm", a)), a, atol=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_frechet_derivatives_match_finite_differences(seed):
    a, e = _right_half_plane(4, seed), _general(4, seed + 100)
    h = 1e-5
    for name, f, frechet in (("expm", expm, expm_frechet),
                             ("logm", lambda x: eigen_function("logm", x), lambda x, d: daleckii_krein("logm", x, d)),
                             ("sqrtm", lambda x: eigen_function("sqrtm", x), lambda x, d: daleckii_krein("sqrtm", x, d))):
        fd = (f(a + h * e) - f(a - h * e)) / (2 * h)
        assert np.allclose(frechet(a, e), fd, atol=1e-7), name


@pytest.mark.parametrize("seed", range(3))
def test_block_formula_agrees_with_daleckii_krein_for_symmetric_x(seed):
    m = _general(4, seed)
    a, e = (m + m.T) / 2, _general(4, seed + 7)
    w, u = np.linalg.eigh(a)
    li, lj = w[:, None], w[None, :]
    gap = np.where(np.isclose(li, lj), 1.0, li - lj)
    divided = np.where(np.isclose(li, lj), np.exp(li), (np.exp(li) - np.exp(lj)) / gap)
    assert np.allclose(expm_frechet(a, e), u @ ((u.T @ e @ u) * divided) @ u.T, atol=1e-10)


def test_frechet_adjoint_is_the_frechet_derivative_at_the_transpose():
    a, g, e = _general(4, 1), _general(4, 2), _general(4, 3)
    assert np.isclose(np.sum(g * expm_frechet(a, e)), np.sum(expm_frechet(a.T, g) * e))


def test_gradient_of_inner_product_with_expm_of_a_nonsymmetric_matrix_evaluates():
    g = mc.grad("tr(Gᵀexpm(X))", "X")
    x, gv = _general(3, 4), _general(3, 5)
    assert not np.allclose(x, x.T)
    assert np.allclose(g.evaluate({"X": x, "G": gv}), expm_frechet(x.T, gv))


def test_logm_outside_its_domain_is_a_domain_error():
    with pytest.raises(mc.MatcalcError, match="negative real axis"):
        mc.parse("logm(X)").evaluate({"X": -np.eye(2)})


# ---- named factors: where X = UΣVᵀ, where Sv = λ_max(S)v ------------------------------------


@pytest.mark.parametrize("text, shapes, same", [
    ("vvᵀ where Sv = λ_max(S)v", None, "eigvec_max(S)eigvec_max(S)ᵀ"),
    ("vvᵀ where S v = lambda_max(S) v (λ_max simple)", None, "eigvec_max(S)eigvec_max(S)ᵀ"),
    ("u₁v₁ᵀ where X = U Sigma V^T", "X: m×n", "svec_u(X)svec_v(X)ᵀ"),
    ("−DᵀUVᵀ where X − DR = UΣVᵀ (full rank)", "X: m×p, D: m×n, R: n×p", "−Dᵀpolar(X − DR)"),
    ("(UVᵀ)ᵀ where X = UΣVᵀ", "X: m×n", "polar(X)ᵀ"),
])
def test_where_clauses_name_the_factors(text, shapes, same):
    assert mc.parse(text, shapes=shapes) == mc.parse(same, shapes=shapes)


@pytest.mark.parametrize("text, fragment", [
    ("x where X = UΣVᵀ", "does not use"),
    ("U where X = UΣVᵀ", "stand together, as UVᵀ"),
    ("vvᵀ where Sw = λ_max(S)w", "Sv = λ_max(S)v"),
    ("vvᵀ where Sv = λ_max(S)v (nice)", "unknown assumption 'nice'"),
    ("vvᵀ where S = QΛQᵀ", "X = UΣVᵀ or Sv = λ_max(S)v"),
    ("a^X", "an exponent must be a number, not 'X'"),
    ("e^-X", "an exponent must be a number, not 'X'"),
])
def test_bad_where_clauses_are_parse_errors(text, fragment):
    with pytest.raises(mc.ParseError, match=re.escape(fragment)):
        mc.parse(text)


def test_named_factors_evaluate_from_the_decomposition():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3))
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    g = mc.grad("‖X‖₂ + ‖X‖_*", "X", shapes="X: 4×3")
    assert np.allclose(g.evaluate({"X": x}), np.outer(u[:, 0], vt[0]) + u @ vt)
    m = rng.standard_normal((4, 4))
    w, v = np.linalg.eigh(m + m.T)
    g = mc.grad("λ_max(S)", "S", shapes="S: 4×4 symmetric")
    assert np.allclose(g.evaluate({"S": m + m.T}), np.outer(v[:, -1], v[:, -1]))


# ---- random compositions ----------------------------------------------------------------------

ARGUMENTS = {  # a matrix argument built from X, as text, with the declarations it needs
    "square": ["X", "Xᵀ", "2X", "AX", "X + B", "XB − A", "AXᵀB"],
    "symmetric": ["X + Xᵀ", "XᵀX", "AXAᵀ + X + Xᵀ", "XᵀAX"],
    "spd": ["XᵀX + I", "XXᵀ + 2I", "AᵀX + XᵀA + 9I"],
}
OUTER = [  # (kind of argument, the scalar function of it)
    ("symmetric", "λ_max({})"), ("symmetric", "λ_min({})"), ("square", "‖{}‖₂"), ("square", "‖{}‖_*"),
    ("square", "tr(expm(({})/4))"), ("square", "tr(Gᵀexpm(({})/4))"), ("square", "aᵀexpm(({})/4)b"),
    ("spd", "tr(logm({}))"), ("spd", "tr(Gᵀlogm({}))"), ("spd", "aᵀsqrtm({})b"), ("spd", "tr(sqrtm({}))"),
]
DECLARED = "X: n×n, A: n×n, B: n×n, G: n×n, a: n, b: n"


@st.composite
def spectral_functions(draw):
    """A sum of one to three spectral functions of arguments built from X, with coefficients."""
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        kind, outer = draw(st.sampled_from(OUTER))
        coefficient = draw(st.sampled_from(["", "2", "−", "½"]))
        terms.append(coefficient + outer.format(draw(st.sampled_from(ARGUMENTS[kind]))))
    return " + ".join(terms)


@settings(max_examples=40, deadline=None)
@given(spectral_functions())
def test_random_spectral_functions_read_back_and_match_finite_differences(f):
    g = mc.grad(f, "X", shapes=DECLARED)
    assert mc.parse(str(g), shapes=str(g.shapes)) == g
    report = mc.check(f, "X", shapes=DECLARED, trials=2)
    assert report.ok, (f, str(g), report)
