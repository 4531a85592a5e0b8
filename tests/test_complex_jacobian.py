"""Jacobians and vjp of matrix-valued maps of a complex variable (Wirtinger calculus).

vec(dF) = J vec(dZ) + J̄ vec(dZ̄) with J = ∂vec(F)/∂vec(Z)ᵀ and J̄ = ∂vec(F)/∂vec(Z̄)ᵀ; a
holomorphic F has J̄ = 0.  The vjp takes G = ∂L/∂F̄ (L real) to ∂L/∂Z̄ — PyTorch's convention,
vec(∂L/∂Z̄) = Jᴴ vec(G) + J̄ᵀ vec(Ḡ).  Every closed form is compared with central differences
along a real direction D and along iD."""

from __future__ import annotations

import dataclasses
import unicodedata

import numpy as np
import pytest

import matcalc as mc
from matcalc.cli import main
from matcalc.errors import UnsupportedError
from matcalc.results.arguments import ArgumentTypeError, ArgumentValueError
from matcalc.numeric import point
from matcalc.numeric.evaluate import Evaluator

SHAPES = ("Z: n×n complex, A: n×n complex, B: n×n complex, z: n complex, x: n, C: m×n complex, "
          "W: m×n complex, R: n×n hermitian")

# (F, Z, ∂vec(F)/∂vec(Z)ᵀ as printed): holomorphic maps
HOLOMORPHIC = [
    ("AZB", "Z", "Bᵀ ⊗ A"),
    ("Z⁻¹", "Z", "−Z⁻ᵀ ⊗ Z⁻¹"),
    ("Z²", "Z", "Zᵀ ⊗ I_n + I_n ⊗ Z"),
    ("exp(Z)", "Z", "diag(vec(exp(Z)))"),
    ("sin(W)", "W", "diag(vec(cos(W)))"),
    ("CZ", "Z", "I_n ⊗ C"),
    ("Az", "z", "A"),
    ("zᵀAz", "z", "zᵀ(A + Aᵀ)"),
    ("ZRZ", "Z", "(ZᵀRᵀ) ⊗ I_n + I_n ⊗ (ZR)"),
]
# (F, Z, J as printed, J̄ as printed): maps that depend on Z̄
NOT_HOLOMORPHIC = [
    ("ZᴴZ", "Z", "I_n ⊗ Zᴴ", "K_{n,n}(I ⊗ Zᵀ)"),
    ("conj(Z)", "Z", "0_{n²×n²}", "I_{n²}"),
    ("zᴴz", "z", "zᴴ", "zᵀ"),
    ("real(CZ)", "Z", "½(I_n ⊗ C)", "½(I_n ⊗ C̄)"),
]


def _differences(F, z, values, dims, direction, h=1e-5):
    """(F(Z + hD) − F(Z − hD)) / 2h, vec'd."""
    ev = Evaluator([F, z], values, dims)
    base = np.asarray(ev.matrix(z), dtype=complex)
    step = np.reshape(direction, base.shape, order="F")
    plus = ev.at(z.name, base + h * step).matrix(F)
    minus = ev.at(z.name, base - h * step).matrix(F)
    return np.reshape((np.asarray(plus) - np.asarray(minus)) / (2 * h), -1, order="F")


def _assert_dF(F, z, j, j_bar, values, dims, seed=0):
    """J vec(D) + J̄ vec(D̄) is the derivative of vec F along D, for D real and D imaginary."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(j.shape[1])
    for d in (e, 1j * e):
        want = _differences(F, z, values, dims, d)
        got = j @ d + (j_bar @ np.conj(d) if j_bar is not None else 0)
        assert np.allclose(got, want, rtol=1e-6, atol=1e-6 * (1 + np.abs(want).max())), (got, want)


@pytest.mark.parametrize("text, wrt, printed", HOLOMORPHIC, ids=[f"{f} wrt {z}" for f, z, _ in HOLOMORPHIC])
def test_jacobian_of_a_holomorphic_map(text, wrt, printed):
    j = mc.jacobian(text, wrt, shapes=SHAPES)
    assert str(j) == printed
    assert j.check()
    assert str(mc.jacobian(text, wrt, shapes=SHAPES, conjugate=False)) == printed
    assert str(mc.jacobian(text, wrt, shapes=SHAPES, conjugate=True)).startswith("0")
    values, dims = point([j.F, j.matrix])
    _assert_dF(j.F, j.wrt, np.asarray(j.evaluate(values, dims)), None, values, dims)


@pytest.mark.parametrize("text, wrt, printed, printed_bar", NOT_HOLOMORPHIC,
                         ids=[f"{f} wrt {z}" for f, z, _, _ in NOT_HOLOMORPHIC])
def test_jacobian_of_a_map_that_is_not_holomorphic_has_two_parts(text, wrt, printed, printed_bar):
    j = mc.jacobian(text, wrt, shapes=SHAPES, conjugate=False)
    j_bar = mc.jacobian(text, wrt, shapes=SHAPES, conjugate=True)
    assert (str(j), str(j_bar)) == (printed, printed_bar)
    assert j.check() and j_bar.check()
    values, dims = point([j.F, j.matrix, j_bar.matrix])
    _assert_dF(j.F, j.wrt, np.asarray(j.evaluate(values, dims)), np.asarray(j_bar.evaluate(values, dims)), values, dims)
    with pytest.raises(UnsupportedError, match=f"is not holomorphic in {wrt}: it depends on"):
        mc.jacobian(text, wrt, shapes=SHAPES)


def test_the_refusal_names_where_the_map_depends_on_the_conjugate():
    with pytest.raises(UnsupportedError) as info:
        mc.jacobian("ZᴴZ", "Z", shapes=SHAPES)
    assert str(info.value) == (
        "ZᴴZ is not holomorphic in Z: it depends on Z̄ through Zᴴ, so vec(dF) = J vec(dZ) + J̄ vec(dZ̄) has two "
        "parts: conjugate=False gives ∂vec(F)/∂vec(Z)ᵀ, conjugate=True ∂vec(F)/∂vec(Z̄)ᵀ")
    with pytest.raises(UnsupportedError, match="it depends on Z̄ through real\\(CZ\\)"):
        mc.jacobian("real(CZ) + CZ", "Z", shapes=SHAPES)


def test_the_check_tells_the_two_parts_apart():
    """The finite differences in the imaginary direction separate J from J̄: each fails as the other."""
    j = mc.jacobian("ZᴴZ", "Z", shapes=SHAPES, conjugate=False)
    j_bar = mc.jacobian("ZᴴZ", "Z", shapes=SHAPES, conjugate=True)
    assert not dataclasses.replace(j, conjugate=True).check()
    assert not dataclasses.replace(j_bar, conjugate=False).check()
    assert not dataclasses.replace(j, matrix=j_bar.matrix).check()


def test_a_real_variable_has_one_part():
    with pytest.raises(ArgumentValueError, match="conjugate: x is real"):
        mc.jacobian("Ax", "x", shapes="A: m×n complex", conjugate=True)
    assert str(mc.jacobian("Ax", "x", shapes="A: m×n complex")) == "A"
    with pytest.raises(ArgumentTypeError, match="conjugate must be True or False"):
        mc.jacobian("AZB", "Z", shapes=SHAPES, conjugate="yes")


def test_the_denominator_layout_is_the_plain_transpose():
    j = mc.jacobian("AZB", "Z", shapes=SHAPES, layout="denominator")
    assert str(j) == "B ⊗ Aᵀ" and j.check()
    assert r"\bar{Z}" in mc.jacobian("ZᴴZ", "Z", shapes=SHAPES, conjugate=True).lhs_latex()


# (F, Z, ∂L/∂Z̄ for the upstream G = ∂L/∂F̄, as printed)
VJP = [
    ("AZB", "Z", "AᴴGBᴴ"),
    ("Z⁻¹", "Z", "−Z⁻ᴴGZ⁻ᴴ"),
    ("Z²", "Z", "ZᴴG + GZᴴ"),
    ("exp(Z)", "Z", "G ⊙ exp(Z̄)"),
    ("ZᴴZ", "Z", "Z(Gᴴ + G)"),  # not holomorphic: both parts pushed back
    ("conj(Z)", "Z", "Ḡ"),
    ("CZ", "Z", "CᴴG"),
    ("Az", "z", "AᴴG"),
    ("Ax", "x", "2real(AᵀḠ)"),  # a real variable: the ordinary gradient ∂L/∂x
    ("abs(Z)^{∘2}", "Z", "G ⊙ Z"),  # a real-valued F: G is real, ∂L/∂F
    ("zᴴz", "z", "Gz"),
]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _upstream(g):
    return next(s for s in g.free_symbols if s.name == "G")


@pytest.mark.parametrize("text, wrt, printed", VJP, ids=[f"{f} wrt {z}" for f, z, _ in VJP])
def test_vjp_pushes_the_conjugate_cogradient_back(text, wrt, printed):
    g = mc.vjp(text, wrt, shapes=SHAPES)
    assert _nfc(str(g)) == _nfc(printed)
    F = mc.parse(text, shapes=SHAPES)
    complex_F = bool(_upstream(g).assumptions & {"complex"})
    pair = "tr(Gᴴ({0}))" if complex_F else "tr(Gᵀ({0}))"
    if F.cols == 1:
        pair = "Gᴴ({0})" if complex_F else "Gᵀ({0})"
    loss = f"2real({pair.format(text)})" if complex_F else pair.format(text)  # dL = 2 Re tr(Gᴴ dF), tr(Gᵀ dF)
    shapes = f"{SHAPES}, G: {'×'.join(map(str, F.shape)) or 'scalar'}" + (" complex" if complex_F else "")
    assert mc.check(loss, wrt, expected=str(g), shapes=shapes)  # finite differences along D and iD


@pytest.mark.parametrize("text, wrt, printed", VJP, ids=[f"{f} wrt {z}" for f, z, _ in VJP])
def test_vjp_is_the_conjugate_jacobian_applied_to_the_upstream(text, wrt, printed):
    """vec(∂L/∂Z̄) = Jᴴ vec(G) + J̄ᵀ vec(Ḡ), PyTorch's rule for complex inputs, with G = ∂L/∂F̄
    (½∂L/∂F for a real F, whose upstream is ∂L/∂F); for a real x, ∂L/∂x = 2 Re(Jᴴ vec G)."""
    g = mc.vjp(text, wrt, shapes=SHAPES)
    complex_x = wrt != "x"
    j = mc.jacobian(text, wrt, shapes=SHAPES, conjugate=False if complex_x else None)
    matrices = [j.matrix] + ([mc.jacobian(text, wrt, shapes=SHAPES, conjugate=True).matrix] if complex_x else [])
    values, dims = point([g, j.F, *matrices], 3)
    ev = Evaluator([g, *matrices], values, dims)
    upstream = _upstream(g)
    u = np.reshape(np.asarray(ev.matrix(upstream)), -1, order="F")
    if not upstream.assumptions & {"complex"}:
        u = u / 2
    want = np.conj(ev.matrix(j.matrix)).T @ u
    if complex_x:
        want = want + np.asarray(ev.matrix(matrices[1])).T @ np.conj(u)
    else:
        want = 2 * want.real
    assert np.allclose(np.reshape(np.asarray(ev.matrix(g)), -1, order="F"), want)


def test_the_command_line_vjp_checks_a_complex_map(capsys):
    assert main(["vjp", "AZB", "--wrt", "Z", "--shapes", "Z: n×n complex, A: n×n complex, B: n×n complex",
                 "--check"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "AᴴGBᴴ" and "✓" in out


HESSIAN_SHAPES = ("z: n complex, A: m×n complex, b: m complex, R: n×n hermitian, H: m×n complex, Z: n×n complex, "
                  "c: scalar complex, a: n complex")
# (f, Z, H = ∂vec(G)/∂vec(Z)ᵀ of G = ∂f/∂Z̄, H̃ = ∂vec(G)/∂vec(Z̄)ᵀ, as printed)
HESSIANS = [
    ("‖Az − b‖²", "z", "AᴴA", "0_{n×n}"),
    ("zᴴRz", "z", "R", "0_{n×n}"),
    ("abs(aᴴz)²", "z", "aaᴴ", "0_{n×n}"),
    ("‖Z‖²_F", "Z", "I_{n²}", "0_{n²×n²}"),
    ("real(zᵀz)", "z", "0_{n×n}", "I_n"),
    ("abs(c)⁴", "c", "2(abs(c)² + c̄c)", "2c²"),
]


def _second_differences(f, z, values, dims, u, v, h=1e-4):
    """∂²f/∂s∂t of f(Z + sU + tV) at 0, by central differences."""
    ev = Evaluator([f, z], values, dims)
    base = np.asarray(ev.matrix(z), dtype=complex)
    u, v = (np.reshape(w, base.shape, order="F") for w in (u, v))
    total = 0.0
    for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
        total += si * sj * float(np.real(ev.at(z.name, base + si * h * u + sj * h * v).matrix(f)[0, 0]))
    return total / (4 * h * h)


@pytest.mark.parametrize("text, wrt, printed, printed_bar", HESSIANS, ids=[f"{f} wrt {z}" for f, z, _, _ in HESSIANS])
def test_complex_hessian_gives_the_second_differential(text, wrt, printed, printed_bar):
    """d²f along D, E = 2 Re(Eᴴ H D) + 2 Re(Eᵀ H̃ᴴ D), the polarised d²f = 2 dZᴴ H dZ + 2 Re(dZᴴ H̃ dZ̄),
    for D and E real and imaginary."""
    h = mc.hessian(text, wrt, shapes=HESSIAN_SHAPES, conjugate=False)
    h_bar = mc.hessian(text, wrt, shapes=HESSIAN_SHAPES, conjugate=True)
    assert (str(h), str(h_bar)) == (printed, printed_bar)
    assert h.check() and h_bar.check()
    values, dims = point([h.F, h.matrix, h_bar.matrix], 1)
    hv, hbv = np.asarray(h.evaluate(values, dims)), np.asarray(h_bar.evaluate(values, dims))
    assert np.allclose(hv, np.conj(hv).T) and np.allclose(hbv, hbv.T)  # H Hermitian, H̃ symmetric
    rng = np.random.default_rng(2)
    e1, e2 = rng.standard_normal(hv.shape[0]), rng.standard_normal(hv.shape[0])
    for d, e in ((e1, e2), (1j * e1, e2), (e1, 1j * e2), (1j * e1, 1j * e2)):
        want = _second_differences(h.F, h.wrt, values, dims, d, e)
        got = 2 * np.real(np.conj(e) @ hv @ d) + 2 * np.real(e @ np.conj(hbv) @ d)
        assert abs(got - want) <= 1e-5 * (1 + abs(want)), (d, e, got, want)


def test_complex_hessian_of_a_gradient_free_of_the_conjugate_needs_no_keyword():
    h = mc.hessian("‖Az − b‖²", "z", shapes=HESSIAN_SHAPES)
    assert str(h) == "AᴴA" and h.check()
    assert h.lhs_latex().endswith(r"{\partial \bar{z}\,\partial z^{\top}}")


def test_complex_hessian_with_two_parts_says_so():
    with pytest.raises(UnsupportedError) as info:
        mc.hessian("real(zᵀz)", "z", shapes=HESSIAN_SHAPES)
    assert str(info.value) == (
        "the Hessian of real(zᵀz) in z has two parts: its gradient G = ∂f/∂z̄ = z̄ depends on z̄ through z̄, "
        "so vec(dG) = H vec(dz) + H̃ vec(dz̄): conjugate=False gives H = ∂vec(G)/∂vec(z)ᵀ, "
        "conjugate=True H̃ = ∂vec(G)/∂vec(z̄)ᵀ")
    with pytest.raises(ArgumentValueError, match="conjugate: x is real"):
        mc.hessian("‖Ax − b‖²", "x", shapes="A: m×n complex, b: m complex", conjugate=True)


def test_the_hessian_check_tells_the_two_parts_apart():
    h = mc.hessian("abs(c)⁴", "c", shapes=HESSIAN_SHAPES, conjugate=False)
    h_bar = mc.hessian("abs(c)⁴", "c", shapes=HESSIAN_SHAPES, conjugate=True)
    assert not dataclasses.replace(h, conjugate=True).check()
    assert not dataclasses.replace(h_bar, conjugate=False).check()


def test_compiled_hessian_of_a_complex_variable_is_h():
    fn = mc.compile("‖Az − b‖²", "z", shapes="z: n complex, A: m×n complex, b: m complex", hessian=True)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    b, z = rng.standard_normal(3) + 0j, rng.standard_normal(2) + 1j * rng.standard_normal(2)
    value, g, h = fn(z, a, b)
    assert np.allclose(h, a.conj().T @ a) and np.allclose(g, a.conj().T @ (a @ z - b))
    with pytest.raises(UnsupportedError, match="the Hessian of real\\(zᵀz\\) in z has two parts"):
        mc.compile("real(zᵀz)", "z", shapes="z: n complex", hessian=True)
