"""The simplifier's rules for the logistic function, exp and log: 1 − σ(−A) = σ(A),
log(exp(A)) = A, and the logarithm of a ⊙/⊘ product split into a sum where that is shorter and
valid.

A logarithm is split only where every factor but one is known positive (``is_positive``): the
last factor is then positive wherever the original is defined, so matcalc simplifies where the
original is defined, as in ``quotients``.  Registered like those of ``algebra`` (``normal``
imports every rule set): one named identity each; a rule returns the rewritten node or None.
"""

from __future__ import annotations

from .. import expr as t
from .quotients import monomial
from .rewriting import coefficient, is_negative, rewrite, size, with_coefficient
from .scalars import known_function


@rewrite(t.Add, "logistic symmetry 1 − σ(−A) = σ(A)")
def _logistic_symmetry(e):
    parts = [coefficient(x) for x in e.terms]
    for i, (c, core) in enumerate(parts):
        if not (known_function(core, "sigmoid") and is_negative(coefficient(core.arg)[0])):
            continue
        for j, (d, other) in enumerate(parts):
            if d == -c and (t.is_number(other, 1) or (isinstance(other, t.Broadcast) and t.is_number(other.arg, 1))):
                rest = [x for k, x in enumerate(e.terms) if k not in (i, j)]
                return t.add(*rest, with_coefficient(d, t.Apply("sigmoid", t.neg(core.arg))))
    return None


# ---- logarithms -----------------------------------------------------------------------------


@rewrite(t.Apply, "exp and log are inverse functions: log(exp(A)) = A, exp(log(A)) = A (where log A is defined)")
def _log_exp(e):
    inverse = {"log": "exp", "exp": "log"}.get(e.name)
    if inverse is not None and known_function(e, e.name) and known_function(e.arg, inverse):
        return e.arg.arg
    return None


@rewrite(t.Apply, "logarithm of a product log(A ⊙ B) = log A + log B, log(A ⊘ B) = log A − log B, "
         "log(A^{∘k}) = k log A (A, B > 0), where shorter")
def _log_product(e):
    """Valid where the left side is defined when every factor but one is known positive: the
    last one is then positive too (its power is not even), as in log(exp(z)/s) = z − log(s)."""
    if not known_function(e, "log") or e.is_scalar:
        return None
    m = monomial(e.arg)
    if m is None or m.c != 1 or not m.powers:
        return None
    factors = list(m.scalars) + list(m.powers)
    unknown = [(b, k) for b, k in factors if not is_positive(b)]
    if len(unknown) > 1 or any(k.is_Integer and k % 2 == 0 for _, k in unknown):
        return None
    terms = []
    for b, k in factors:
        logged = b.arg if known_function(b, "exp") else t.Apply("log", b)
        terms.append(t.scale(t.Number(k), t.broadcast(logged, e.shape)))
    candidate = t.add(*terms)
    return candidate if size(candidate) < size(e) else None


def is_positive(e: t.Expr) -> bool:
    """Whether every entry of e is positive by declaration or by structure (exp, σ, softplus,
    sums, products and powers of positive values, 𝟙)."""
    if isinstance(e, t.Symbol):
        return "positive" in e.assumptions
    if isinstance(e, t.Number):
        return bool(e.value.is_positive)
    if isinstance(e, t.Ones):
        return True
    if isinstance(e, t.Apply):
        return known_function(e, "exp", "sigmoid", "softplus")
    if isinstance(e, (t.Transpose, t.Broadcast, t.Trace)):
        return is_positive(e.arg)
    if isinstance(e, (t.HadamardPow, t.Power)):
        return is_positive(e.base)
    if isinstance(e, (t.Add, t.Hadamard, t.HadamardDiv, t.MatMul, t.Scale)):
        return all(is_positive(c) for c in e.children())
    return False
