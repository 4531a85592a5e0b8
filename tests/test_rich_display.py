"""Rich display in Jupyter: every result type gives IPython a LaTeX or HTML form with its
content — derivations as aligned steps with their rules, Jacobians and Hessians as the equation
they are, check reports as a table of trials with the plot of the finite-difference error
against the step size (an inline SVG) — and the LaTeX renders in MathJax."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter

import matcalc as mc
from matcalc.numeric.check import CheckReport
from matcalc.numeric.sweep import STEPS, sweep
from matcalc.printing.html import loglog, number, table
from latex_render import mathjax  # noqa: F401  (the fixture)

FORMAT = DisplayFormatter()


def bundle(x) -> dict:
    """What Jupyter receives: mime type → content."""
    return FORMAT.format(x)[0]


class _Tags(HTMLParser):
    """The tags of an HTML text, checking that each one opened is closed in order."""

    VOID = {"br", "img", "hr", "input", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.stack, self.seen = [], []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.seen.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


def tags_of(html: str) -> list:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert parser.stack == [], parser.stack
    return parser.seen


def svg_of(html: str) -> ET.Element:
    (svg,) = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    return ET.fromstring(svg)


def test_every_result_type_has_a_rich_form():
    results = {
        "expression": mc.grad("‖X − DR‖²_F", "D"),
        "differential": mc.differential("aᵀXb", "X"),
        "derivation": mc.derive("aᵀXb", "X"),
        "jacobian": mc.jacobian("AXB", "X"),
        "hessian": mc.hessian("xᵀAx", "x"),
        "vjp": mc.vjp("AXB", "X"),
        "solve": mc.solve("‖Xw − y‖² + λ‖w‖²", "w"),
        "check": mc.check("‖X − DR‖²_F", "D"),
        "jacobian check": mc.jacobian("X⁻¹", "X").check(),
    }
    for name, x in results.items():
        shown = bundle(x)
        assert shown["text/plain"] == str(x), name
        assert "text/latex" in shown, name
    assert "text/html" in bundle(results["check"]) and "text/html" in bundle(results["jacobian check"])


def test_derivation_is_aligned_steps_with_their_rules():
    d = mc.derive("aᵀXb", "X")
    tex = bundle(d)["text/latex"]
    rows = tex.removeprefix("\\begin{align*}\n").removesuffix("\n\\end{align*}").split(" \\\\\n")
    assert len(rows) == len(d.steps) == 7
    assert rows[0] == r"f &= a^{\top}Xb && \text{the function}"
    assert rows[4] == (r"\mathrm{d}f &= \operatorname{tr}\left(ba^{\top}\mathrm{d}X\right) && "
                       r"\text{cyclic property }\operatorname{tr}(AB) = \operatorname{tr}(BA)")
    assert rows[-1].startswith(r"\frac{\partial f}{\partial X} &= ab^{\top} && \text{identification: }")


@pytest.mark.parametrize("result, latex", [
    (lambda: mc.jacobian("AXB", "X"),
     r"$\frac{\partial \operatorname{vec}\left(AXB\right)}{\partial \operatorname{vec}\left(X\right)^{\top}} = B^{\top} \otimes A$"),
    (lambda: mc.jacobian("AXB", "X", layout="denominator"),
     r"$\frac{\partial \operatorname{vec}\left(AXB\right)^{\top}}{\partial \operatorname{vec}\left(X\right)} = B \otimes A^{\top}$"),
    (lambda: mc.jacobian("exp(Ax)", "x"),
     r"$\frac{\partial \exp\left(Ax\right)}{\partial x^{\top}} = \operatorname{diag}\left(\exp\left(Ax\right)\right)A$"),
    (lambda: mc.hessian("log det X", "X"),
     r"$\frac{\partial^{2} \left(\log\det\left(X\right)\right)}{\partial \operatorname{vec}\left(X\right)\,\partial "
     r"\operatorname{vec}\left(X\right)^{\top}} = -K_{m,m}\left(X^{-\top} \otimes X^{-1}\right)$"),
    (lambda: mc.differential("aᵀXb", "X"), r"$\mathrm{d}f = \operatorname{tr}\left(ba^{\top}\mathrm{d}X\right)$"),
    (lambda: mc.vjp("X⁻¹", "X"), r"$-X^{-\top}GX^{-\top}$"),
    (lambda: mc.solve("‖Xw − y‖²", "w"), r"$\left(X^{\top}X\right)^{-1}X^{\top}y$"),
])
def test_latex_forms(result, latex):
    assert bundle(result())["text/latex"] == latex


def test_the_latex_forms_render_in_mathjax(mathjax):
    forms = [mc.jacobian("AXB", "X"), mc.jacobian("AXB", "X", layout="denominator"), mc.hessian("log det X", "X"),
             mc.jacobian("exp(Ax)", "x"), mc.check("‖X − DR‖²_F", "D")]
    texs = [f._repr_latex_().removeprefix("$").removesuffix("$") for f in forms]
    assert mathjax(texs) == [None] * len(texs)


def test_a_passing_check_shows_its_trials_and_the_step_plot():
    report = mc.check("log det X + tr(Xᵀ X)", "X", trials=4, seed=3)
    html = bundle(report)["text/html"]
    tags = tags_of(html)
    assert html.startswith('<div class="matcalc-check ok"><p class="matcalc-verdict">✓ agrees')
    assert tags.count("tr") == 5 and "figure" in tags and "svg" in tags
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert cells[0::3] == ["1", "2", "3", "4"] and cells[2::3] == ["✓"] * 4
    assert [number(e) for e in report.trials] == cells[1::3]
    svg = svg_of(html)
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.find(f"{ns}title").text == "finite-difference error against the step size"
    points = svg.find(f"{ns}polyline").get("points").split()
    assert len(points) == len(report.steps()) == len(svg.findall(f"{ns}circle")) >= 20


def test_the_sweep_falls_as_h_squared_then_rounding_takes_over():
    """For a smooth f the error of a central difference is O(h²) for large h and grows as ε/h
    for small h: the curve is a V whose bottom is far below the tolerance."""
    steps = dict(mc.check("log det X + aᵀexp(Xb)", "X", seed=1).steps())
    assert min(steps.values()) < 1e-8
    big = [steps[h] for h in STEPS if 1e-3 <= h <= 1e-1 and h in steps]
    ratios = [a / b for a, b in zip(big, big[1:])]  # h shrinks by √10 per step: the error by 10
    assert all(5 < r < 20 for r in ratios), ratios
    assert steps[STEPS[-1]] > 1e3 * min(steps.values())  # rounding at h = 10⁻¹²


def test_a_wrong_claim_levels_off_at_its_own_error():
    report = mc.check("‖X − DR‖²_F", "D", expected="2(X − DR)Rᵀ")
    html = report._repr_html_()
    assert html.startswith('<div class="matcalc-check failed">') and "<pre>  D = [[" in html
    assert "✗" in re.findall(r"<td>(.*?)</td>", html)
    steps = report.steps()  # the claim is −G: the difference is twice its size, whatever the step
    assert all(abs(e - 2) < 1e-3 for h, e in steps if h >= 1e-8) and all(e > 1 for _, e in steps)
    tags_of(html)


def test_jacobian_and_hessian_checks_plot_their_own_differences():
    j = mc.jacobian("X⁻¹", "X").check()
    assert j.sweep_kind == "jacobian" and min(e for _, e in j.steps()) < 1e-8
    assert "J vec(V)" in j._repr_html_()
    h = mc.hessian("log det X", "X").check()
    errors = dict(h.steps())
    assert h.sweep_kind == "hessian" and min(errors.values()) < 1e-5
    assert errors[1e-1] < 1e-1 and errors[STEPS[-1]] > 1e-3  # second differences: rounding as ε/h²
    assert "vec(V)ᵀ H vec(V)" in h._repr_html_()
    d = mc.jacobian("AXB", "X", layout="denominator").check()
    assert max(e for h_, e in d.steps() if h_ > 1e-6) < 1e-9  # linear: exact up to rounding, in either layout


def test_an_inconclusive_report_and_one_without_a_sweep():
    unsure = CheckReport(ok=False, inconclusive=True)
    html = unsure._repr_html_()
    assert html == '<div class="matcalc-check inconclusive"><p class="matcalc-verdict">? inconclusive: finite ' \
                   'differences cannot resolve the gradient at any random point tried</p></div>'
    bare = CheckReport(ok=True, trials=[1e-12])
    assert "<svg" not in bare._repr_html_() and bare._repr_html_().count("<tr>") == 2


def test_html_helpers_escape_what_they_are_given():
    assert table(["<a>"], [["x & y"]]) == ('<table class="matcalc-table"><thead><tr><th>&lt;a&gt;</th></tr></thead>'
                                           "<tbody><tr><td>x &amp; y</td></tr></tbody></table>")
    svg = loglog([(1e-3, 1e-6), (1e-2, 0.0)], xlabel="h <", ylabel="e", title="t & u", level=1e-4, level_label="<tol>")
    root = ET.fromstring(svg)  # well-formed XML: every text escaped
    assert root.find("{http://www.w3.org/2000/svg}title").text == "t & u"
    assert number(6.2e-12) == "6.2·10⁻¹²" and number(0.5) == "0.5" and number(float("nan")) == "nan"
    assert np.isfinite(float(root.get("width")))


def test_sweep_leaves_out_steps_outside_the_domain():
    """log det X with a step that makes det X ≤ 0 has no value there: those steps are left out."""
    f = mc.parse("log det X")
    x = next(iter(f.free_symbols))
    g = mc.grad(f, "X")
    values = {"X": np.diag([1e-3, 1.0])}
    steps = sweep("gradient", f, x, g, values)
    assert 0 < len(steps) < len(STEPS)
    assert all(np.isfinite(e) for _, e in steps)
