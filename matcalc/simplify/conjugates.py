"""The simplifier's rules for complex entries: a term and its conjugate make twice a real part.

Registered like those of ``algebra`` (``normal`` imports every rule set): one named identity
each; a rule returns the rewritten node or None.
"""

from __future__ import annotations

import sympy

from .. import expr as t
from .rewriting import rewrite


def _marks(e: t.Expr) -> int:
    return sum(isinstance(n, t.Conj) for n in t.walk(e))


@rewrite(t.Add, "a term and its conjugate: A + conj(A) = 2 real(A)")
def _real_part(e):
    terms = list(e.terms)
    for i, a in enumerate(terms):
        if t.is_real(a):
            continue
        conj = t.conj(a)
        for j in range(i + 1, len(terms)):
            if terms[j] == conj:
                kept = a if _marks(a) <= _marks(conj) else conj  # real(·) of the plainer one
                rest = [x for k, x in enumerate(terms) if k not in (i, j)]
                return t.add(t.scale(t.Number(sympy.Integer(2)), t.Real(kept)), *rest)
    return None


def _unitary_pair(a: t.Expr, b: t.Expr) -> bool:
    """Whether ab is UᴴU or UUᴴ for a symbol U declared unitary."""
    def hermitian_of(x):
        return x.arg.arg if isinstance(x, t.Transpose) and isinstance(x.arg, t.Conj) else None

    for u, h in ((b, hermitian_of(a)), (a, hermitian_of(b))):
        if isinstance(u, t.Symbol) and "unitary" in u.assumptions and h == u:
            return True
    return False


@rewrite(t.MatMul, "a unitary matrix: UᴴU = UUᴴ = I")
def _unitary(e):
    fs = e.factors
    for i in range(len(fs) - 1):
        if _unitary_pair(fs[i], fs[i + 1]):
            rest = fs[:i] + fs[i + 2:]
            return t.matmul(*rest) if rest else t.identity(fs[i].rows)
    return None
