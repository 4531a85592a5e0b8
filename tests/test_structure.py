"""Gradients inside a structure: symmetric, skew, diagonal and triangular matrices, and the
Riemannian gradients on the Stiefel manifold, the orthogonal group, the sphere and the SPD
matrices — each printed form asserted and checked by finite differences inside the structure."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import matcalc as mc
from latex_render import assert_renders, mathjax  # noqa: F401  (mathjax: fixture)
from matcalc.cli import main
from matcalc.errors import ShapeError, UnsupportedError
from matcalc.numeric import point
from matcalc.numeric.structures import SPACES
from matcalc.results.arguments import ArgumentValueError
from matcalc.results.structure import STRUCTURES
from strategies import expressions

GAUSSIAN_Σ = "log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)"  # −2 log-likelihood of one sample, up to a constant
GAUSSIAN_Λ = "−log det Λ + (x − μ)ᵀΛ(x − μ)"  # the same in the precision Λ = Σ⁻¹

# (f, variable, structure, domains, the printed gradient inside the structure)
CASES = [
    # symmetric: sym(G) = ½(G + Gᵀ)
    ("log det S", "S", "symmetric", None, "S⁻¹"),
    ("tr(S⁻¹A)", "S", "symmetric", None, "−½S⁻¹(A + Aᵀ)S⁻¹"),
    ("xᵀSx", "S", "symmetric", None, "xxᵀ"),
    ("tr(SA)", "S", "symmetric", None, "½(A + Aᵀ)"),
    ("aᵀSb", "S", "symmetric", None, "½(abᵀ + baᵀ)"),
    ("tr(S²)", "S", "symmetric", None, "2S"),
    ("‖S − A‖²_F", "S", "symmetric", None, "2S − A − Aᵀ"),
    (GAUSSIAN_Σ, "Σ", "symmetric", None, "Σ⁻¹ − Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹"),
    (GAUSSIAN_Λ, "Λ", "symmetric", None, "(x − μ)(x − μ)ᵀ − Λ⁻¹"),
    ("log det Σ + tr(Σ⁻¹C)", "Σ", "symmetric", "C: symmetric", "Σ⁻¹ − Σ⁻¹CΣ⁻¹"),
    # skew-symmetric: skew(G) = ½(G − Gᵀ)
    ("tr(SA)", "S", "skew", None, "½(Aᵀ − A)"),
    ("‖S − A‖²_F", "S", "skew", None, "Aᵀ + 2S − A"),
    ("aᵀSb", "S", "skew", None, "½(abᵀ − baᵀ)"),
    # diagonal: the diagonal part I ⊙ G
    ("tr(SA)", "S", "diagonal", None, "A ⊙ I"),
    ("‖D − A‖²_F", "D", "diagonal", None, "2((D − A) ⊙ I)"),
    ("log det D", "D", "diagonal", None, "D⁻¹"),
    # lower and upper triangular: tril(G), triu(G) (Cholesky factors)
    ("‖LLᵀ − A‖²_F", "L", "lower", None, "2tril((2LLᵀ − A − Aᵀ)L)"),
    ("log det(LLᵀ)", "L", "lower", None, "2tril((LLᵀ)⁻¹L)"),
    ("tr(LᵀAL)", "L", "lower", None, "tril((A + Aᵀ)L)"),
    ("tr(UA)", "U", "upper", None, "triu(Aᵀ)"),
    ("‖UᵀU − A‖²_F", "U", "upper", None, "2triu(U(2UᵀU − A − Aᵀ))"),
    # the orthogonal group: G − Q sym(QᵀG)
    ("‖XQ − Y‖²_F", "Q", "orthogonal", None, "QYᵀXQ − XᵀY"),  # orthogonal Procrustes
    ("tr(QA)", "Q", "orthogonal", None, "½(Aᵀ − QAQ)"),
    # the Stiefel manifold: G − X sym(XᵀG)
    ("tr(XᵀAX)", "X", "stiefel", "A: symmetric", "2(I − XXᵀ)AX"),  # block Rayleigh quotient
    ("tr(XᵀAXN)", "X", "stiefel", "A: symmetric, N: symmetric", "(2I − XXᵀ)AXN − XNXᵀAX"),  # Brockett cost
    ("tr(XᵀA)", "X", "stiefel", None, "A − ½X(AᵀX + XᵀA)"),
    ("‖X − A‖²_F", "X", "stiefel", None, "XAᵀX + XXᵀA − 2A"),
    # the sphere: G − ⟨X, G⟩X
    ("xᵀAx", "x", "sphere", "A: symmetric", "2(Ax − (xᵀAx)x)"),  # Rayleigh quotient on the sphere
    ("(xᵀAx)/(xᵀx)", "x", "sphere", "A: symmetric", "2(Ax − (xᵀAx)x)"),
    ("aᵀx", "x", "sphere", None, "a − (xᵀa)x"),
    ("‖Ax − b‖²", "x", "sphere", None, "2(Aᵀ(Ax − b) + (xᵀAᵀ(b − Ax))x)"),
    ("tr(XᵀAX)", "X", "sphere", "A: symmetric", "2(AX − tr(XᵀAX)X)"),
    # SPD with the affine-invariant metric: X sym(G) X
    (GAUSSIAN_Σ, "Σ", "spd", None, "Σ − (x − μ)(x − μ)ᵀ"),
    ("log det Σ + tr(Σ⁻¹C)", "Σ", "spd", "C: symmetric", "Σ − C"),
    ("log det Σ", "Σ", "spd", None, "Σ"),
]

ALONG = {s.name: s.along for s in SPACES.values()}


def test_the_table_is_large_and_covers_every_structure():
    assert len(CASES) >= 25
    assert {c[2] for c in CASES} == set(STRUCTURES)


@pytest.mark.parametrize("f, x, structure, domains, printed", CASES,
                         ids=[f"{c[0]} wrt {c[1]} {c[2]}" for c in CASES])
def test_structured_gradient(f, x, structure, domains, printed):
    g = mc.grad(f, x, structure=structure, domains=domains)
    assert str(g) == printed
    report = mc.check(f, x, structure=structure, domains=domains)
    assert report.ok, report
    assert ALONG[structure] in str(report)
    # what matcalc prints reads back: the printed text, checked as a claimed gradient
    claimed = mc.check(f, x, expected=printed, structure=structure, domains=domains, seed=7)
    assert claimed.ok, claimed


def test_the_default_stays_the_unstructured_gradient():
    assert str(mc.grad("tr(SA)", "S", domains="S: symmetric")) == "Aᵀ"
    assert str(mc.grad("tr(SA)", "S", structure=None)) == "Aᵀ"


@pytest.mark.parametrize("claim", ["Aᵀ", "A + Aᵀ − A ⊙ I"])
def test_the_gradients_often_published_for_a_symmetric_matrix_fail_inside_it(claim):
    """Neither G nor G + Gᵀ − G ⊙ I is the gradient in the space of symmetric matrices; sym(G) is
    (Srinivasan & Panda)."""
    report = mc.check("tr(SA)", "S", expected=claim, structure="symmetric")
    assert not report.ok
    assert "along symmetric perturbations" in str(report)
    assert mc.check("tr(SA)", "S", expected="½(A + Aᵀ)", structure="symmetric").ok


def test_a_euclidean_gradient_is_not_tangent_to_the_manifold():
    assert not mc.check("‖XQ − Y‖²_F", "Q", expected="2Xᵀ(XQ − Y)", structure="orthogonal").ok
    assert not mc.check("aᵀx", "x", expected="a", structure="sphere").ok


def test_the_differential_says_where_dx_lies():
    d = mc.differential("tr(SA)", "S", structure="symmetric")
    assert str(d) == "df = tr(½(A + Aᵀ)dS), for symmetric dS"
    assert d.latex().endswith(r"\quad\text{for symmetric }\mathrm{d}S")
    stiefel = mc.differential("tr(XᵀA)", "X", structure="stiefel")
    assert str(stiefel).endswith(", for dX tangent to the Stiefel manifold")
    spd = mc.differential(GAUSSIAN_Σ, "Σ", structure="spd")
    assert str(spd.gradient) == "Σ − (x − μ)(x − μ)ᵀ"  # the Riemannian gradient
    assert str(spd) == "df = tr((Σ⁻¹ − Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹)dΣ), for symmetric dΣ"  # paired by tr(·ᵀdΣ)


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_the_derivation_ends_with_the_named_projection(structure):
    f, x, _, domains, printed = next(c for c in CASES if c[2] == structure)
    d = mc.derive(f, x, structure=structure, domains=domains)
    last = d.steps[-1]
    assert last.kind == "projected" and last.rule == STRUCTURES[structure].step
    assert str(last.expr) == printed and d.gradient == last.expr
    assert str(d.steps[-2].expr) == str(mc.grad(f, x, domains=domains))  # the Euclidean gradient before it
    assert str(d).splitlines()[-1].split("[")[0].strip() == f"{len(d)}. grad f = {printed}"
    assert r"\operatorname{grad} f" in d.latex()


HESSIANS = [
    ("tr(SASB)", "S", "symmetric"),
    ("log det S", "S", "symmetric"),
    ("tr(SAS)", "S", "skew"),
    ("aᵀDb + tr(D²)", "D", "diagonal"),
    ("‖LLᵀ − A‖²_F", "L", "lower"),
    ("‖UᵀU − A‖²_F", "U", "upper"),
]


@pytest.mark.parametrize("f, x, structure", HESSIANS)
def test_the_hessian_of_a_linear_structure_is_projected(f, x, structure):
    h = mc.hessian(f, x, structure=structure)
    report = h.check()
    assert report.ok, report
    assert ALONG[structure] in str(report)
    values, dims = point([h.F, h.matrix], 3, structures={x: SPACES[structure]})
    a = h.evaluate(values, dims)
    basis = SPACES[structure].vectors(values[x] if np.ndim(values[x]) == 2 else np.atleast_2d(values[x]))
    projector = basis @ basis.T
    np.testing.assert_allclose(projector @ a @ projector, a, atol=1e-9)  # PHP lives on the subspace


@pytest.mark.parametrize("structure", ["stiefel", "orthogonal", "sphere", "spd"])
def test_the_riemannian_hessian_is_refused_clearly(structure):
    f, x, _, domains, _ = next(c for c in CASES if c[2] == structure)
    with pytest.raises(UnsupportedError, match="Riemannian Hessian"):
        mc.hessian(f, x, structure=structure, domains=domains)


def _is_orthonormal(q):
    return np.allclose(q.T @ q, np.eye(q.shape[1]))


DRAWN = {
    "symmetric": lambda v: np.allclose(v, v.T),
    "skew": lambda v: np.allclose(v, -v.T),
    "diagonal": lambda v: np.allclose(v, np.diag(np.diag(v))),
    "lower": lambda v: np.allclose(v, np.tril(v)),
    "upper": lambda v: np.allclose(v, np.triu(v)),
    "stiefel": _is_orthonormal,
    "orthogonal": lambda v: _is_orthonormal(v) and v.shape[0] == v.shape[1],
    "sphere": lambda v: np.isclose(np.linalg.norm(v), 1.0),
    "spd": lambda v: np.allclose(v, v.T) and np.all(np.linalg.eigvalsh(v) > 0),
}


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
@pytest.mark.parametrize("seed", range(5))
def test_random_points_respect_the_structure(structure, seed):
    shapes = "X: n×n" if STRUCTURES[structure].square else "X: m×n"
    e = mc.parse("tr(XᵀX)", shapes=shapes)
    values, _ = point([e], seed, structures={"X": SPACES[structure]})
    v = np.atleast_2d(values["X"])
    assert DRAWN[structure](v)
    if structure == "stiefel":
        assert v.shape[0] >= v.shape[1]


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_tangent_bases_are_orthonormal_in_the_metric(structure):
    space = SPACES[structure]
    rng = np.random.default_rng(0)
    shape = (4, 4) if STRUCTURES[structure].square else (4, 2)
    x = space.draw(shape, set(), rng)
    basis = space.basis(x)
    gram = np.array([[space.inner(x, a, b) for b in basis] for a in basis])
    np.testing.assert_allclose(gram, np.eye(len(basis)), atol=1e-10)
    for xi in basis:  # a curve along ξ stays inside the structure
        assert DRAWN[structure](space.move(x, 0.1 * xi))


def test_bad_structures_are_refused_by_name():
    with pytest.raises(ArgumentValueError, match="did you mean symmetric"):
        mc.grad("tr(SA)", "S", structure="symetric")
    with pytest.raises(ShapeError, match="a symmetric matrix is square, but S is m×n"):
        mc.grad("tr(SA)", "S", structure="symmetric", shapes="S: m×n")
    with pytest.raises(ShapeError, match="λ is a scalar"):
        mc.grad("λ²", "λ", structure="sphere")
    with pytest.raises(mc.MatcalcError, match="structure must be"):
        mc.check("tr(SA)", "S", structure=3)


def test_an_undeclared_variable_is_read_square_for_a_square_structure():
    assert mc.parse("tr(SA)", scalar=True).free_symbols
    s = next(v for v in mc.parse("tr(SA)", scalar=True).free_symbols if v.name == "S")
    assert s.rows != s.cols  # read alone, S is m×n
    assert str(mc.grad("tr(SA)", "S", structure="symmetric", domains={"S": "positive"})) == "½(A + Aᵀ)"
    assert str(mc.grad("tr(SA)", "S", structure="skew", domains="S: positive")) == "½(Aᵀ − A)"


# ---- the command line ---------------------------------------------------------------------------


def _cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_line_takes_a_structure(capsys):
    code, out, _ = _cli(capsys, "grad", "tr(SA)", "--wrt", "S", "--structure", "symmetric", "--check")
    assert code == 0
    assert out.splitlines()[0] == "½(A + Aᵀ)"
    assert "along symmetric perturbations" in out
    code, out, _ = _cli(capsys, "grad", "‖XQ − Y‖²_F", "--wrt", "Q", "--structure", "orthogonal", "--json")
    assert code == 0 and json.loads(out)["gradient"] == "QYᵀXQ − XᵀY"
    code, out, _ = _cli(capsys, "derive", "log det Σ", "--wrt", "Σ", "--structure", "spd")
    assert code == 0 and "grad f = Σ" in out.splitlines()[-1]
    code, out, _ = _cli(capsys, "differential", "tr(SA)", "--wrt", "S", "--structure", "skew")
    assert out.strip() == "df = tr(½(A − Aᵀ)dS), for skew-symmetric dS"
    code, out, _ = _cli(capsys, "check", "tr(SA)", "--wrt", "S", "--structure", "symmetric", "--expected", "Aᵀ")
    assert code == 1 and "along symmetric perturbations" in out
    code, out, _ = _cli(capsys, "hessian", "tr(SAS)", "--wrt", "S", "--structure", "skew", "--check")
    assert code == 0 and "along skew-symmetric perturbations" in out


def test_the_command_line_refuses_an_unknown_structure(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["grad", "tr(SA)", "--wrt", "S", "--structure", "symetric"])
    assert exc.value.code == 2
    assert "did you mean symmetric" in capsys.readouterr().err
    code, _, err = _cli(capsys, "hessian", "tr(XQ)", "--wrt", "Q", "--structure", "orthogonal")
    assert code != 0 and "Riemannian Hessian" in err


def test_the_docs_page_runs():
    page = Path(__file__).resolve().parent.parent / "docs" / "structure.md"
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


def test_every_structured_result_renders_as_latex(mathjax):
    texs, labels = [], []
    for f, x, structure, domains, _ in CASES:
        texs += [mc.grad(f, x, structure=structure, domains=domains).latex(),
                 mc.differential(f, x, structure=structure, domains=domains).latex()]
        labels += [f"grad {f} {structure}", f"differential {f} {structure}"]
    for structure in STRUCTURES:
        f, x, _, domains, _ = next(c for c in CASES if c[2] == structure)
        texs.append(mc.derive(f, x, structure=structure, domains=domains).latex())
        labels.append(f"derive {f} {structure}")
    for f, x, structure in HESSIANS:
        texs.append(mc.hessian(f, x, structure=structure).latex())
        labels.append(f"hessian {f} {structure}")
    assert_renders(texs, labels)


def test_a_function_constant_inside_the_structure_has_df_zero():
    d = mc.differential("tr(XᵀX)", "X", structure="stiefel")
    assert str(d) == "df = 0, for dX tangent to the Stiefel manifold"
    assert str(d.gradient) == "0_{m×n}"
    assert mc.check("tr(XᵀX)", "X", structure="stiefel").ok
    assert str(mc.grad("xᵀx", "x", structure="sphere")) == "0_m"


def test_a_structured_differential_shows_its_text():
    d = mc.differential("tr(SA)", "S", structure="symmetric")
    assert repr(d) == str(d) and d.inside == "symmetric"
    assert d.structure().startswith("Differential(")


# ---- random expressions ---------------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(expressions(), st.sampled_from(sorted(STRUCTURES)))
def test_structured_gradients_of_random_expressions_agree_with_finite_differences(case, structure):
    """The projection, simplified with what the structure says of X (QᵀQ = I, Sᵀ = −S, …),
    agrees with finite differences inside the structure."""
    f, wrt, _, _ = case
    assume(not wrt.is_scalar and not wrt.assumptions)
    assume(not STRUCTURES[structure].square or wrt.rows == wrt.cols)
    try:
        report = mc.check(f, wrt, structure=structure)
    except mc.DomainError:  # f is not defined inside the structure (log of a skew matrix)
        assume(False)
    assume(not report.inconclusive)
    assert report, f"{f} wrt {wrt.name} ({structure}): {report}"
