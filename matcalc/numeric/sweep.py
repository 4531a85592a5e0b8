"""How a finite difference's error depends on its step, and the check report as HTML.

Along a random unit direction V at a point X, the central difference of f,
D(h) = (f(X + hV) − f(X − hV)) / 2h, approaches ⟨G, V⟩ = tr(GᵀV) with error O(h²) until
rounding, O(ε/h), takes over: on log–log axes a V whose bottom is the best a finite difference
can do.  A wrong gradient G shows as a curve that levels off at its own error instead.  The
same holds for a Jacobian, (F(X + hV) − F(X − hV)) / 2h against J vec(V), and for a Hessian,
(f(X + hV) − 2f(X) + f(X − hV)) / h² against vec(V)ᵀ H vec(V).

``sweep`` gives the (h, relative error) pairs; ``report_html`` a report's verdict, its table
of trials and, when it has one, the plot of the sweep (Jupyter's ``_repr_html_``, the page).
"""

from __future__ import annotations

from html import escape

import numpy as np

from .. import expr as t
from ..printing.html import loglog, number, table
from .evaluate import Evaluator, NumericError

STEPS = tuple(10.0 ** (-k / 2) for k in range(2, 25))  # 10⁻¹ … 10⁻¹²
TINY = 1e-300
CAPTIONS = {
    "gradient": "(f(X + hV) − f(X − hV)) / 2h against tr(GᵀV)",
    "jacobian": "(F(X + hV) − F(X − hV)) / 2h against J vec(V)",
    "hessian": "(f(X + hV) − 2f(X) + f(X − hV)) / h² against vec(V)ᵀ H vec(V)",
}


def _vec(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=float).reshape(-1, order="F")


def sweep(kind: str, f: t.Expr, x: t.Symbol, closed: t.Expr, values: dict, dims: dict | None = None,
          functions: dict | None = None, layout: str = "numerator", seed: int = 0,
          space=None) -> list[tuple[float, float]]:
    """(h, relative error) of the finite difference of ``kind`` ("gradient", "jacobian",
    "hessian") along a random unit direction V, against the closed form ``closed`` (G, J or
    H) at the point ``values``; steps where f is not defined are left out.  With a ``space``
    (``matcalc.numeric.structures``) V is a tangent vector, f is taken along the space's
    curve through X and G is paired with V in the space's metric."""
    ev = Evaluator([f, x, closed], values, dims, functions)
    base = ev.matrix(x)
    rng = np.random.default_rng(seed)
    if space is None:
        v = rng.standard_normal(base.shape)
        v /= np.linalg.norm(v)
    else:
        v = space.direction(base, rng)
    c = ev.matrix(closed)
    if kind == "gradient":
        exact = np.array([np.sum(c * v) if space is None else space.inner(base, c, v)])
    elif kind == "jacobian":
        exact = (c.T if layout == "denominator" else c) @ _vec(v)
    else:
        exact = np.array([_vec(v) @ c @ _vec(v)])

    def value(h):
        return _vec(ev.at(x.name, base + h * v if space is None else space.move(base, h * v)).matrix(f))

    out = []
    for h in STEPS:
        try:
            if kind == "hessian":
                d = (value(h) - 2 * value(0.0) + value(-h)) / (h * h)
            else:
                d = (value(h) - value(-h)) / (2 * h)
        except NumericError:
            continue
        if np.all(np.isfinite(d)):
            scale = max(float(np.linalg.norm(exact)), float(np.linalg.norm(d)), TINY)
            out.append((h, float(np.linalg.norm(d - exact)) / scale))
    return out


def report_html(report) -> str:
    """A check report as HTML: the verdict, the relative error at each point, the report's
    details when it failed, and the plot of the finite-difference error against the step."""
    mark = report.verdict()[0]
    state = {"✓": "ok", "✗": "failed", "?": "inconclusive"}[mark]
    parts = [f'<div class="matcalc-check {state}"><p class="matcalc-verdict">{escape(report.headline())}</p>']
    if report.trials:
        rows = [[str(i), number(e), "✓" if e <= report.rtol else "✗"] for i, e in enumerate(report.trials, 1)]
        parts.append(table(["point", "relative error", f"within {number(report.rtol)}"], rows))
    if not (report.ok or report.inconclusive):
        details = str(report).split("\n", 1)[1:]
        parts += [f"<pre>{escape(d)}</pre>" for d in details]
    steps = report.steps() if report.steps is not None else []
    if len(steps) >= 2:
        kind = report.sweep_kind
        parts.append(
            "<figure>" + loglog(steps, xlabel="step h", ylabel="relative error", level=report.rtol,
                                level_label="tolerance", title="finite-difference error against the step size")
            + f"<figcaption>The error of {escape(CAPTIONS[kind])} along a random direction V at the "
            "worst point: it falls as h² until rounding (ε/h) takes over; a wrong closed form levels off "
            "at its own error.</figcaption></figure>")
    return "".join(parts) + "</div>"
