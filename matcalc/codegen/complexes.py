"""The code of complex entries, entries of ``emit.EMIT``: the conjugate, the real and the
imaginary part, each the backend's function of the same name (``np.conj(A).T`` for Aᴴ; on PyTorch
the method ``A.conj()`` of a tensor); complex numbers are Python complex literals (``numbers``)."""

from __future__ import annotations

from .. import expr as t

# The elementwise functions whose overflow-safe helpers are for real arguments only: of a complex
# argument, the plain formula (σ(z) = 1/(1 + e⁻ᶻ), softplus(z) = log(1 + eᶻ)).
REAL_HELPERS = frozenset({"sigmoid", "softplus"})


def _conj(em, n: t.Conj):
    """NumPy's and JAX's conj also take a Python complex (1j·x of a NumPy float is one)."""
    if em.b.name == "torch":
        return f"{em.operand(n.arg)}.conj()", True
    return f"{em.b.xp}.conj({em.value(n.arg).text})", True


EMIT = {
    t.Conj: _conj,
    t.Real: lambda em, n: (f"{em.b.xp}.real({em.value(n.arg).text})", True),
    t.Imag: lambda em, n: (f"{em.b.xp}.imag({em.value(n.arg).text})", True),
}
