"""Every LaTeX string matcalc produces is pure LaTeX: ASCII, with each Unicode sign written as a
command, so that pdfLaTeX reads it as well as MathJax.

The MathJax harness (latex_render.py) rejects any string that is not ASCII, so every test that
renders LaTeX — the golden gradients and differentials and the Jacobians, Hessians, vjp and solve
tables (test_latex_render.py), every derivation of the golden table and random derivations
(test_derive.py), random expressions — also checks its purity.  This module adds what those
do not produce: check reports, the values ``matcalc evaluate --latex`` prints, the rule names of
derivations one by one, and, where ``pdflatex`` is on PATH, a compiled document.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import matcalc as mc
from golden import ROWS as GOLDEN
from latex_render import assert_renders, mathjax, render_errors  # noqa: F401  (mathjax: fixture)
from matcalc.cli import Value
from matcalc.numeric.check import CheckReport, JacobianCheck
from matcalc.printing.prose import latex_number, prose_latex
from test_jacobian import CASES as JACOBIANS, FUNCTIONS
from test_solve import CASES as SOLVED
from test_vjp import ALL as VJPS


def test_the_harness_rejects_unicode():
    errors = render_errors([r"A^{\top}", "Aᵀ", r"\text{cyclic property tr(AB) = tr(BA)} ⇒"])
    assert errors[0] is None
    assert errors[1].startswith("not pure LaTeX: 'ᵀ' (U+1D40) at offset 1")
    assert "'⇒'" in errors[2]


def _reports_and_values() -> list[tuple[str, str]]:
    reports = [mc.check("‖X − DR‖²_F", "D"), mc.check("‖X − DR‖²_F", "D", expected="2(X − DR)Rᵀ"),
               CheckReport(ok=False, inconclusive=True), mc.jacobian("X⁻¹", "X").check(),
               mc.hessian("‖Ax − b‖²", "x").check(),
               JacobianCheck(ok=False, trials=[float("inf")], expected=np.zeros(1), actual=np.ones(1))]
    values = [61.0, -2.5e-12, np.array([1.0, 2.0]), np.array([[1.0, 2e20], [np.nan, -np.inf]])]
    return [(f"report {r.headline()}", r.latex()) for r in reports] + [(f"value {v}", Value(v).latex()) for v in values]


def test_check_reports_and_values_are_pure_latex(mathjax):  # noqa: F811
    labels, texs = zip(*_reports_and_values())
    assert all(tex.isascii() for tex in texs)
    assert_renders(list(texs), list(labels))


def test_rule_names_become_text_and_math():
    assert prose_latex("cyclic property tr(AB) = tr(BA)") == (
        r"\text{cyclic property }\operatorname{tr}(AB) = \operatorname{tr}(BA)")
    assert prose_latex("identification: df = tr(GᵀdX) ⇒ ∂f/∂X = G") == (
        r"\text{identification: }\mathrm{d}f = \operatorname{tr}(G^{\top}\mathrm{d}X) \Rightarrow \partial f/\partial X = G")
    assert prose_latex("a scalar is its own trace: a = tr(a)") == r"\text{a scalar is its own trace: }a = \operatorname{tr}(a)"
    assert prose_latex("power rule d(Xᵏ) = Σᵢ Xⁱ dX Xᵏ⁻¹⁻ⁱ") == (
        r"\text{power rule }\mathrm{d}(X^{k}) = \sum_{i} X^{i} \mathrm{d}X X^{k-1-i}")
    assert prose_latex("sum rule d(A + B) = dA + dB").startswith(r"\text{sum rule }")
    assert prose_latex("d‖x‖₁ = sign(x)ᵀdx") == r"\mathrm{d}\|x\|_{1} = \operatorname{sign}(x)^{\top}\mathrm{d}x"
    assert prose_latex("(A^{∘p})ᵀ = ½ ⟨C, M ⊙ B⟩") == r"(A^{\circ p})^{\top} = \tfrac{1}{2} \langle C, M \odot B\rangle"
    assert prose_latex("100% & {x} #1 ~") == r"100\% \& {x} \#1 \sim"


def test_a_sign_without_a_command_is_reported():
    missing: list = []
    tex = prose_latex("α ≺ β", missing)
    assert tex.isascii() and missing == ["≺"]


def test_numbers_in_latex():
    assert latex_number(6.2e-12) == r"6.2 \times 10^{-12}"
    assert latex_number(0.5) == "0.5" and latex_number(-3.0) == "-3"
    assert latex_number(float("nan")) == r"\mathrm{NaN}" and latex_number(float("-inf")) == r"-\infty"


def _sample() -> list[tuple[str, str]]:
    """Gradients, differentials and derivations of every 10th golden row, Jacobians, vjp and
    solve results, check reports and values."""
    out = []
    for f, wrt, decl, *_ in GOLDEN[::10]:
        out += [(f, mc.grad(f, wrt, **decl).latex()), (f, mc.differential(f, wrt, **decl).latex()),
                (f, mc.derive(f, wrt, **decl).latex())]
    out += [(F, mc.jacobian(F, wrt, functions=FUNCTIONS).latex()) for F, wrt, *_ in JACOBIANS[::3]]
    out += [(F, mc.vjp(F, wrt, upstream=g, **decl).latex()) for F, wrt, g, decl, _ in VJPS[::4]]
    out += [(f, mc.solve(f, wrt, **decl).latex()) for f, wrt, decl, _ in SOLVED]
    return out + _reports_and_values()


DOCUMENT = r"""\documentclass{article}
\usepackage{amsmath,amssymb}
\begin{document}
%s
\end{document}
"""


def test_pdflatex_compiles_a_sample(tmp_path):
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        pytest.skip("pdflatex is not on PATH: the LaTeX is checked to be ASCII and rendered by MathJax instead")
    sample = _sample()
    body = "\n".join(tex if tex.startswith(r"\begin{align*}") else rf"\[ {tex} \]" for _, tex in sample)
    (tmp_path / "sample.tex").write_text(DOCUMENT % body, encoding="ascii")
    result = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "sample.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "sample.pdf").exists()


def test_the_stored_notebook_outputs_are_current():
    """The notebooks are committed with their outputs: those show the text of results, not
    their structure, and pure LaTeX."""
    seen = 0
    for path in sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                data = {k: "".join(v) for k, v in output.get("data", {}).items()}
                seen += len(data)
                assert "(name=" not in data.get("text/plain", ""), (path.name, data["text/plain"][:200])
                assert data.get("text/latex", "").isascii(), (path.name, data["text/latex"][:200])
    assert seen > 10
