"""Derivations with respect to a complex variable: the Wirtinger differential in dZ and dZ̄, the
conjugate pair collected (a real f: df = 2 Re(…)), the trace tricks on the dZ̄ part and the
identification ∂f/∂Z̄ = G.  Every step is checked numerically along a direction D and along iD
(the real and the imaginary direction of every entry), with dZ̄ = D̄; the last step is mc.grad."""

from __future__ import annotations

import dataclasses
import json
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import matcalc as mc
from matcalc import expr as t
from matcalc.cli import main
from matcalc.expr.nodes import DifferentialOf
from matcalc.numeric import point
from matcalc.numeric.evaluate import Evaluator

from latex_render import mathjax  # noqa: F401  (the fixture)
from test_cli import run_module
from test_complex import complex_functions, complex_matrix_functions

SHAPES = ("z: n complex, w: n complex, A: m×n complex, b: m complex, R: n×n hermitian, H: m×n complex, "
          "X: n×k complex, Y: m×k complex, Z: n×n complex, r: n, c: scalar complex, a: n complex, "
          "Q: m×m hermitian spd")

# (f, variable, the last line as printed)
CASES = [
    ("‖Az − b‖²", "z", "∂f/∂z̄ = Aᴴ(Az − b)"),  # least squares
    ("wᴴRw", "w", "∂f/∂w̄ = Rw"),  # beamforming power
    ("log det(I + HᴴH)", "H", "∂f/∂H̄ = H(HᴴH + I)⁻¹"),  # capacity
    ("log det(I + HᴴQH)", "H", "∂f/∂H̄ = QH(HᴴQH + I)⁻¹"),
    ("abs(bᴴAz)²", "z", "∂f/∂z̄ = (bᴴAz)Aᴴb"),  # phase retrieval
    ("abs(aᴴz)", "z", "∂f/∂z̄ = (½(aᴴz)/abs(aᴴz))a"),
    ("real(bᴴAz)", "z", "∂f/∂z̄ = ½Aᴴb"),
    ("imag(bᴴAz)", "z", "∂f/∂z̄ = iAᴴb/2"),
    ("‖Z‖²_F", "Z", "∂f/∂Z̄ = Z"),
    ("tr(ZᴴZ)", "Z", "∂f/∂Z̄ = Z"),
    ("tr(Z̄Z)", "Z", "∂f/∂Z̄ = Zᵀ"),
    ("‖Y − HX‖²_F", "H", "∂f/∂H̄ = (HX − Y)Xᴴ"),
    ("‖Y − HX‖²_F", "X", "∂f/∂X̄ = Hᴴ(HX − Y)"),
    ("abs(c)²", "c", "∂f/∂c̄ = c"),
    ("real(c²) + abs(c)⁴", "c", "∂f/∂c̄ = c̄ + 2c·abs(c)²"),
    ("real(aᴴexp(z))", "z", "∂f/∂z̄ = ½(a ⊙ exp(z̄))"),
    ("‖Az − b‖² + λ‖z‖²", "z", "∂f/∂z̄ = Aᴴ(Az − b) + λz"),
    ("‖Ar − b‖²", "r", "∂f/∂r = 2real(Aᴴ(Ar − b))"),  # a real variable, complex data
]
IDS = [f"{f} wrt {x}" for f, x, _ in CASES]


def _entry(ev: Evaluator, e: t.Expr) -> complex:
    return complex(np.asarray(ev.matrix(e)).reshape(-1)[0])


def assert_steps_hold(d, seed: int = 0) -> None:
    """At a random point, along D and along iD (D a random real direction, dZ̄ = D̄): each f-line
    has f's value, each df-line the derivative of f (by finite differences), and the last line's G
    gives it as 2 Re tr(Gᴴ dZ) (tr(Gᵀ dX) for a real X)."""
    complex_variable = bool(d.wrt.assumptions & t.COMPLEX_DOMAINS)
    dx = t.Differential(d.wrt)
    reference = DifferentialOf(d.f, dx)
    exprs = [d.f, reference, *(s.expr for s in d.steps)]
    values, dims = point(exprs, seed)
    rng = np.random.default_rng(seed + 1)
    base = rng.standard_normal(np.shape(values[d.wrt]) if d.wrt in values else Evaluator(exprs, values, dims).shape(d.wrt))
    for direction in ((base + 0j, 1j * base) if complex_variable else (base,)):
        values[dx] = direction
        ev = Evaluator(exprs, values, dims)
        f, df = _entry(ev, d.f), _entry(ev, reference)
        scale = 1 + abs(df) + np.linalg.norm(ev.matrix(d.gradient)) * np.linalg.norm(direction)
        assert abs(f.imag) < 1e-9 * (1 + abs(f)) and abs(df.imag) < 1e-6 * scale
        for i, s in enumerate(d.steps, 1):
            if s.kind == "f":
                got, want = _entry(ev, s.expr), f
            elif s.kind == "df":
                got, want = _entry(ev, s.expr), df
            else:
                g = np.asarray(ev.matrix(s.expr))
                d_ = np.reshape(direction, g.shape)
                got = 2 * np.real(np.sum(np.conj(g) * d_)) if complex_variable else np.sum(g * d_)
                want = df
            assert abs(got - want) <= 1e-6 * scale, f"step {i} [{s.rule}]: {got} ≠ {want}\n{d}"


@pytest.mark.parametrize("text, wrt, last", CASES, ids=IDS)
def test_complex_derivation_holds_step_by_step_and_ends_at_grad(text, wrt, last):
    d = mc.derive(text, wrt, shapes=SHAPES)
    assert d.gradient == mc.grad(text, wrt, shapes=SHAPES)
    assert f"{d.steps[-1].lhs()} = {d.steps[-1].expr}" == last
    assert_steps_hold(d)


@pytest.mark.parametrize("text, wrt, last", CASES, ids=IDS)
def test_complex_derivation_names_the_conjugate_pair_and_the_cogradient(text, wrt, last):
    d = mc.derive(text, wrt, shapes=SHAPES)
    rules = [s.rule for s in d.steps]
    if wrt == "r":  # a real variable: dr̄ = dr, one part, the ordinary identification
        assert rules[-1] == "identification: df = gᵀdr ⇒ ∂f/∂r = g"
        return
    assert any(r.startswith("a real f: df = 2 Re(…), the d") for r in rules)
    assert rules[-1].startswith("identification: df = 2 Re(") and rules[-1].endswith("the conjugate cogradient")


def test_least_squares_reads_as_a_textbook_derivation():
    d = mc.derive("‖Az − b‖²", "z", shapes=SHAPES)
    assert unicodedata.normalize("NFC", str(d)) == "\n".join([
        "1. f = ‖Az − b‖²                                        [the function]",
        "2. df = d(‖Az − b‖²)                                    [the differential of both sides]",
        "3. df = (Az − b)ᴴd(Az − b) + (Az − b)ᵀconj(d(Az − b))   [power rule d(sᵖ) = p sᵖ⁻¹ ds]",
        "4. df = (Az − b)ᴴd(Az) + (Az − b)ᵀconj(d(Az))           [sum rule d(A + B) = dA + dB]",
        "5. df = (Az − b)ᴴA·dz + (Az − b)ᵀconj(A·dz)             [product rule d(XY) = dX·Y + X·dY]",
        "6. df = (Az − b)ᴴA·dz + (Az − b)ᵀĀdz̄                  "
        "[the conjugate of a product and of a sum: conj(AB) = ĀB̄, conj(A + B) = Ā + B̄]",
        "7. df = 2real((Az − b)ᵀĀdz̄)                           "
        "[a real f: df = 2 Re(…), the dz part being the conjugate of the dz̄ part]",
        "8. df = 2real((Aᴴ(Az − b))ᵀdz̄)                         [written as df = 2 Re(gᵀdz̄)]",
        "9. ∂f/∂z̄ = Aᴴ(Az − b)                                  "
        "[identification: df = 2 Re(gᵀdz̄) = 2 Re(gᴴdz) ⇒ ∂f/∂z̄ = g, the conjugate cogradient]",
    ])


def test_a_matrix_variable_uses_the_trace_tricks_on_the_conjugate_part():
    d = mc.derive("tr(ZᴴZ)", "Z", shapes=SHAPES)
    lines = [f"{s.lhs()} = {s.expr}   [{s.rule}]" for s in d.steps[6:]]
    assert lines == [
        "df = 2real(tr(dZᴴZ))   [a real f: df = 2 Re(…), the dZ part being the conjugate of the dZ̄ part]",
        "df = 2real(tr(Z·dZᴴ))   [cyclic property tr(AB) = tr(BA)]",
        "df = 2real(tr(ZᵀdZ̄))   [transpose invariance tr(Aᵀ) = tr(A)]",
        "∂f/∂Z̄ = Z   [identification: df = 2 Re(tr(GᵀdZ̄)) = 2 Re(tr(GᴴdZ)) ⇒ ∂f/∂Z̄ = G, the conjugate cogradient]",
    ]


def test_complex_derivations_render_in_mathjax(mathjax):
    texs = [mc.derive(text, wrt, shapes=SHAPES).latex() for text, wrt, _ in CASES]
    assert all(tex.isascii() for tex in texs)
    assert mathjax(texs) == [None] * len(texs)
    last = mc.derive("‖Az − b‖²", "z", shapes=SHAPES).latex().split(r" \\")[-1].strip()
    assert last.startswith(r"\frac{\partial f}{\partial \bar{z}} &= A^{\mathsf{H}}\left(Az - b\right)")
    assert r"\partial f/\partial \bar{z} = g" in last and r"2 \operatorname{Re}(g^{\mathsf{H}}\mathrm{d}z)" in last


def test_a_function_that_is_not_real_has_no_derivation():
    with pytest.raises(mc.errors.DomainError, match="not real-valued"):
        mc.derive("bᴴAz", "z", shapes=SHAPES)


def test_a_structure_still_refuses_a_complex_variable():
    with pytest.raises(mc.errors.UnsupportedError, match="a structure is for a real variable"):
        mc.derive("‖Z‖²_F", "Z", structure="symmetric", shapes=SHAPES)


def test_the_command_line_derives_with_respect_to_a_complex_variable(capsys):
    argv = ["derive", "‖Az − b‖²", "--wrt", "z", "--shapes", "z: n complex, A: m×n complex, b: m complex"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "∂f/∂z̄ = Aᴴ(Az − b)" in out and "a real f: df = 2 Re(…)" in out
    assert main([*argv, "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert fields["gradient"] == "Aᴴ(Az − b)"
    assert fields["steps"][-1]["latex"].startswith(r"\frac{\partial f}{\partial \bar{z}} = ")


def test_the_step_check_fails_on_a_conjugated_gradient():
    """∂f/∂z̄ = (Aᴴ(Az − b))̄ is off by a conjugate: the check along iD catches it."""
    d = mc.derive("‖Az − b‖²", "z", shapes=SHAPES)
    wrong = dataclasses.replace(d.steps[-1], expr=t.conj(d.steps[-1].expr))
    with pytest.raises(AssertionError, match="step 9"):
        assert_steps_hold(dataclasses.replace(d, steps=d.steps[:-1] + (wrong,)))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(complex_functions())
def test_random_complex_derivation_holds_step_by_step(mathjax, f):
    shapes = "z: n complex, c: n complex, A: n×n complex, B: n×n complex, R: n×n hermitian"
    d = mc.derive(f, "z", shapes=shapes)
    assert d.gradient == mc.grad(d.f, d.wrt)
    assert_steps_hold(d)
    assert mathjax([d.latex()]) == [None]


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(complex_matrix_functions())
def test_random_complex_matrix_derivation_holds_step_by_step(mathjax, f):
    d = mc.derive(f, "W", shapes="W: n×n complex, B: n×n complex, R: n×n hermitian, c: n complex")
    assert d.gradient == mc.grad(d.f, d.wrt)
    assert_steps_hold(d)
    assert mathjax([d.latex()]) == [None]


@pytest.mark.slow
def test_python_m_matcalc_derive_prints_the_complex_steps():
    done = run_module("derive", "wᴴRw", "--wrt", "w", "--shapes", "w: n complex, R: n×n hermitian",
                      PYTHONIOENCODING="utf-8")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[-1].split("[")[0].strip() == "9. ∂f/∂w̄ = Rw"
    assert any("[a real f: df = 2 Re(…), the dw part being the conjugate of the dw̄ part]" in line for line in lines)


def test_a_function_free_of_the_variable_has_a_zero_cogradient():
    d = mc.derive("‖b‖²", "z", shapes=SHAPES)
    assert [f"{s.lhs()} = {s.expr}" for s in d.steps] == ["f = ‖b‖²", "df = d(‖b‖²)", "df = 0", "∂f/∂z̄ = 0_n"]
    assert_steps_hold(d)
