"""What the emitter computes differently from the tree as written, for stability or economy.

- ``shifted_exponentials``: exp(z) used only through log 𝟙ᵀexp(z) and the softmax exp(z)/𝟙ᵀexp(z)
  is computed as exp(z − max z), which cannot overflow;
- ``sigmoids_of_softplus``: σ(z) beside softplus(z) (the logistic loss and its gradient) is
  exp(z − softplus(z)), two cheap operations on the softplus computed anyway;
- ``negated_norms``: ‖A‖ read from −A when the program computes −A anyway (‖X − DR‖ beside the
  residual DR − X of the gradient).
"""

from __future__ import annotations

import sympy

from .. import expr as t
from ..simplify import closed_form


def kind(shape) -> str:
    """'s' (1×1), 'c' (n×1), 'r' (1×n) or 'm'."""
    rows, cols = shape
    if rows == t.ONE:
        return "s" if cols == t.ONE else "r"
    return "c" if cols == t.ONE else "m"


def shifted_exponentials(roots) -> set:
    """The vectors exp(z) used only through s = 𝟙ᵀexp(z) in log s and in exp(z)/s (log Σ exp
    and softmax): computed as exp(z − max z), which changes neither the ratio nor, with max z
    added back, the log, and cannot overflow."""
    parents: dict = {}
    for r in roots:
        for n in t.walk(r):
            for c in n.children():
                parents.setdefault(c, set()).add(n)
    out = set()
    for e in parents:
        if not (isinstance(e, t.Apply) and e.name == "exp" and e.order == 0 and e.formula is None
                and kind(e.shape) == "c" and t.is_real(e.arg)) or e in roots:
            continue
        s = t.MatMul((t.transpose(t.Ones(e.rows)), e))
        inverse = t.Power(s, sympy.Integer(-1)) if s in parents else None
        ratios = {p for p in parents.get(inverse, ()) if isinstance(p, t.Scale) and p.factor == inverse and p.operand == e}
        ok = (s in parents and s not in roots and parents[e] <= {s} | ratios
              and all((isinstance(p, t.Apply) and p.name == "log" and p.order == 0 and p.formula is None)
                      or (p == inverse and p not in roots and parents.get(p) == ratios) for p in parents[s]))
        if ok:
            out.add(e)
    return out


def negated_norms(roots) -> dict:
    """{‖A‖: B} where B = −A is computed anyway (‖X − DR‖ beside the residual DR − X of the
    gradient): ‖−A‖ = ‖A‖, so the norm reads B and A is not computed."""
    nodes = {n for r in roots for n in t.walk(r)}
    out = {}
    for n in nodes:
        if isinstance(n, t.Norm) and isinstance(n.arg, t.Add):
            other = closed_form(t.neg(n.arg))
            if other in nodes:
                out[n] = other
    return out


def _builtin(n, name: str) -> bool:
    return isinstance(n, t.Apply) and n.name == name and n.order == 0 and n.formula is None


def sigmoids_of_softplus(roots) -> dict:
    """{σ(z): softplus(z)} for each σ(z) whose softplus(z) the program computes too: σ(z) =
    exp(z − softplus(z)) = exp(−softplus(−z)), which cannot overflow."""
    nodes = {n for r in roots for n in t.walk(r)}
    softplus = {n.arg: n for n in nodes if _builtin(n, "softplus")}
    return {n: softplus[n.arg] for n in nodes if _builtin(n, "sigmoid") and n.arg in softplus}
