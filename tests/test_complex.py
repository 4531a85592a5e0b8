"""Complex variables: declarations, conj / ᴴ / real / imag / abs, Wirtinger differentials and
the conjugate cogradient ∂f/∂Z̄ (df = 2 Re tr(Gᴴ dZ)), each checked by finite differences in the
real and the imaginary direction of every entry."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcalc as mc
from matcalc.errors import DomainError, ParseError, UnsupportedError
from matcalc.numeric import point
from matcalc.printing.shapes import shapes_of
from matcalc.simplify import simplify
from test_cli import run

SHAPES = ("z: n complex, w: n complex, x: n complex, a: n complex, b: m complex, c: n complex, A: m×n complex, "
          "B: n×n complex, R: n×n hermitian, Q: n×n hermitian spd, P: m×m hermitian spd, H: m×n complex, "
          "X: n×k complex, Y: m×k complex, Z: m×n complex, W: n×n complex, U: n×n unitary, y: scalar, r: n, "
          "h: m complex")

# (f, variable, the gradient ∂f/∂X̄ as printed)
CASES = [
    ("‖Az − b‖²", "z", "Aᴴ(Az − b)"),  # least squares
    ("‖A x − b‖²", "x", "Aᴴ(Ax − b)"),
    ("wᴴRw", "w", "Rw"),  # beamforming power
    ("zᴴRz + real(cᴴz)", "z", "Rz + ½c"),  # Hermitian quadratic forms
    ("(zᴴRz)²", "z", "2(zᴴRz)Rz"),
    ("tr(XᴴRX)", "X", "RX"),
    ("wᴴRw/(wᴴQw)", "w", "(R − (wᴴRw)Q/(wᴴQw))w/(wᴴQw)"),  # generalized Rayleigh quotient
    ("zᴴQ⁻¹z + log det(Q)", "z", "Q⁻¹z"),
    ("log det(I + HᴴPH)", "H", "PH(HᴴPH + I)⁻¹"),  # capacity
    ("log det(WᴴW)", "W", "W⁻ᴴ"),
    ("real(log det(W))", "W", "½W⁻ᴴ"),
    ("real(tr(W⁻¹))", "W", "−½(Wᴴ)⁻²"),
    ("‖Y − HX‖²_F", "H", "(HX − Y)Xᴴ"),  # channel estimation
    ("‖Y − HX‖²_F", "X", "Hᴴ(HX − Y)"),
    ("‖WᴴW − I‖²_F", "W", "2W(WᴴW − I)"),
    ("‖Z‖²_F", "Z", "Z"),
    ("abs(aᴴx)²", "x", "(aᴴx)a"),  # phase retrieval
    ("(abs(aᴴx)² − y)²", "x", "2(aᴴx)(abs(aᴴx)² − y)a"),
    ("abs(zᴴw)²", "z", "(zᵀw̄)w"),
    ("log(1 + abs(cᴴz)²)", "z", "((cᴴz)/(1 + abs(cᴴz)²))c"),
    ("abs(z)ᵀabs(z)", "z", "z"),
    ("𝟙ᵀabs(z)", "z", "½(z ⊘ abs(z))"),
    ("real(cᴴz)", "z", "½c"),  # conj and real / imag
    ("imag(cᴴz)", "z", "ic/2"),
    ("real(zᴴAᴴh)", "z", "½Aᴴh"),
    ("real(tr(BW))", "W", "½Bᴴ"),
    ("real(zᵀz)", "z", "z̄"),
    ("‖conj(z) − c‖²", "z", "z − c̄"),
    ("imag(z)ᵀimag(z)", "z", "i·imag(z)"),
    ("real(z)ᵀr", "z", "½r"),
    ("real(𝟙ᵀexp(z))", "z", "½exp(z̄)"),
    ("‖exp(Az) − b‖²", "z", "Aᴴ((exp(Az) − b) ⊙ exp(A\u0304z̄))"),
    ("‖Uz − c‖²", "z", "Uᴴ(Uz − c)"),
    ("‖A r − b‖²", "r", "2real(Aᴴ(Ar − b))"),  # a real variable, complex data: 2 Re(∂f/∂r̄)
]


def test_the_table_is_large():
    assert len(CASES) >= 25


@pytest.mark.parametrize("f, wrt, printed", CASES, ids=[f"{c[0]} by {c[1]}" for c in CASES])
def test_gradient_is_printed_and_agrees_with_finite_differences(f, wrt, printed):
    g = mc.grad(f, wrt, shapes=SHAPES)
    assert str(g) == printed
    report = mc.check(f, wrt, shapes=SHAPES)
    assert report, str(report)
    assert report.error < 1e-8
    # the gradient reads back from its text
    assert mc.parse(printed, shapes=str(shapes_of(g))) == g


@pytest.mark.parametrize("f, wrt, wrong", [
    ("‖z‖²", "z", "z̄"),  # the conjugate: right in the real direction only
    ("‖z‖²", "z", "2z"),  # the factor of 2 of ∂/∂Re z
    ("‖Az − b‖²", "z", "Aᵀ(Az − b)"),  # transpose in place of the conjugate transpose
    ("abs(aᴴx)²", "x", "(xᴴa)a"),
])
def test_wrong_gradients_are_caught_in_the_imaginary_direction(f, wrt, wrong):
    assert not mc.check(f, wrt, expected=wrong, shapes=SHAPES)


def test_the_differential_shows_both_parts():
    d = mc.differential("‖Z‖²_F", "Z", shapes=SHAPES)
    assert str(d) == "df = tr(ZᴴdZ) + tr(ZᵀdZ̄)"
    assert d.latex() == r"\mathrm{d}f = \operatorname{tr}\left(Z^{\mathsf{H}}\mathrm{d}Z\right) + " \
                        r"\operatorname{tr}\left(Z^{\top}\mathrm{d}\bar{Z}\right)"
    assert str(d.partial) == "Z̄" and str(d.gradient) == "Z"


def test_a_function_that_is_not_real_valued_has_a_differential_but_no_gradient():
    d = mc.differential("cᴴz + zᴴz", "z", shapes=SHAPES)
    assert not d.real
    assert str(d) == "df = (cᴴ + zᴴ)dz + zᵀdz̄"
    with pytest.raises(DomainError, match="not real-valued"):
        mc.grad("cᴴz + zᴴz", "z", shapes=SHAPES)
    with pytest.raises(DomainError, match="not real-valued"):
        mc.check("tr(W)", "W", shapes=SHAPES)


def test_holomorphic_part_of_a_real_function_is_the_conjugate():
    d = mc.differential("zᴴRz", "z", shapes=SHAPES)
    assert d.real and str(d.partial) == "Rᵀz̄"


@pytest.mark.parametrize("text, printed", [
    ("z̄", "z̄"), ("conj(z)", "z̄"), ("zᴴ", "zᴴ"), ("z^H", "zᴴ"), ("ctranspose(z)", "zᴴ"), ("z.H", "zᴴ"),
    ("W^{-H}", "W⁻ᴴ"), ("W⁻ᴴ", "W⁻ᴴ"), ("(Az − b)^H", "(Az − b)ᴴ"), ("conj(conj(z))", "z"),
    ("Rᴴ", "R"), ("conj(R)", "Rᵀ"), ("real(r)", "r"), ("imag(r)", "0_n"), ("conj(r)", "r"),
    ("i z", "iz"), ("j z", "iz"), ("(1 + 2i)z", "(2i + 1)z"), ("ⅈ·z", "iz"), ("abs(z)", "abs(z)"),
])
def test_complex_notation_reads_and_prints(text, printed):
    e = mc.parse(text, shapes=SHAPES)
    assert str(e) == printed
    assert mc.parse(printed, shapes=SHAPES) == e


def test_i_and_j_are_symbols_when_declared():
    e = mc.parse("x_i + i", shapes="x_i: scalar, i: scalar")
    assert {s.name for s in e.free_symbols} == {"x_i", "i"}
    assert str(mc.parse("ⅈ·i", shapes="i: scalar")) == "ⅈi"


@pytest.mark.parametrize("shapes, error", [
    ("z: n complex positive", "positive is for real entries"),
    ("S: n×n hermitian symmetric", "declare it symmetric"),
    ("U: n×m unitary", "not square"),
])
def test_bad_complex_declarations(shapes, error):
    with pytest.raises(mc.MatcalcError, match=error):
        mc.parse("‖U‖²_F" if "U" in shapes else "‖z‖²" if "z" in shapes else "tr(S)", shapes=shapes)


def test_the_hessian_of_a_complex_variable_is_the_jacobian_of_the_cogradient():
    h = mc.hessian("‖Az − b‖²", "z", shapes=SHAPES)
    assert str(h) == "AᴴA" and h.check()



def test_a_structure_refuses_a_complex_variable():
    for fn in (mc.grad, mc.differential, mc.check, mc.hessian, mc.derive):
        with pytest.raises(UnsupportedError, match="a structure is for a real variable, but W has complex entries"):
            fn("real(tr(W))", "W", structure="symmetric", shapes=SHAPES)


@pytest.mark.parametrize("text", ["abs(y)²/y", "abs(y)²·abs(y)/y²", "abs(y)⁴/(y·abs(y))"])
def test_abs_of_a_complex_scalar_is_not_read_as_y_times_its_sign(text):
    """|u|ᵏ = uᵏsign(u)ᵏ holds for a real u only: |y|²/y is ȳ, not y, for a complex y."""
    e = mc.parse(text, shapes="y: scalar complex")
    simplified = simplify(e)
    y = 0.3 + 0.8j
    assert np.isclose(complex(e.evaluate({"y": y})), complex(simplified.evaluate({"y": y})))
    assert "abs" in str(simplified)


def test_hessian_and_jacobian_of_a_real_variable_with_complex_data():
    h = mc.hessian("‖A r − b‖²", "r", shapes=SHAPES)
    assert str(h) == "2real(AᵀA\u0304)" and h.check()
    assert str(mc.jacobian("A r", "r", shapes=SHAPES)) == "A"


def test_solve_sets_the_cogradient_to_zero():
    assert str(mc.solve("‖Az − b‖²", "z", shapes=SHAPES)) == "(AᴴA)⁻¹Aᴴb"


def test_functions_without_a_complex_derivative_are_refused():
    with pytest.raises(UnsupportedError, match="relu of a complex argument"):
        mc.grad("𝟙ᵀrelu(real(z)) + ‖relu(z)‖²", "z", shapes=SHAPES)


def test_random_points_respect_the_complex_domains():
    e = mc.parse("tr(R + Q + U + W) + ‖z‖²", shapes=SHAPES)
    values, _ = point(e, seed=3)
    R, Q, U, W, z = (values[k] for k in "RQUWz")
    assert np.iscomplexobj(z) and np.iscomplexobj(W) and np.abs(W.imag).max() > 0
    assert np.allclose(R, R.conj().T) and np.abs(R.imag).max() > 0
    assert np.allclose(Q, Q.conj().T) and np.linalg.eigvalsh(Q).min() > 0
    assert np.allclose(U.conj().T @ U, np.eye(len(U)))


def test_evaluation_with_complex_arrays():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    z = rng.standard_normal(2) + 1j * rng.standard_normal(2)
    b = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    value = mc.parse("(Az − b)ᴴ(Az − b)", shapes=SHAPES).evaluate({"A": A, "z": z, "b": b})
    assert value == pytest.approx(np.vdot(A @ z - b, A @ z - b))
    g = mc.grad("‖Az − b‖²", "z", shapes=SHAPES).evaluate({"A": A, "z": z, "b": b})
    np.testing.assert_allclose(g, A.conj().T @ (A @ z - b))
    with pytest.raises(DomainError, match="declare it complex"):
        mc.parse("‖r‖²", shapes=SHAPES).evaluate({"r": z})


def test_latex_of_complex_results():
    assert mc.grad("‖Az − b‖²", "z", shapes=SHAPES).latex() == r"A^{\mathsf{H}}\left(Az - b\right)"
    assert mc.parse("z̄ + imag(z)", shapes=SHAPES).latex() == r"\bar{z} + \operatorname{Im}\left(z\right)"


def test_bad_hermitian_superscript_is_a_parse_error():
    with pytest.raises(ParseError):
        mc.parse("z^{H", shapes=SHAPES)


# ---- random well-typed complex expressions ---------------------------------------------------

VECTORS = ["z", "c", "Az", "Bz", "Rz", "conj(z)", "Bᴴc", "i z", "z ⊙ c", "exp(z/2)", "conj(Bz)"]


def _vector():
    return st.recursive(
        st.sampled_from(VECTORS),
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: f"({p[0]} + {p[1]})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]}) ⊙ ({p[1]})"),
            inner.map(lambda u: f"B({u})"),
            inner.map(lambda u: f"conj({u})"),
            inner.map(lambda u: f"(1 − 2i)({u})"),
        ),
        max_leaves=4,
    )


SCALARS = [
    lambda u, v: f"‖{u}‖²", lambda u, v: f"real(cᴴ({u}))", lambda u, v: f"imag(({v})ᴴ({u}))",
    lambda u, v: f"abs(cᴴ({u}))²", lambda u, v: f"({u})ᴴR({u})", lambda u, v: f"𝟙ᵀabs({u})",
    lambda u, v: f"real(({u})ᵀ({v}))", lambda u, v: f"log(1 + ‖{u}‖²)",
]


@st.composite
def complex_functions(draw):
    vector = _vector()
    terms = []
    for _ in range(draw(st.integers(1, 2))):
        make = draw(st.sampled_from(SCALARS))
        terms.append(make(draw(vector.filter(lambda u: "z" in u)), draw(vector)))
    return " + ".join(terms)


@settings(max_examples=40)
@given(complex_functions())
def test_random_complex_gradients_agree_with_finite_differences(f):
    shapes = "z: n complex, c: n complex, A: n×n complex, B: n×n complex, R: n×n hermitian"
    report = mc.check(f, "z", shapes=shapes)
    assert report or report.inconclusive, f"{f}: {report}"


def test_a_claimed_gradient_is_read_with_the_complex_declarations():
    assert mc.check("zᴴQz + log det(Q)", "z", expected="Qz", shapes=SHAPES)
    assert mc.check("‖Uz − c‖²", "z", expected="z − Uᴴc", shapes=SHAPES)  # UᴴU = I at the random points


def test_shapes_of_a_result_declare_its_complex_symbols():
    g = mc.grad("zᴴQ⁻¹z + ‖Uz − c‖²", "z", shapes=SHAPES)
    assert str(g) == "Uᴴ(Uz − c) + Q⁻¹z"
    assert str(shapes_of(g)) == "U: n×n unitary, z: n complex, c: n complex, Q: n×n hermitian spd"
    assert mc.parse(str(g), shapes=str(shapes_of(g))) == g


def test_a_unitary_matrix_cancels_its_conjugate_transpose():
    assert str(mc.grad("zᴴQ⁻¹z + ‖Uz‖²", "z", shapes=SHAPES)) == "Q⁻¹z + z"
    assert str(mc.grad("zᴴUUᴴz", "z", shapes=SHAPES)) == "z"


MATRICES = ["W", "B", "Wᴴ", "W̄", "BW", "WB", "WᴴB", "i W", "W + B", "W ⊙ B", "Wᵀ", "R"]
MATRIX_SCALARS = [
    lambda u, v: f"‖{u}‖²_F", lambda u, v: f"real(tr({u}))", lambda u, v: f"imag(tr(({v})({u})))",
    lambda u, v: f"abs(tr({u}))²", lambda u, v: f"real(cᴴ({u})c)", lambda u, v: f"log det(({u})ᴴ({u}) + I)",
    lambda u, v: f"real(tr(({u})R({u})ᴴ))", lambda u, v: f"𝟙ᵀabs({u})𝟙",
]


@st.composite
def complex_matrix_functions(draw):
    matrix = st.recursive(
        st.sampled_from(MATRICES),
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: f"({p[0]})({p[1]})"),
            st.tuples(inner, inner).filter(lambda p: p[0] != p[1]).map(lambda p: f"({p[0]} − {p[1]})"),  # not 0 at a kink
            inner.map(lambda u: f"({u})ᴴ"),
            inner.map(lambda u: f"conj({u})"),
        ),
        max_leaves=3,
    )
    terms = []
    for _ in range(draw(st.integers(1, 2))):
        make = draw(st.sampled_from(MATRIX_SCALARS))
        terms.append(make(draw(matrix.filter(lambda u: "W" in u)), draw(matrix)))
    return " + ".join(terms)


@settings(max_examples=40)
@given(complex_matrix_functions())
def test_random_complex_matrix_gradients_agree_with_finite_differences(f):
    shapes = "W: n×n complex, B: n×n complex, R: n×n hermitian, c: n complex"
    report = mc.check(f, "W", shapes=shapes)
    assert report or report.inconclusive, f"{f}: {report}"


def test_complex_by_the_domains_argument():
    g = mc.grad("log det(ZᴴZ)", "Z", shapes={"Z": ("n", "n")}, domains={"Z": "complex"})
    assert str(g) == "Z⁻ᴴ"
    assert mc.check("log det(ZᴴZ)", "Z", domains={"Z": "complex"})


# ---- the command line ----------------------------------------------------------------------

def _cli(capsys, *argv):
    code, out, err = run(capsys, *argv)
    return code, out.strip(), err.strip()


def test_cli_gradient_and_check_of_a_complex_variable(capsys):
    code, out, _ = _cli(capsys, "grad", "‖Az − b‖²", "--wrt", "z", "--shapes", "z: n complex, A: m×n complex, b: m complex",
                        "--check", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["gradient"] == "Aᴴ(Az − b)" and answer["check"]["ok"]
    assert set(answer["check"]["computed"]) == {"real", "imag"}
    code, _, err = _cli(capsys, "grad", "bᴴAz", "--wrt", "z", "--shapes", "z: n complex, A: m×n complex, b: m complex")
    assert code != 0 and "not real-valued" in err


def test_cli_evaluates_complex_values_given_as_their_parts(capsys):
    z = '{"real": [1, 3], "imag": [2, -1]}'
    code, out, _ = _cli(capsys, "evaluate", "z̄", "--shapes", "z: n complex", "--value", f"z={z}", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["value"] == {"real": [1.0, 3.0], "imag": [-2.0, 1.0]}
    assert answer["latex"] == r"\begin{bmatrix} 1 - 2\mathrm{i} \\ 3 + 1\mathrm{i} \end{bmatrix}"
    code, out, _ = _cli(capsys, "evaluate", "zᴴz", "--shapes", "z: n complex", "--value", f"z={z}")
    assert code == 0 and out == "(15+0j)"
    code, _, err = _cli(capsys, "evaluate", "xᵀx", "--value", f"x={z}")
    assert code != 0 and "declare it complex" in err
