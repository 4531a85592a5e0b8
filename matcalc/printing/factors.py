"""The named factors of a decomposition, as a textbook states them: the answer is written with
u₁, v₁ (the singular vectors of σ₁), UVᵀ (the polar factor) or v, w (the unit eigenvectors of
λ_max, λ_min), followed by ``where X = UΣVᵀ (σ₁ simple)`` or ``where Sv = λ_max(S)v (λ_max
simple)``, the assumption under which the factor is defined.  ``matcalc.expr.where`` reads
such a clause back.

One decomposition per kind and matrix gets names; a factor whose names are taken (by a symbol
of the answer, or by another matrix's decomposition) keeps its function word (``svec_u(X)``,
``eigvec_max(S)``), which reads back as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as t

# The names of the factors: (class, parameter) → the symbol name it is printed as.
NAMES = {(t.SingularVector, "left"): "u_1", (t.SingularVector, "right"): "v_1", (t.PolarFactor, None): "UV",
         (t.EigenVector, "max"): "v", (t.EigenVector, "min"): "w"}
# The symbols each kind of clause binds.
BINDS = {"svd": ("u_1", "v_1", "U", "V"), "max": ("v",), "min": ("w",)}
ASSUMPTIONS = {t.SingularVector: "σ₁ simple", t.PolarFactor: "full rank"}


@dataclass(frozen=True)
class Clause:
    """One ``where`` clause: the decomposition ``kind`` (svd, max, min) of ``matrix``, with the
    assumptions its factors need."""

    kind: str
    matrix: t.Expr
    assumptions: tuple


def _key(e: t.Expr):
    param = getattr(e, "side", None) or getattr(e, "which", None)
    return "svd" if not isinstance(e, t.EigenVector) else e.which, NAMES[type(e), param]


def named_factors(e: t.Expr, taken: set) -> tuple[dict, list]:
    """({factor node: its name}, [Clause]) for the factors of ``e``; ``taken``: names in use."""
    names, clauses, owner = {}, [], {}
    factors = [n for n in t.walk(e) if isinstance(n, (t.SingularVector, t.PolarFactor, t.EigenVector))]
    for n in factors:
        kind, name = _key(n)
        if owner.get(kind, n.arg) != n.arg or taken & set(BINDS[kind]) or _has_factors(n.arg):
            continue
        if kind not in owner:
            owner[kind] = n.arg
            clauses.append([kind, n.arg, set()])
        names[n] = name
        clause = next(c for c in clauses if c[0] == kind)
        clause[2].add(ASSUMPTIONS.get(type(n), f"λ_{kind} simple"))
    order = ("σ₁ simple", "full rank")
    return names, [Clause(k, m, tuple(sorted(a, key=lambda x: order.index(x) if x in order else 0))) for k, m, a in clauses]


def _has_factors(e: t.Expr) -> bool:
    return any(isinstance(n, (t.SingularVector, t.PolarFactor, t.EigenVector)) for n in t.walk(e))
