"""The code of complex entries, entries of ``emit.EMIT``: the conjugate, the real and the
imaginary part, each the backend's function of the same name (``conj()`` as a method, so that
Aᴴ = Āᵀ reads ``A.conj().T``); complex numbers are Python complex literals (``numbers``)."""

from __future__ import annotations

from .. import expr as t

# The elementwise functions whose overflow-safe helpers are for real arguments only: of a complex
# argument, the plain formula (σ(z) = 1/(1 + e⁻ᶻ), softplus(z) = log(1 + eᶻ)).
REAL_HELPERS = frozenset({"sigmoid", "softplus"})


def _conj(em, n: t.Conj):
    return f"{em.operand(n.arg)}.conj()", True


EMIT = {
    t.Conj: _conj,
    t.Real: lambda em, n: (f"{em.b.xp}.real({em.value(n.arg).text})", True),
    t.Imag: lambda em, n: (f"{em.b.xp}.imag({em.value(n.arg).text})", True),
}
